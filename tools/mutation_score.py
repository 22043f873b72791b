"""Prints the mutation score of the last `mutmut run` (`make mutate`), per file and overall.

The score is killed / (killed + survived): mutants no unit test reaches ("no tests") are
counted apart, so the score says how well the tests that exist check what they run.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code


def main() -> int:
    metas = sorted(Path("mutants/chalicelib").rglob("*.py.meta"))
    if not metas:
        print("no mutation results: run `make mutate`")
        return 1
    total: Counter[str] = Counter()
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts = Counter(status_by_exit_code[code] for code in codes.values())
        total.update(counts)
        _line(str(meta.relative_to("mutants"))[: -len(".meta")], counts)
    _line("all", total)
    return 0


def _line(name: str, counts: Counter[str]) -> None:
    reached = counts["killed"] + counts["survived"]
    score = f"{100 * counts['killed'] / reached:5.1f}%" if reached else "    -"
    print(
        f"{score}  {counts['killed']:4d} killed {counts['survived']:4d} survived "
        f"{counts['no tests']:4d} without tests {counts['timeout']:3d} timeouts  {name}"
    )


if __name__ == "__main__":
    sys.exit(main())
