"""Hottest partition keys at the peak, drawn from the code's own key functions (no database).

One simulated second of 100,000 verifies and 50,000 check-ins: every item and index entry each
of them writes is built with the functions the store uses (`scan_item`, `report_item`,
`checkin_day_shard`, `review_key`, the report counter's key; ids made as the services make
them), with the shard counts of the deployed stages (config, stage prod), and counted per
partition key of every table and index it touches. A key written more than 1,000 times in the
second is throttled by DynamoDB (1,000 write units per second per partition key; every item here
is under 1 KB, so one write is one unit).

What each request writes (chalicelib/services/verify.py, checkins.py, reports.py, assessment.py):
- verify: the scan (`scans`, key `<day>#<shard of the scan id>`) and its `by_person` entry (our
  codes only: key the person); a yellow or red scan (the first of its person, kind and place in
  the hour) also the hour's counter (`markers`) and a report (`reports`, key the place's region;
  its `by_day` entry `<day>#<shard of the report id>`).
- check-in: the check-in (`checkins`, key the person) and its `by_day` entry (`<day>#<shard of
  the person id>`); when the colour or review day changes, the person (`persons`) with its
  `by_due` entry (`<review day>#<shard of the person id>`) and a history entry. The simulation
  takes the worst case for `by_due`: every check-in moves its person onto the same review day.

Assumptions (arguments): the share of verifies that are yellow or red (reported), how scans
spread over regions (the busiest region's share, the others equal, over Shandong's county-level
regions in force), and the share of scans at places nobody registered, whose reports go to the
province's code.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Scan
from chalicelib.domain.model import Color
from chalicelib.domain.places import Report, ReportKind
from chalicelib.security.fields import new_person_id
from chalicelib.services.reports import counter_key, new_id
from chalicelib.services.verify import new_scan_id
from chalicelib.storage.dynamo.checkins import checkin_day_shard
from chalicelib.storage.dynamo.persons import review_key
from chalicelib.storage.dynamo.scans import report_item, scan_item
from chalicelib.validation import InvalidValue, check_region_code

TARGET = 1000  # writes per second per partition key
AT = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai: the morning peak


def shandong_regions() -> list[str]:
    """Shandong's county-level codes in force (python-stdnum's GB/T 2260 data)."""
    found = []
    for city in range(1, 18):
        for county in range(2, 100):
            code = f"37{city:02d}{county:02d}"
            try:
                found.append(check_region_code(code))
            except InvalidValue:
                continue
    return found


@contextmanager
def deployed_counts(shards: int | None) -> Iterator[None]:
    """Stage prod's shard counts (or `shards` for every kind), restored afterwards."""
    names = ["HEALTHCODE_STAGE", *(f"HEALTHCODE_{k.upper()}_SHARDS" for k in config.SHARD_DEFAULTS)]
    saved = {name: os.environ.get(name) for name in names}
    os.environ["HEALTHCODE_STAGE"] = "prod"
    for kind in config.SHARD_DEFAULTS:
        name = f"HEALTHCODE_{kind.upper()}_SHARDS"
        if shards is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = str(shards)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Tally:
    def __init__(self) -> None:
        self.keys: dict[str, Counter[str]] = {}

    def write(self, where: str, key: str) -> None:
        self.keys.setdefault(where, Counter())[key] += 1

    def summary(self, seconds: float) -> dict[str, dict[str, Any]]:
        out = {}
        for where, counts in self.keys.items():
            key, hottest = counts.most_common(1)[0]
            out[where] = {
                "writes": sum(counts.values()),
                "keys": len(counts),
                "hottest_per_second": round(hottest / seconds),
                "hottest_key": key if "#" in key or key.isdigit() else "(one id)",
                "pass": hottest / seconds <= TARGET,
            }
        return out


def _verifies(tally: Tally, count: int, rng: random.Random, a: dict[str, Any]) -> None:
    regions: list[str] = a["regions"]
    busiest, others = regions[0], regions[1:]
    for n in range(count):
        at = AT + timedelta(microseconds=n * 1_000_000 // max(count, 1))
        reported = rng.random() < a["reported_share"]
        color = rng.choice((Color.YELLOW, Color.RED)) if reported else Color.GREEN
        person_id = new_person_id()
        place_id = new_id()
        scan = Scan(
            new_scan_id(), at, "checker", place_id, True, not reported, color, None, person_id
        )
        item = scan_item(scan)
        tally.write("scans", item.day_shard)
        tally.write("scans.by_person", person_id)
        if not reported:
            continue
        tally.write(
            "markers (report counters)", counter_key(ReportKind.SCAN, person_id, place_id, at)
        )
        if rng.random() < a["unregistered_share"]:
            region = config.province_code()
        elif rng.random() < a["busiest_region_share"]:
            region = busiest
        else:
            region = rng.choice(others)
        report = Report(new_id(), at, ReportKind.SCAN, region, place_id, color, person_id)
        stored = report_item(report)
        tally.write("reports", stored.region_code)
        tally.write("reports.by_day", stored.day_shard)


def _checkins(tally: Tally, count: int) -> None:
    today = shanghai_date(AT)
    review = today + timedelta(days=15)  # worst case: everyone onto one review day
    for _ in range(count):
        person_id = new_person_id()
        tally.write("checkins", person_id)
        tally.write("checkins.by_day", checkin_day_shard(person_id, today))
        tally.write("persons", person_id)
        tally.write("persons.by_due", review_key(person_id, review) or "")
        tally.write("history", person_id)


def simulate(
    verifies: int, checkins: int, shards: int | None, seed: int, assumptions: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    tally = Tally()
    with deployed_counts(shards):
        rng = random.Random(seed)
        _verifies(tally, verifies, rng, assumptions)
        _checkins(tally, checkins)
        counts = {kind: config.shards(kind) for kind in config.SHARD_DEFAULTS}
    result = tally.summary(1.0)
    result["_counts"] = counts
    return result


def run(
    verifies: int = 100_000,
    checkins: int = 50_000,
    *,
    reported_share: float = 0.10,
    busiest_region_share: float = 0.02,
    unregistered_share: float = 0.01,
    seed: int = 13,
) -> dict[str, Any]:
    regions = shandong_regions()
    assumptions = {
        "regions": regions,
        "reported_share": reported_share,
        "busiest_region_share": busiest_region_share,
        "unregistered_share": unregistered_share,
    }
    now = simulate(verifies, checkins, None, seed, assumptions)
    before = simulate(verifies, checkins, 8, seed, assumptions)
    counts = now.pop("_counts")
    before.pop("_counts")
    return {
        "verifies_per_second": verifies,
        "checkins_per_second": checkins,
        "target": TARGET,
        "shards": counts,
        "assumptions": {k: v for k, v in assumptions.items() if k != "regions"}
        | {"regions": len(regions)},
        "tables": now,
        "with_8_shards": {
            where: figures["hottest_per_second"] for where, figures in before.items()
        },
        "pass": all(figures["pass"] for figures in now.values()),
    }


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    p = results.get("partitions")
    if not p:
        return []
    out = []
    for where, figures in p["tables"].items():
        before = p["with_8_shards"][where]
        was = f"; {before:,}/s with 8 shards" if before != figures["hottest_per_second"] else ""
        out.append(
            (
                f"hottest key/s: {where}",
                f"{figures['hottest_per_second']:,}/s  ({figures['writes']:,} writes over"
                f" {figures['keys']:,} keys{was})",
                f"<= {p['target']:,}",
                "PASS" if figures["pass"] else "FAIL",
            )
        )
    return out


def notes(results: dict[str, Any]) -> list[str]:
    p = results.get("partitions")
    if not p:
        return []
    a = p["assumptions"]
    return [
        f"partitions: one simulated second of {p['verifies_per_second']:,} verifies and"
        f" {p['checkins_per_second']:,} check-ins through the store's key functions, shards of"
        f" stage prod ({', '.join(f'{k} {v}' for k, v in p['shards'].items())});"
        f" {a['reported_share']:.0%} of scans yellow or red, the busiest of {a['regions']}"
        f" regions {a['busiest_region_share']:.0%} of scans, {a['unregistered_share']:.0%} at"
        " unregistered places (reported under the province); every check-in moves its person"
        " onto one review day (worst case for persons.by_due)",
    ]


def markdown(results: dict[str, Any]) -> str:
    """The table docs/capacity.md shows."""
    p = results["partitions"]
    lines = [
        "| table or index | partition key | writes in 1 s | keys | hottest key/s | with 8 shards |"
        " target | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    key_of = {
        "scans": "`<day>#<shard of scan id>`",
        "scans.by_person": "person id",
        "markers (report counters)": "person, place, hour",
        "reports": "region code",
        "reports.by_day": "`<day>#<shard of report id>`",
        "checkins": "person id",
        "checkins.by_day": "`<day>#<shard of person id>`",
        "persons": "person id",
        "persons.by_due": "`<review day>#<shard of person id>`",
        "history": "person id",
    }
    for where, f in p["tables"].items():
        lines.append(
            f"| {where} | {key_of.get(where, '')} | {f['writes']:,} | {f['keys']:,} |"
            f" **{f['hottest_per_second']:,}** | {p['with_8_shards'][where]:,} |"
            f" ≤ {p['target']:,} | {'PASS' if f['pass'] else 'FAIL'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    figures = {"partitions": run()}
    print(markdown(figures))
    print()
    print("\n".join(notes(figures)))
