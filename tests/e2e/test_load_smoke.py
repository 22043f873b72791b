"""`make load` in small: the same tool (tools/loadtest.py) for a few seconds against a server of
its own on loopback, with zero errors and nothing lost. Run in a child process: locust patches
the standard library with gevent when imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

TOOL = ROOT / "tools" / "loadtest.py"


def _load(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *options],
        cwd=ROOT,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_a_short_load_run_has_zero_errors_and_loses_no_accepted_write(
    dynamodb_endpoint: str, tmp_path: Path
) -> None:
    report = tmp_path / "load.json"
    small = ["--users", "3", "--checkers", "2", "--holders", "4"]
    done = _load("--run-time", "2", "--max-requests", "150", *small, "--report", str(report))

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = json.loads(report.read_text())
    assert figures["errors"] == 0
    assert figures["missing"] == {"scans": 0, "checkins": 0, "logins": 0}
    assert figures["accepted"]["scans"] > 0 and figures["accepted"]["checkins"] > 0
    assert figures["requests"] <= 150 + 3  # the cap, plus what each user had under way
    assert set(figures["kinds"]) == {"verify", "code", "checkin", "login:otp", "login:token"}


def test_the_load_tool_refuses_a_host_that_is_not_loopback(dynamodb_endpoint: str) -> None:
    done = _load("--host", "10.0.0.8", "--run-time", "1")

    assert done.returncode != 0
    assert "refusing" in done.stderr and "loopback" in done.stderr
