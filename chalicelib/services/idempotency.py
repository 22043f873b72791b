"""Retries are safe (Idempotency-Key): phones on a bad network send a request again, and a retry
by the same account with the same key and body within 24 hours gets the first answer (status and
body) again instead of running twice (an application retried after its first attempt succeeded
was 409 already_applied). The same key with another body is 422 idempotency_key_reused; while
the first is still running, 409 in_progress. Only 2xx answers are kept: a refusal or a failure
runs again on retry. Kept answers are encrypted at rest like other personal data."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import IdempotencyKeyReused, InProgress, InvalidInput
from chalicelib.services.context import Context

KEY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
KEEP = timedelta(hours=24)
MAX_KEPT = 256 * 1024  # characters of a kept body: larger answers (documents) run again


@dataclass(frozen=True)
class Claim:
    slot: str
    replay: tuple[int, str, str] | None = None  # status, content type, body


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(method: str, path: str, body: bytes) -> str:
    return _sha256(method.encode() + b"\n" + path.encode() + b"\n" + body)


def claim(ctx: Context, account_id: str, key: str, print_: str, now: datetime) -> Claim:
    """The slot for this account and key: free (run the request), or the first answer to
    replay. Raises 400 invalid_idempotency_key, 422 idempotency_key_reused or 409 in_progress."""
    if not KEY.match(key):
        raise InvalidInput(
            "Idempotency-Key must be 1 to 128 letters, digits or . _ : -.",
            "Idempotency-Key 须为 1 至 128 个字母、数字或 . _ : -。",
            code="invalid_idempotency_key",
        )
    slot = f"{account_id}:{_sha256(key.encode())}"
    for _ in range(3):
        if ctx.store.idempotency.reserve(slot, print_, now, now + KEEP):
            return Claim(slot)
        kept = ctx.store.idempotency.get(slot, now)
        if kept is None:
            continue  # it expired or was released meanwhile: take it
        if kept.fingerprint != print_:
            raise IdempotencyKeyReused()
        if kept.status is None or kept.body is None or kept.content_type is None:
            raise InProgress()
        return Claim(slot, (kept.status, kept.content_type, kept.body))
    raise InProgress()


def complete(ctx: Context, claim_: Claim, status: int, content_type: str, body: str) -> None:
    if len(body) > MAX_KEPT:
        release(ctx, claim_)
        return
    ctx.store.idempotency.complete(claim_.slot, status, content_type, body)


def release(ctx: Context, claim_: Claim) -> None:
    ctx.store.idempotency.release(claim_.slot)
