"""The API served locally the way API Gateway serves it: `chalice local`'s server, except for
what matches no route. API Gateway answers a path or a method it does not know with "Missing
Authentication Token" (403), which the packaged template turns into a 404 `not_found` problem
document (infra/api-gateway-responses.yaml); `chalice local` answers its own 403, a 405 from the
app, or, for methods like TRACE, the standard library's 501 page. Here all of them are that 404.

Usage: python tools/local_api.py --stage local --host 127.0.0.1 --port 8000
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from chalice import local
from chalice.cli import validate_routes
from chalice.cli.factory import CLIFactory

ROOT = Path(__file__).resolve().parent.parent
NOT_FOUND = {
    "type": "urn:healthcode:problem:not_found",
    "title": "Not Found",
    "status": 404,
    "detail": "Not found.",
    "code": "not_found",
    "detail_zh": "未找到。",
    "errors": [],
}


class GatewayLikeHandler(local.ChaliceRequestHandler):
    """Chalice's local request handler, answering unknown paths and methods as API Gateway."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # TRACE, CONNECT, PROPFIND, …: no route has them
            return self._not_found
        raise AttributeError(name)

    def _not_found(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({**NOT_FOUND, "request_id": ""}, ensure_ascii=False).encode()
        self._send_http_response(404, {"Content-Type": "application/problem+json"}, body)

    def _send_error_response(self, error: local.LocalGatewayException) -> None:
        if isinstance(error, local.ForbiddenError):  # no route matches the path
            self._not_found()
            return
        super()._send_error_response(error)

    def _send_http_response(self, code: int, headers: Any, body: Any) -> None:
        if code == 405 and b"MethodNotAllowedError" in _bytes(body):  # chalice's, not ours
            code, headers = 404, {"Content-Type": "application/problem+json"}
            body = json.dumps({**NOT_FOUND, "request_id": ""}, ensure_ascii=False).encode()
        super()._send_http_response(code, headers, body)


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    return body if isinstance(body, bytes) else str(body).encode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="local")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    factory = CLIFactory(str(ROOT))
    config = factory.create_config_obj(chalice_stage_name=args.stage)
    app = config.chalice_app
    validate_routes(app.routes)  # what `chalice deploy` would refuse is refused here too
    local.CustomLocalChalice.__bases__ = (local.LocalChalice, app.__class__)
    app.__class__ = local.CustomLocalChalice
    server = local.LocalDevServer(app, config, args.host, args.port, handler_cls=GatewayLikeHandler)
    print(f"Serving on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
