"""Batch jobs' progress in the markers table: `job:<id>` holds what the job is and how many
enumerations it waits for; its counters are spread over PARTS items `jobpart:<id>:<n>` (summed
when read), and every piece of work counted leaves a `piece:<job>:<piece>` marker written in the
same transaction as its counts, so a message delivered twice counts once. All expire (TTL)
after JOB_KEEP."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta

from chalicelib.services.ports import JobProgress
from chalicelib.storage import tables as t
from chalicelib.storage.dynamo.common import Repository, get
from chalicelib.storage.dynamo.transactions import Transaction

JOB_KEEP = timedelta(days=30)
PARTS = 16  # counter items per job
RETRIES = 8  # a transaction another one held is tried again (20 ms, 40 ms, ...)
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
        sums = dict.fromkeys(COUNTERS, 0)
        keys = [_part(job_id, n) for n in range(PARTS)]
        for part in t.MarkerItem.batch_get(keys, consistent_read=True):
            for name in COUNTERS:
                sums[name] += int(getattr(part, name) or 0)
        return JobProgress(
            job_id=job_id,
            kind=meta["kind"],
            started_at=datetime.fromisoformat(meta["started_at"]),
            total=sums["total"],
            done=sums["done"],
            recoloured=sums["recoloured"],
            failed=sums["failed"],
            listed=sums["lists_done"] >= int(item.lists),
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
            # One of PARTS counter items, by the piece: parallel workers' transactions rarely
            # meet on one item (DynamoDB cancels concurrent transactions on the same item).
            part = M(_part(job_id, zlib.crc32(piece.encode()) % PARTS))
            actions += [
                M.target.set(M.target | job_id),
                M.created_at.set(M.created_at | now),
                M.ttl.set(_ttl(now)),
            ]
            tx.update(part, actions)
        try:
            tx.commit(self._db.connection(), retries=RETRIES)
        except _Counted:
            return False
        return True


def _part(job_id: str, n: int) -> str:
    return f"jobpart:{job_id}:{n}"
