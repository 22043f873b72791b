"""Answers kept per account and Idempotency-Key; the body encrypted at rest."""

from __future__ import annotations

from datetime import datetime

from pynamodb.expressions.update import Action

from chalicelib.domain.entities import KeptAnswer
from chalicelib.security.fields import decrypt, encrypt
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository, get, held

Kept = t.IdempotencyItem


def _context(slot: str) -> str:
    return f"idempotency:{slot}"


class DynamoIdempotency(Repository):
    def reserve(self, slot: str, fingerprint: str, now: datetime, expires_at: datetime) -> bool:
        item = Kept(slot, fingerprint=fingerprint, expires_at=expires_at, ttl=expires_at)
        free = Kept.slot.does_not_exist() | (Kept.expires_at <= now)
        return held(lambda: item.save(condition=free))

    def get(self, slot: str, now: datetime) -> KeptAnswer | None:
        item = get(Kept, slot, consistent_read=True)
        if item is None or item.expires_at <= now:
            return None
        body = decrypt(item.body_enc, _context(slot)) if item.body_enc else None
        status = int(item.status) if item.status is not None else None
        return KeptAnswer(item.fingerprint, status, item.content_type, body)

    def complete(self, slot: str, status: int, content_type: str, body: str) -> None:
        actions: list[Action] = [
            Kept.status.set(status),
            Kept.content_type.set(content_type),
            Kept.body_enc.set(encrypt(body, _context(slot))),
        ]
        Kept(slot).update(actions=actions, condition=Kept.slot.exists())

    def release(self, slot: str) -> None:
        Kept(slot).delete()
