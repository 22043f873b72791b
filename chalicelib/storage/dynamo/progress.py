"""Batch jobs' progress in the markers table: `job:<id>` holds the counters, and every piece
of work counted leaves a `piece:<job>:<piece>` marker written in the same transaction, so a
message delivered twice counts once. Both expire (TTL) after JOB_KEEP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from chalicelib.domain.errors import Conflict
from chalicelib.services.ports import JobProgress
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository, get
from chalicelib.storage.dynamo.transactions import Transaction

JOB_KEEP = timedelta(days=30)
COUNTERS = ("total", "done", "recoloured", "failed", "lists_done")


class _Counted(Exception):
    pass


def _ttl(at: datetime) -> int:
    return int((at + JOB_KEEP).timestamp())


class DynamoProgress(Repository):
    def start(self, job_id: str, kind: str, at: datetime, lists: int) -> None:
        meta = json.dumps({"kind": kind, "started_at": at.isoformat()})
        t.MarkerItem(
            f"job:{job_id}",
            target=meta,
            created_at=at,
            total=0,
            done=0,
            recoloured=0,
            failed=0,
            lists=lists,
            lists_done=0,
            ttl=_ttl(at),
        ).save(condition=t.MarkerItem.key.does_not_exist())

    def get(self, job_id: str) -> JobProgress | None:
        item = get(t.MarkerItem, f"job:{job_id}", consistent_read=True)
        if item is None or item.lists is None:
            return None
        meta = json.loads(item.target)
        return JobProgress(
            job_id=job_id,
            kind=meta["kind"],
            started_at=datetime.fromisoformat(meta["started_at"]),
            total=int(item.total or 0),
            done=int(item.done or 0),
            recoloured=int(item.recoloured or 0),
            failed=int(item.failed or 0),
            listed=int(item.lists_done or 0) >= int(item.lists),
        )

    def count(self, job_id: str, piece: str, **amounts: int) -> bool:
        unknown = set(amounts) - set(COUNTERS)
        if unknown:
            raise ValueError(f"no such counter: {sorted(unknown)}")
        M = t.MarkerItem
        now = datetime.now(UTC)
        tx = Transaction()
        tx.put(
            M(f"piece:{job_id}:{piece}", target=job_id, created_at=now, ttl=_ttl(now)),
            condition=M.key.does_not_exist(),
            fails=_Counted,
        )
        actions = [getattr(M, name).add(value) for name, value in amounts.items() if value]
        if actions:
            tx.update(M(f"job:{job_id}"), actions, condition=M.key.exists(), fails=Conflict)
        try:
            tx.commit(self._db.connection(), retries=3)
        except _Counted:
            return False
        return True
