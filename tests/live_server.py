"""The API served over real HTTP by `chalice local`'s server (tools/local_api.py: unknown paths and
methods answer as API Gateway's do), on tables of its own.

For tools that speak HTTP rather than call the app in-process (schemathesis, a generated
client). The server runs in a child process against the test run's DynamoDB Local, with its own
table prefix and data directory, so what those tools write (region risks, records, jobs) never
reaches the tables the other tests share.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ADMIN_PHONE = "13800000000"
READY_TIMEOUT = 60.0

sys.path.insert(0, str(ROOT / "tools"))
import dynamodb_local  # noqa: E402


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    env: dict[str, str]

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """One JSON request; returns (status, parsed body or None)."""
        status, answer, _, _ = self.timed(method, path, body, token)
        return status, answer

    def timed(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """One JSON request: (status, parsed body or None, headers, seconds it took)."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method=method
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw, status, got = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, got = error.read(), error.code, dict(error.headers)
        took = time.monotonic() - started
        return status, json.loads(raw) if raw else None, got, took

    def raw(self, path: str, token: str, accept: str) -> bytes:
        request = urllib.request.Request(
            self.base_url + path, headers={"Authorization": f"Bearer {token}", "Accept": accept}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return bytes(response.read())

    def login(self, phone: str) -> str:
        return otp_login(self.call, phone)


def otp_login(call: Callable[..., tuple[int, Any]], phone: str) -> str:
    """An access token for `phone`, through the stage-local SMS code (`dev_code`)."""
    status, sent = call("POST", "/v1/auth/otp", {"phone": phone})
    assert status == 202, sent
    status, login = call("POST", "/v1/auth/token", {"phone": phone, "code": sent["dev_code"]})
    assert status == 200, login
    return str(login["access_token"])


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "chalicelib.manage", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_until_listening(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chalice local exited with code {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"chalice local did not listen on port {port} in {READY_TIMEOUT:.0f} s")


_CLEAN_UP = "from chalicelib.storage import sqs, tables; tables.delete_all(); sqs.delete_queues()"


@contextmanager
def serve(data_dir: Path) -> Iterator[LiveServer]:
    """Tables with a fresh prefix and an admin (ADMIN_PHONE), then the API on a free port."""
    assert os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"), "needs the test run's DynamoDB Local"
    env = _env(data_dir)
    _manage(env, "create-tables")
    _manage(env, "create-admin", "--phone", ADMIN_PHONE)
    worker = subprocess.Popen(  # the queue's worker, as under `make run`
        [sys.executable, "-m", "chalicelib.manage", "worker"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        **dynamodb_local.child_options(),
    )
    try:
        with _chalice_local(env) as server:
            yield server
    finally:
        dynamodb_local.stop_process_group(worker)
        subprocess.run(
            [sys.executable, "-c", _CLEAN_UP],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
        )


@contextmanager
def serve_against(data_dir: Path, dynamodb_url: str) -> Iterator[LiveServer]:
    """The API on a free port with DynamoDB at `dynamodb_url` (for a failing one: no tables)."""
    with _chalice_local({**_env(data_dir), "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_url}) as server:
        yield server


def _env(data_dir: Path) -> dict[str, str]:
    prefix = f"live{uuid.uuid4().hex[:8]}-"
    return {
        **os.environ,
        "HEALTHCODE_STAGE": "local",
        "HEALTHCODE_TABLE_PREFIX": prefix,
        "HEALTHCODE_TASK_QUEUE": f"{prefix}tasks",  # its own, not the in-process tests' one
        "HEALTHCODE_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
    }


@contextmanager
def _chalice_local(env: dict[str, str]) -> Iterator[LiveServer]:
    port = _free_port()
    options = ["--stage", "local", "--host", HOST, "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "local_api.py"), *options],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **dynamodb_local.child_options(),
    )
    try:
        _wait_until_listening(process, port)
        yield LiveServer(f"http://{HOST}:{port}", env)
    finally:
        dynamodb_local.stop_process_group(process)
