"""Batch work on the task queue (docs/decisions/0030-queue.md).

Work that grows with a province is cut into messages and done by queue workers (the Chalice SQS
handler in AWS, `manage worker` locally), each message within a time budget, handing on the rest
in a continuation message:

- `region`: lists a region's declared visitors a page at a time; each page goes out as a
  `reassess` message (a region change must reach hundreds of thousands of visitors quickly, so it
  fans out as wide as the workers allow);
- `segment`: one parallel scan segment of a full pass over every person (`recompare`, a new
  policy version), re-evaluated page by page;
- `reassess`: re-evaluates a page of persons (a region's visitors, an import's persons that did
  not fit the request's budget);
- `due`: the persons of one partition of a day's review index, when the hourly `expire` run
  cannot finish the day in its budget (a region that turned high-risk 14 days ago);
- `purge`: one partition (kind, day, shard) past retention, when the hourly `purge` run cannot
  finish (millions of scans a day).

Delivery is at least once. Re-evaluating is idempotent (`assessment.reassess` writes only a
changed code, conditionally on the version it read) and every page is counted once in the job's
progress (`Progress.count` with the page's piece id), so a message delivered twice changes
nothing twice and counts nothing twice.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.clock import shanghai_date, utcnow
from chalicelib.domain.errors import NotFound, Unavailable
from chalicelib.domain.history import ActorKind, Cause
from chalicelib.services.assessment import reassess
from chalicelib.services.context import Context

PAGE = 100  # persons per message and per page read: ~4 KB a message, well under SQS's 256 KB
SAFETY_MS = 10_000  # of the worker's 28 s: a page of the longest task, and the answer
LIST_PAGE = 1000  # a region's visitors per query: 10 messages, one SendMessageBatch
log = logging.getLogger("healthcode.tasks")


@dataclass
class Tally:
    """What one page of re-evaluations did."""

    done: int = 0
    recoloured: int = 0
    failed: int = 0

    def add(self, other: Tally) -> None:
        self.done += other.done
        self.recoloured += other.recoloured
        self.failed += other.failed


def _cause(raw: Sequence[Any]) -> Cause:
    kind, actor, what = raw
    return Cause(ActorKind(kind), actor, what)


def _raw(cause: Cause) -> list[Any]:
    return [cause.actor_kind.value, cause.actor, cause.source]


def reassess_page(ctx: Context, person_ids: Iterable[str], cause: Cause, now: datetime) -> Tally:
    """Re-evaluates each person, several at a time (the calls mostly wait on the database); one
    failing person does not stop the others (a later pass retries them), but an unavailable
    database fails the page (the message is delivered again)."""

    def one(person_id: str) -> str:
        try:
            return "recoloured" if reassess(ctx.store, person_id, cause, now).changed else "same"
        except NotFound:
            return "same"  # deleted meanwhile: nothing to re-evaluate
        except Unavailable:
            raise
        except Exception as error:
            log.warning("task: re-evaluation failed (%s)", type(error).__name__)
            return "failed"

    ids = list(person_ids)
    with ThreadPoolExecutor(max_workers=config.task_threads()) as pool:
        # Each in a copy of the caller's context: a request's deadline applies in the threads.
        futures = [pool.submit(contextvars.copy_context().run, one, pid) for pid in ids]
        outcomes = [future.result() for future in futures]
    return Tally(len(ids), outcomes.count("recoloured"), outcomes.count("failed"))


def _count(ctx: Context, job_id: str, piece: str, tally: Tally, **more: int) -> None:
    ctx.store.progress.count(job_id, piece, **asdict(tally), **more)


def send(ctx: Context, messages: Sequence[dict[str, Any]]) -> None:
    if messages:
        ctx.queue.send([json.dumps(message, separators=(",", ":")) for message in messages])


def make_job_id(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(6)}"


def new_job(ctx: Context, kind: str, now: datetime, lists: int, job_id: str | None = None) -> str:
    job = job_id or make_job_id(kind)
    ctx.store.progress.start(job, kind, now, lists)
    return job


# --- region changes ---------------------------------------------------------------------------


@dataclass
class Listing:
    """A region's visitors, listed from `cursor` on (page `page`)."""

    job: str
    code: str
    cause: Cause
    cursor: str | None = None
    page: int = 0
    inline: Tally = field(default_factory=Tally)  # re-evaluated right here (the request)
    queued: int = 0

    def message(self) -> dict[str, Any]:
        return {
            "task": "region",
            "job": self.job,
            "code": self.code,
            "cause": _raw(self.cause),
            "cursor": self.cursor,
            "page": self.page,
        }


def list_region(
    ctx: Context,
    listing: Listing,
    now: datetime,
    out_of_time: Callable[[], bool],
    inline_persons: int = 0,
) -> Listing:
    """Lists visitors a page at a time: the first `inline_persons` are re-evaluated here, the
    others queued a page per message. Out of time, the rest goes on in a continuation message."""
    today = shanghai_date(now)
    while True:
        if _list_page(ctx, listing, today, now, inline_persons):
            ctx.store.progress.count(listing.job, "listed", lists_done=1)
            return listing
        if out_of_time():
            send(ctx, [listing.message()])
            return listing


def piece_of(ids: Sequence[str]) -> str:
    """A page's piece id, named by its persons: the same page counts once however often it is
    listed, and a page listed differently (new visitors meanwhile) counts as the other page it
    is, in `total` and in `done` alike."""
    return "c" + hashlib.sha256(",".join(sorted(ids)).encode()).hexdigest()[:24]


def _list_page(
    ctx: Context, listing: Listing, today: date, now: datetime, inline_persons: int
) -> bool:
    """One page of visitors: re-evaluated here while `inline_persons` allows, else queued (sent
    first, counted as expected after: a retry sends them again, and they count once). True
    after the last page."""
    ids, after = ctx.store.epidemic.visitors(listing.code, today, listing.cursor, LIST_PAGE)
    chunks = [ids[i : i + PAGE] for i in range(0, len(ids), PAGE)]
    queued: list[list[str]] = []
    for chunk in chunks:
        if not queued and listing.inline.done + len(chunk) <= inline_persons:
            tally = reassess_page(ctx, chunk, listing.cause, now)
            listing.inline.add(tally)
            _count(ctx, listing.job, piece_of(chunk), tally, total=len(chunk))
        else:
            queued.append(chunk)
    send(ctx, [_reassess_message(listing.job, piece_of(c), c, listing.cause) for c in queued])
    for chunk in queued:
        ctx.store.progress.count(listing.job, "expect-" + piece_of(chunk), total=len(chunk))
        listing.queued += len(chunk)
    listing.cursor, listing.page = after, listing.page + 1
    return after is None


def _reassess_message(job: str, piece: str, ids: list[str], cause: Cause) -> dict[str, Any]:
    return {"task": "reassess", "job": job, "piece": piece, "persons": ids, "cause": _raw(cause)}


def queue_persons(
    ctx: Context, kind: str, person_ids: Sequence[str], cause: Cause, now: datetime
) -> str | None:
    """A job re-evaluating `person_ids` on the queue (an import's persons that did not fit its
    budget); None when there are none."""
    if not person_ids:
        return None
    job = new_job(ctx, kind, now, lists=1)
    pages = [list(person_ids[i : i + PAGE]) for i in range(0, len(person_ids), PAGE)]
    send(ctx, [_reassess_message(job, piece_of(page), page, cause) for page in pages])
    ctx.store.progress.count(job, "listed", total=len(person_ids), lists_done=1)
    return job


# --- full passes (recompare, a new policy version) -------------------------------------------

PASS_CAUSE = Cause(ActorKind.SYSTEM, None, "recompare")


def start_pass(
    ctx: Context, now: datetime, segments: int | None = None, job: str | None = None
) -> str:
    """A re-evaluation of every person: one queued task per parallel scan segment."""
    segments = segments or config.recompare_segments()
    job = new_job(ctx, "recompare", now, lists=segments, job_id=job)
    send(
        ctx,
        [
            {"task": "segment", "job": job, "segment": s, "segments": segments, "page": 0}
            for s in range(segments)
        ],
    )
    return job


def run_segment(
    ctx: Context, message: dict[str, Any], now: datetime, out_of_time: Callable[[], bool]
) -> None:
    segment, segments = message["segment"], message["segments"]

    def step(cursor: Any) -> tuple[dict[str, int], Any]:
        ids, after = ctx.store.persons.ids(segment, segments, cursor, PAGE)
        return _amounts(reassess_page(ctx, ids, PASS_CAUSE, now)), after

    _enumerate(ctx, message, f"s{segment}", step, out_of_time)


def _amounts(tally: Tally) -> dict[str, int]:
    """A page's counts: listed and done at once (one piece)."""
    return {"total": tally.done, **asdict(tally)}


def _enumerate(
    ctx: Context,
    message: dict[str, Any],
    piece: str,
    step: Callable[[Any], tuple[dict[str, int], Any]],
    out_of_time: Callable[[], bool],
    cursor_key: str = "cursor",
) -> None:
    """Does one enumeration (a scan segment, a partition) a page at a time from the message's
    cursor, each page counted once (`<piece>p<page>`), the end once; out of time, hands the rest
    on in a continuation message."""
    job, page, cursor = message["job"], message["page"], message.get(cursor_key)
    while True:
        amounts, cursor = step(cursor)
        ctx.store.progress.count(job, f"{piece}p{page}", **amounts)
        page += 1
        if cursor is None:
            ctx.store.progress.count(job, f"{piece}end", lists_done=1)
            return
        if out_of_time():
            send(ctx, [{**message, cursor_key: cursor, "page": page}])
            return


# --- persons due on a day (the expire job's busy days) ----------------------------------------

EXPIRY_CAUSE = Cause(ActorKind.SYSTEM, None, "expiry")


def due_message(job: str, partition: str) -> dict[str, Any]:
    return {"task": "due", "job": job, "partition": partition, "page": 0}


def run_due(
    ctx: Context, message: dict[str, Any], now: datetime, out_of_time: Callable[[], bool]
) -> None:
    partition = message["partition"]

    def step(cursor: Any) -> tuple[dict[str, int], Any]:
        persons, after = ctx.store.persons.due_page(partition, cursor, PAGE)
        ids = [person.person_id for person in persons]
        return _amounts(reassess_page(ctx, ids, EXPIRY_CAUSE, now)), after

    _enumerate(ctx, message, partition, step, out_of_time)


# --- purge (a busy day's scans) ----------------------------------------------------------------

PURGE_PAGE = 200


def purge_message(kind: str, day: date, shard: int, after: Any = None) -> dict[str, Any]:
    return {
        "task": "purge",
        "kind": kind,
        "day": day.isoformat(),
        "shard": shard,
        "after": after,
        "page": 0,
    }


def run_purge(
    ctx: Context, message: dict[str, Any], now: datetime, out_of_time: Callable[[], bool]
) -> None:
    from chalicelib.services.purge import KINDS

    kind, shard = message["kind"], message["shard"]
    day = date.fromisoformat(message["day"])
    delete_page = KINDS[kind].pages(ctx.store)

    def step(cursor: Any) -> tuple[dict[str, int], Any]:
        removed, after = delete_page(day, shard, cursor, PURGE_PAGE)
        return {"total": removed, "done": removed}, after

    piece = f"{kind}:{message['day']}#{shard}"
    _enumerate(ctx, message, piece, step, out_of_time, cursor_key="after")


# --- many partitions: the messages of a hand-off, sent by the workers themselves -------------

FANOUT_BATCH = 100  # partition messages sent per step (10 SendMessageBatch calls)


def partitions_message(
    job: str,
    what: str,
    first_day: date,
    last_day: date,
    shards: int,
    first_shard: int = 0,
    first_after: Any = None,
) -> dict[str, Any]:
    """One message standing for a task per (day, shard) from (first_day, first_shard) through
    last_day: `what` is a purge kind (`purge:<kind>`) or `due` (expire's review days). The
    worker that gets it sends the partitions' messages a hundred at a time, within its budget,
    and hands on the rest; the hourly run that hands off only sends this one."""
    return {
        "task": "partitions",
        "job": job,
        "what": what,
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "shards": shards,
        "first_shard": first_shard,
        "first_after": first_after,
        "pos": 0,
    }


def partitions_count(message: dict[str, Any]) -> int:
    days = (date.fromisoformat(message["last_day"]) - date.fromisoformat(message["first_day"])).days
    return (days + 1) * message["shards"] - message["first_shard"]


def _partition(ctx: Context, message: dict[str, Any], pos: int) -> dict[str, Any]:
    n = message["first_shard"] + pos
    day = date.fromisoformat(message["first_day"]) + timedelta(days=n // message["shards"])
    shard, after = n % message["shards"], message["first_after"] if pos == 0 else None
    what = message["what"]
    if what == "due":
        return due_message(message["job"], ctx.store.persons.due_partitions(day)[shard])
    return {**purge_message(what.removeprefix("purge:"), day, shard, after), "job": message["job"]}


def run_partitions(
    ctx: Context, message: dict[str, Any], now: datetime, out_of_time: Callable[[], bool]
) -> None:
    total, pos = partitions_count(message), message["pos"]
    while pos < total:
        step = range(pos, min(pos + FANOUT_BATCH, total))
        send(ctx, [_partition(ctx, message, n) for n in step])
        pos = step.stop
        if pos < total and out_of_time():
            send(ctx, [{**message, "pos": pos}])
            return


# --- the worker -------------------------------------------------------------------------------


def handle(ctx: Context, body: str, now: datetime, out_of_time: Callable[[], bool]) -> None:
    """Does one task."""
    message = json.loads(body)
    task = message["task"]
    if task == "reassess":
        tally = reassess_page(ctx, message["persons"], _cause(message["cause"]), now)
        _count(ctx, message["job"], message["piece"], tally)
    elif task == "region":
        listing = Listing(
            message["job"],
            message["code"],
            _cause(message["cause"]),
            message["cursor"],
            message["page"],
        )
        list_region(ctx, listing, now, out_of_time)
    elif task == "segment":
        run_segment(ctx, message, now, out_of_time)
    elif task == "due":
        run_due(ctx, message, now, out_of_time)
    elif task == "purge":
        run_purge(ctx, message, now, out_of_time)
    elif task == "partitions":
        run_partitions(ctx, message, now, out_of_time)
    else:
        raise ValueError("unknown task")


def handle_records(
    records: Sequence[tuple[str, str]],
    ctx: Context | None = None,
    remaining_ms: Callable[[], int] | None = None,
) -> dict[str, Any]:
    """Handles one batch of (message id, body); answers the ids that failed (`batchItemFailures`:
    only those are delivered again, up to the dead-letter queue).

    The batch shares one budget (`task_budget_seconds`), cut shorter by the function's remaining
    time (`remaining_ms`, the Lambda context's) less a page's worth: a task hands on its rest
    when it runs out, and a message not started by then goes back on the queue as a new one
    (the first message of a batch is always started, so every batch makes progress)."""
    from chalicelib.services.context import default

    ctx = ctx or default()
    started = time.monotonic()
    budget = config.task_budget_seconds()

    def out_of_time() -> bool:
        late = remaining_ms is not None and remaining_ms() < SAFETY_MS
        return late or time.monotonic() - started > budget

    failures = []
    for n, (message_id, body) in enumerate(records):
        try:
            if n > 0 and out_of_time():
                send(ctx, [json.loads(body)])  # later, by another run, with time to do it
                continue
            handle(ctx, body, utcnow(), out_of_time)
        except Exception as error:  # the message is retried; never its content in the log
            log.warning("task failed (%s); it will be retried", type(error).__name__)
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def drain(
    ctx: Context,
    *,
    stop: Callable[[], bool] = lambda: False,
    idle_exit: bool = True,
    retry_seconds: int = 1,
) -> int:
    """The local worker loop (`manage worker`, `make run`, the tests): receives batches, handles
    them as the SQS handler does, deletes what succeeded and makes what failed visible again
    after `retry_seconds` (SQS's redrive moves a message received too often to the dead-letter
    queue). With `idle_exit`, returns once the queue is empty; answers the messages handled."""
    handled = 0
    while not stop():
        messages = ctx.queue.receive(wait_seconds=0 if idle_exit else 1)
        if not messages:
            if idle_exit:
                return handled
            continue
        answer = handle_records([(m.message_id, m.body) for m in messages], ctx)
        failed = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
        ctx.queue.delete([m for m in messages if m.message_id not in failed])
        ctx.queue.retry([m for m in messages if m.message_id in failed], retry_seconds)
        handled += len(messages)
    return handled
