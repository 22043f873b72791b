"""A local SQS endpoint for development and tests: moto's server mode (`moto[server]`, pinned in
requirements-dev.txt), on a free loopback port, stopped with the database.

Standard library only (it runs the `moto_server` script installed next to the interpreter).
docs/decisions/0030-queue.md says why this engine.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import dynamodb_local as ddb

READY_TIMEOUT = 30.0


def moto_server() -> str:
    """The `moto_server` script of this interpreter's environment (the project's venv)."""
    beside = Path(sys.executable).parent / "moto_server"
    found = str(beside) if beside.exists() else shutil.which("moto_server")
    if not found:
        raise FileNotFoundError("moto_server (pip install 'moto[server]'; `make venv` does)")
    return found


class LocalSqs:
    """A running moto server; `stop()` (or leaving the `with` block) ends it."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, workdir: Path) -> None:
        self.process, self.port, self.workdir = process, port, workdir

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = (self.workdir / "moto.log").read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def stop(self) -> None:
        ddb.stop_process_group(self.process)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LocalSqs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(port: int | None = None) -> LocalSqs:
    """Start the endpoint on loopback and wait until it answers."""
    port = port or ddb.free_port()
    workdir = Path(tempfile.mkdtemp(prefix="healthcode-sqs-"))
    with open(workdir / "moto.log", "wb") as log_file:
        process = subprocess.Popen(
            [moto_server(), "-H", "127.0.0.1", "-p", str(port)],
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            **ddb.child_options(),
        )
    sqs = LocalSqs(process, port, workdir)
    try:
        _wait_ready(sqs)
    except BaseException:
        sqs.stop()
        raise
    return sqs


def _wait_ready(sqs: LocalSqs, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if sqs.process.poll() is not None:
            raise RuntimeError(f"moto_server exited ({sqs.process.returncode}):\n{sqs.log_tail()}")
        try:
            with opener.open(f"{sqs.endpoint}/moto-api/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"moto_server not ready after {timeout:.0f} s:\n{sqs.log_tail()}")


def env_for(sqs: LocalSqs) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL_SQS": sqs.endpoint}
