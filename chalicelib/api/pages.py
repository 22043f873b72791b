"""The phone pages (web/, `make web`): holder /app, checker /app/scan, console /app/console.

Plain files with a strict Content-Security-Policy: scripts and styles from this origin only, no
inline script, nothing from another host, no framing. Not part of the API contract (they are not
in /openapi.json). Vite names its assets by content hash, so they are cached for a year; the
pages themselves are revalidated on every load.
"""

from __future__ import annotations

import re
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib import config
from chalicelib.api.problems import problem

bp = Blueprint(__name__)

PAGE_PATHS = ("/app", "/app/scan", "/app/console", "/app/assets/{name}", "/app/sw.js")

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",  # the camera's QR decoder is WebAssembly
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".png": "image/png",
    ".woff2": "font/woff2",
}
TEXT_SUFFIXES = (".html", ".js", ".css", ".svg", ".json")
BINARY_TYPES = [TYPES[".wasm"], TYPES[".woff2"]]  # PNG is one of the API's already
ASSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def _page(name: str) -> Response:
    return _file(config.static_dir() / name, "no-cache")


@bp.route("/app", methods=["GET"])
def holder() -> Response:
    return _page("index.html")


@bp.route("/app/scan", methods=["GET"])
def checker() -> Response:
    return _page("scan.html")


@bp.route("/app/console", methods=["GET"])
def console() -> Response:
    return _page("console.html")


@bp.route("/app/sw.js", methods=["GET"])
def service_worker() -> Response:
    """The checker page's service worker (web/src/scan/sw.js): at /app/, so that it may control
    /app/scan; revalidated on every load like the pages, its cache named by the build."""
    return _page("sw.js")


@bp.route("/app/assets/{name}", methods=["GET"])
def asset(name: str) -> Response:
    if not ASSET_NAME.fullmatch(name) or Path(name).suffix not in TYPES:
        return _not_found()
    return _file(config.static_dir() / "assets" / name, "public, max-age=31536000, immutable")


def _file(path: Path, cache: str) -> Response:
    body = _read(str(path))
    if body is None:
        return _not_found()
    headers: dict[str, str | list[str]] = {
        "Content-Type": TYPES[path.suffix],
        "Cache-Control": cache,
        **SECURITY_HEADERS,
    }
    text = path.suffix in TEXT_SUFFIXES
    return Response(body=body.decode() if text else body, status_code=200, headers=headers)


_FILES: dict[str, bytes] = {}  # assets, named by their content: read once per process


def _read(path: str) -> bytes | None:
    """Assets are kept in memory; pages are read on every request, so a page built again under
    `make run` is served at once with the new assets it names."""
    if path in _FILES:
        return _FILES[path]
    try:
        body = Path(path).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None
    if Path(path).parent.name == "assets":
        _FILES[path] = body
    return body


def _not_found() -> Response:
    response = problem(
        404,
        "not_found",
        "Not found. If the pages are missing, build them with `make web`.",
        "未找到。若页面缺失，请先运行 `make web` 构建。",
        "",
    )
    response.headers.update(SECURITY_HEADERS)
    return response
