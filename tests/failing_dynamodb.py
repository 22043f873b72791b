"""A DynamoDB endpoint that fails the way the real one can: throttling, its own 500s, accepting
connections and never answering, or nothing listening at all. A real HTTP server the app's real
botocore clients talk to, not a mock of boto3."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

THROTTLED = "throttled"
SERVER_ERROR = "server_error"
SILENT = "silent"
MODES = (THROTTLED, SERVER_ERROR, SILENT)
_ERRORS = {
    THROTTLED: (400, "ProvisionedThroughputExceededException"),
    SERVER_ERROR: (500, "InternalServerError"),
}


@dataclass
class FailingDynamo:
    url: str
    mode: str = THROTTLED
    requests: list[str] = field(default_factory=list)  # the X-Amz-Target of each request


@contextmanager
def failing_dynamodb() -> Iterator[FailingDynamo]:
    fake = FailingDynamo("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fake.requests.append(self.headers.get("X-Amz-Target", ""))
            if fake.mode == SILENT:
                time.sleep(20)  # longer than any read timeout of the app
                return
            status, code = _ERRORS[fake.mode]
            body = json.dumps(
                {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code}
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """An address where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"
