"""A clone with nothing beside it is complete: no file names a path outside the repository."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT

# Spelled in pieces so that this file does not match itself.
_OUTSIDE = re.compile("|".join([r"\.\./" + "shared", "/" + "work/", "shared" + r"/API\.md"]))


def _tracked_text_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [name for name in listed.split("\0") if name]


def test_no_tracked_file_refers_to_a_path_outside_the_repository() -> None:
    offenders = []
    for name in _tracked_text_files():
        path = ROOT / name
        if not path.is_file():
            continue  # deleted in the work tree, not yet committed
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        offenders += [
            f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if _OUTSIDE.search(line)
        ]
    assert offenders == []


def test_the_contract_the_openapi_test_reads_is_in_the_repository() -> None:
    from tests.unit import test_openapi

    assert test_openapi.API_MD.is_relative_to(ROOT)
    assert test_openapi.API_MD.is_file()
