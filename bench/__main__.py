"""`python -m bench`: runs the benchmarks, prints a table and writes
bench/results/latest.json. Exit code 0 even when a target is missed (it is a report); an error
exits non-zero."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from bench import (
    cold_start,
    epidemic,
    expire,
    fanout,
    holder_qr,
    partitions,
    purge_pages,
    token_cache,
    verify_floor,
)
from bench.world import local_tables, populate
from chalicelib.domain.clock import utcnow

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def _rows(results: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    v, c = results["verify_vs_floor"], results["cold_start"]
    v2 = v["v2"]
    return [
        (
            "verify vs floor, v1 JWT",
            f"{v['ratio']:.2f}x  ({v['verify_ms']['median']:.2f} / {v['floor_ms']['median']:.2f} ms"
            f" median; p90 {v['verify_ms']['p90']:.2f} / {v['floor_ms']['p90']:.2f} ms)",
            f"<= {v['target']}x",
            "PASS" if v["pass"] else "MISS",
        ),
        (
            "verify vs floor, v2 HC2",
            f"{v2['ratio']:.2f}x  ({v2['verify_ms']['median']:.2f} / {v['floor_ms']['median']:.2f}"
            f" ms median; p90 {v2['verify_ms']['p90']:.2f} ms)",
            f"<= {v['target']}x",
            "PASS" if v2["pass"] else "MISS",
        ),
        (
            "verify v2 vs v1 (same run)",
            f"{v['v2_vs_v1']:.2f}x  (the token check alone: {v['token_check_us']['v1']:.0f} vs"
            f" {v['token_check_us']['v2']:.0f} us median)",
            f"<= {v['v2_vs_v1_target']}x",
            "PASS" if v["v2_vs_v1_pass"] else "MISS",
        ),
        (
            "cold start: import app vs boto3",
            f"{c['ratio']:.2f}x  ({c['app_ms']:.0f} / {c['boto3_ms']:.0f} ms median)",
            f"<= {c['target']}x",
            "PASS" if c["pass"] else "MISS",
        ),
        *holder_qr.rows(results),
        *epidemic.rows(results),
        *expire.rows(results),
        *fanout.rows(results),
        *token_cache.rows(results),
        *purge_pages.rows(results),
        *partitions.rows(results),
    ]


def report(results: dict[str, dict[str, Any]]) -> str:
    header = ("benchmark", "figure", "target", "result")
    rows = [header, *_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    c, q, v = results["cold_start"], results["holder_qr"], results["verify_vs_floor"]
    lines += [
        "",
        f"verify: {v['calls']} calls each (v1, v2, floor), interleaved call by call, medians of"
        " per-call times",
        f"import app loaded: {', '.join(c['app_loaded']) or 'none of the heavy modules'}"
        f" ({c['app_modules']} modules; boto3 alone {c['boto3_modules']})",
        f"then lazily on the first verify request: {c['verify_path_imports_ms']:.0f} ms median"
        " of imports (informational; see VERIFY_PATH in bench/cold_start.py)",
        f"QR PNG render: {q['render_png_ms']['median']:.2f} ms median,"
        f" p90 {q['render_png_ms']['p90']:.2f} ms (informational)",
        *epidemic.notes(results),
        *expire.notes(results),
        *partitions.notes(results),
    ]
    return "\n".join(lines)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=10, help="verify: interleaved rounds")
    parser.add_argument("--per-round", type=int, default=30, help="verify: calls per round")
    parser.add_argument("--warmup", type=int, default=30, help="verify: warm-up calls")
    parser.add_argument("--cold-runs", type=int, default=7, help="cold start: runs of each")
    parser.add_argument(
        "--persons",
        type=int,
        default=10_000,
        help="records import and recompare: persons (one record each); 0 skips them",
    )
    parser.add_argument(
        "--expire-rounds", type=int, default=11, help="expire: timed runs per world; 0 skips"
    )
    parser.add_argument(
        "--no-fanout", action="store_true", help="skip the queue benchmark (bench/fanout.py)"
    )
    parser.add_argument(
        "--purge-scans", type=int, default=20_000, help="purge: scans on a busy day; 0 skips"
    )
    parser.add_argument(
        "--verifies",
        type=int,
        default=100_000,
        help="partitions: verifies (and half as many check-ins) in the simulated second; 0 skips",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    with local_tables() as prefix:
        world = populate(prefix)
        results = {
            "verify_vs_floor": verify_floor.run(
                world, rounds=args.rounds, per_round=args.per_round, warmup=args.warmup
            ),
            "holder_qr": holder_qr.run(world),
            "token_cache": token_cache.run(world, rounds=args.rounds, per_round=args.per_round),
        }
        if args.purge_scans > 0:
            results["purge"] = purge_pages.run(world, args.purge_scans)
    results["cold_start"] = cold_start.run(args.cold_runs)
    if args.persons > 0:
        results.update(epidemic.run(args.persons))
    if args.expire_rounds > 0:
        results["expire"] = expire.run(args.expire_rounds)
    if not args.no_fanout:
        results["fanout"] = fanout.run()
    if args.verifies > 0:
        results["partitions"] = partitions.run(args.verifies, args.verifies // 2)
    print(report(results))
    document = {
        "at": utcnow().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "settings": vars(args),
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
