"""Benchmark 3: the code tokens a holder shows, v1 (JWT) beside v2 (`HC2:` + base45 of a COSE_Sign1
CWT, issue 15): length and QR version at error levels M and Q, for the live code and the paper
code; the target is the live QR image (v2) at version 8 or less at level M. For information, the
time to render the PNG."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bench.stats import median, ms, p90, timed
from bench.world import World
from chalicelib import paper, qr
from chalicelib.domain.clock import utcnow
from chalicelib.security.tokens import issue_code

TARGET = 8
PAPER_LIFE = timedelta(days=15)


def _shape(token: str) -> dict[str, Any]:
    return {
        "chars": len(token),
        "qr_version_m": qr.version(token, "m"),
        "qr_version_q": qr.version(token, "q"),
    }


def run(world: World, renders: int = 50) -> dict[str, Any]:
    now, keys = utcnow(), world.ctx.code_keys
    formats: dict[str, dict[str, Any]] = {}
    for name, v2 in (("v1", False), ("v2", True)):
        live, _ = issue_code(keys, world.person_id, world.color, now, v2=v2)
        printed, _ = issue_code(
            keys, world.person_id, world.color, now, kind="paper", lifetime=PAPER_LIFE, v2=v2
        )
        formats[name] = {"live": _shape(live), "paper": _shape(printed)}
    live_v2, _ = issue_code(keys, world.person_id, world.color, now, v2=True)
    version = qr.version(live_v2)
    qr.render(live_v2, "green", "png")  # warm-up
    render_times = timed(lambda: qr.render(live_v2, "green", "png"), renders)
    return {
        "formats": formats,
        "token_chars": len(live_v2),
        "qr_version": version,
        "paper_error_level": paper.ERROR.upper(),
        "target": TARGET,
        "pass": version <= TARGET,
        "render_png_ms": {"median": ms(median(render_times)), "p90": ms(p90(render_times))},
    }


def rows(results: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    q = results["holder_qr"]
    out = []
    for kind in ("live", "paper"):
        v1, v2 = q["formats"]["v1"][kind], q["formats"]["v2"][kind]
        out.append(
            (
                f"{kind} code: v1 vs v2 token",
                f"{v1['chars']} vs {v2['chars']} chars; QR version at M {v1['qr_version_m']}"
                f" vs {v2['qr_version_m']}, at Q {v1['qr_version_q']} vs {v2['qr_version_q']}",
                "none",
                "info",
            )
        )
    out.append(
        (
            "holder QR image version (v2, level M)",
            f"{q['qr_version']}  ({q['token_chars']}-char token; paper codes at level"
            f" {q['paper_error_level']})",
            f"<= {q['target']}",
            "PASS" if q["pass"] else "MISS",
        )
    )
    return out
