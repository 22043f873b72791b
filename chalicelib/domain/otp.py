"""One-time SMS codes: when one may be sent, and whether an answer is accepted.

Times are Unix seconds. A stored timestamp later than `now` (a clock that jumped back) counts as
long past, so nobody is locked out by a clock correction.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace

from chalicelib.domain.errors import InvalidCode, RateLimited

HOUR = 3600


@dataclass(frozen=True)
class OtpLimits:
    ttl: int
    max_attempts: int
    cooldown: int
    hourly_cap: int


@dataclass(frozen=True)
class OtpState:
    """What is kept per phone number (keyed by its blind index, never the number)."""

    code_hash: str | None
    expires_at: int
    attempts: int
    sent_at: tuple[int, ...]  # sends within the last hour, oldest first


EMPTY = OtpState(code_hash=None, expires_at=0, attempts=0, sent_at=())


def _recent(sent_at: tuple[int, ...], now: int) -> tuple[int, ...]:
    return tuple(t for t in sent_at if now - HOUR < t <= now)


def issue(state: OtpState | None, code_hash: str, now: int, limits: OtpLimits) -> OtpState:
    """A new code replaces any earlier one, unless the number is cooling down or over its cap."""
    recent = _recent((state or EMPTY).sent_at, now)
    if recent and now - recent[-1] < limits.cooldown:
        raise RateLimited(limits.cooldown - (now - recent[-1]))
    if len(recent) >= limits.hourly_cap:
        raise RateLimited(recent[0] + HOUR - now)
    return OtpState(code_hash, now + limits.ttl, 0, recent + (now,))


def check(state: OtpState | None, code_hash: str, now: int, limits: OtpLimits) -> OtpState:
    """Returns the state to store. Raises InvalidCode (with the state to store on `.state`)."""
    if state is None or state.code_hash is None:
        raise _invalid(state)
    if now >= state.expires_at or state.attempts >= limits.max_attempts:
        raise _invalid(replace(state, code_hash=None))
    if not hmac.compare_digest(code_hash, state.code_hash):
        attempts = state.attempts + 1
        dead = attempts >= limits.max_attempts
        raise _invalid(
            replace(state, attempts=attempts, code_hash=None if dead else state.code_hash)
        )
    return replace(state, code_hash=None)  # single use


class RejectedCode(InvalidCode):
    def __init__(self, state: OtpState | None) -> None:
        super().__init__()
        self.state = state


def _invalid(state: OtpState | None) -> RejectedCode:
    return RejectedCode(state)
