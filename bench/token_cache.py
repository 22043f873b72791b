"""The verify route's work with and without the per-process cache of verified access tokens:
`authenticate` (the checker's access token, then the checker role read from the account) and
the verify service, as a checkpoint calls it many times with one token. Interleaved rounds,
medians of per-call times; the cache is switched by its size (0: every call verifies the
signature)."""

from __future__ import annotations

import os
from typing import Any

from bench.stats import median, ms, timed
from bench.verify_floor import LiveToken
from bench.world import PLACE, World
from chalicelib.domain.clock import utcnow
from chalicelib.security.tokens import ACCESS_CACHE, issue_access, verify_access
from chalicelib.services.auth import authenticate
from chalicelib.services.verify import verify

SIZE = "HEALTHCODE_ACCESS_TOKEN_CACHE_SIZE"


def run(world: World, *, rounds: int = 10, per_round: int = 30) -> dict[str, Any]:
    ctx, checker = world.ctx, world.checker
    now = utcnow()
    access, _ = issue_access(
        ctx.access_keys, checker.account_id, checker.roles, checker.place_id, now
    )
    live = LiveToken(world)
    saved = os.environ.get(SIZE)

    def route(size: str) -> Any:
        def call() -> None:
            os.environ[SIZE] = size
            at = utcnow()
            actor = authenticate(ctx, access, at)
            assert verify(ctx, actor, live.at(at), PLACE, at)["pass"] is True

        return call

    def token_only(size: str) -> Any:
        def call() -> None:
            os.environ[SIZE] = size
            verify_access(ctx.access_keys, access, utcnow())

        return call

    try:
        cached, uncached = route("10000"), route("0")
        timed(cached, per_round)
        timed(uncached, per_round)
        times: dict[str, list[float]] = {"cached": [], "uncached": [], "t_cached": [], "t_un": []}
        for round_ in range(rounds):
            order = [("cached", cached), ("uncached", uncached)]
            for name, call in order if round_ % 2 == 0 else order[::-1]:
                times[name].extend(timed(call, per_round))
            times["t_cached"].extend(timed(token_only("10000"), per_round))
            times["t_un"].extend(timed(token_only("0"), per_round))
    finally:
        ACCESS_CACHE.clear()
        if saved is None:
            os.environ.pop(SIZE, None)
        else:
            os.environ[SIZE] = saved
    with_cache, without = median(times["cached"]), median(times["uncached"])
    return {
        "calls": len(times["cached"]),
        "route_ms": {"cached": ms(with_cache), "uncached": ms(without)},
        "ratio": round(with_cache / without, 3),
        "token_us": {
            "cached": round(median(times["t_cached"]) * 1e6, 1),
            "uncached": round(median(times["t_un"]) * 1e6, 1),
        },
    }


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    c = results.get("token_cache")
    if not c:
        return []
    return [
        (
            "verify route: cached vs uncached access token",
            f"{c['ratio']:.2f}x  ({c['route_ms']['cached']:.2f} / {c['route_ms']['uncached']:.2f}"
            f" ms median; the token check alone {c['token_us']['cached']:.0f} /"
            f" {c['token_us']['uncached']:.0f} us)",
            "none",
            "info",
        )
    ]
