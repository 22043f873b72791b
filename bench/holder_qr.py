"""Benchmark 3: the live code token a holder shows, as a QR code: its length, its QR version at
error level M (target: at most 10) and, for information, the time to render the PNG."""

from __future__ import annotations

from typing import Any

from bench.stats import median, ms, p90, timed
from bench.world import World
from chalicelib import qr
from chalicelib.domain.clock import utcnow
from chalicelib.security.tokens import issue_code

TARGET = 10


def run(world: World, renders: int = 50) -> dict[str, Any]:
    token, _ = issue_code(world.ctx.code_keys, world.person_id, world.color, utcnow())
    version = qr.version(token)
    header, payload, signature = (len(part) for part in token.split("."))
    qr.render(token, "green", "png")  # warm-up
    render_times = timed(lambda: qr.render(token, "green", "png"), renders)
    return {
        "token_chars": len(token),
        "token_parts_chars": {"header": header, "payload": payload, "signature": signature},
        "qr_version": version,
        "target": TARGET,
        "pass": version <= TARGET,
        "render_png_ms": {"median": ms(median(render_times)), "p90": ms(p90(render_times))},
    }
