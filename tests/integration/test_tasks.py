"""Batch work on the task queue (moto's SQS server and DynamoDB Local): a region change reaches
every visitor through the workers, a full pass fans out over scan segments, delivery twice
counts once, and a message that keeps failing ends in the dead-letter queue."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.clock import utcnow
from chalicelib.domain.model import Declaration, Risk, Role
from chalicelib.security.tokens import AccessClaims
from chalicelib.services import tasks
from chalicelib.services.context import Context
from chalicelib.services.jobs import progress
from chalicelib.services.recompare import recompare
from chalicelib.services.records import set_region
from chalicelib.storage.sqs import SqsQueue, dead_letter_name
from tests.holders import holder

ROOT = Path(__file__).resolve().parents[2]

ADMIN = AccessClaims("admin-tasks", frozenset({Role.ADMIN}), None)


def visitors(ctx: Context, region: str, count: int) -> list[str]:
    now = utcnow()
    return [
        holder(ctx, now, Declaration(visited_regions=(region,)))[1].person_id for _ in range(count)
    ]


def colours(ctx: Context, person_ids: list[str]) -> set[str]:
    return {ctx.store.persons.get(p, consistent=True).color.value for p in person_ids}


@pytest.fixture
def empty_queue(ctx: Context) -> Context:
    tasks.drain(ctx)  # what earlier tests left
    return ctx


def test_a_region_change_queues_its_visitors_in_pages_and_the_workers_reach_every_one(
    empty_queue: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = empty_queue
    monkeypatch.setenv("HEALTHCODE_REGION_INLINE_PERSONS", "0")
    monkeypatch.setattr(tasks, "PAGE", 20)  # 20 persons a message (100 in production)
    people = visitors(ctx, "610113", 30)  # two messages
    answer = set_region(ctx, ADMIN, "610113", Risk.HIGH, utcnow())
    assert (answer["reevaluated"], answer["deferred"]) == (0, 30)
    assert colours(ctx, people) == {"green"}  # nothing done yet: it is all on the queue
    running = progress(ctx, answer["job_id"])
    assert (running["state"], running["total"], running["done"]) == ("running", 30, 0)
    assert tasks.drain(ctx) == 2  # one message per page
    assert colours(ctx, people) == {"red"}
    done = progress(ctx, answer["job_id"])
    assert {k: done[k] for k in ("state", "total", "done", "recoloured", "failed")} == {
        "state": "done",
        "total": 30,
        "done": 30,
        "recoloured": 30,
        "failed": 0,
    }
    set_region(ctx, ADMIN, "610113", Risk.LOW, utcnow())
    tasks.drain(ctx)


def test_a_small_region_change_is_done_within_the_request(empty_queue: Context) -> None:
    ctx = empty_queue
    people = visitors(ctx, "610114", 3)
    answer = set_region(ctx, ADMIN, "610114", Risk.MEDIUM, utcnow())
    assert (answer["reevaluated"], answer["recoloured"], answer["deferred"]) == (3, 3, 0)
    assert colours(ctx, people) == {"yellow"}
    assert progress(ctx, answer["job_id"])["state"] == "done"
    assert tasks.drain(ctx) == 0
    set_region(ctx, ADMIN, "610114", Risk.LOW, utcnow())


def test_listing_out_of_time_hands_the_rest_on_in_a_continuation(
    empty_queue: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = empty_queue
    monkeypatch.setattr(tasks, "LIST_PAGE", 20)  # pages of 20: 30 visitors are two pages
    monkeypatch.setattr(tasks, "PAGE", 20)
    people = visitors(ctx, "610115", 30)
    ctx.store.epidemic.put_region("610115", Risk.HIGH, by="test", at=utcnow())
    job = tasks.new_job(ctx, "region", utcnow(), lists=1)
    cause = tasks.PASS_CAUSE
    listing = tasks.list_region(ctx, tasks.Listing(job, "610115", cause), utcnow(), lambda: True)
    assert listing.page == 1 and listing.cursor is not None  # one page, then handed on
    assert progress(ctx, job)["state"] == "running"
    tasks.drain(ctx)  # the page, the continuation, its page
    assert colours(ctx, people) == {"red"}
    assert progress(ctx, job) | {"started_at": None} == {
        "job_id": job,
        "kind": "region",
        "state": "done",
        "started_at": None,
        "total": 30,
        "done": 30,
        "recoloured": 30,
        "failed": 0,
    }
    set_region(ctx, ADMIN, "610115", Risk.LOW, utcnow())
    tasks.drain(ctx)


def test_a_message_delivered_twice_changes_and_counts_nothing_twice(
    empty_queue: Context,
) -> None:
    ctx = empty_queue
    people = visitors(ctx, "610116", 2)
    ctx.store.epidemic.put_region("610116", Risk.HIGH, by="test", at=utcnow())
    job = tasks.new_job(ctx, "region", utcnow(), lists=1)
    body = json.dumps(tasks._reassess_message(job, "p0", people, tasks.PASS_CAUSE))
    ctx.store.progress.count(job, "listed", total=2, lists_done=1)
    for _ in range(2):
        assert tasks.handle_records([("m-1", body)], ctx) == {"batchItemFailures": []}
    found = progress(ctx, job)
    assert (found["done"], found["recoloured"], found["state"]) == (2, 2, "done")
    assert len(ctx.store.history.of(people[0])) == 2  # applied, then red: once
    set_region(ctx, ADMIN, "610116", Risk.LOW, utcnow())


def test_a_failing_message_is_reported_alone_and_the_others_of_its_batch_are_done(
    empty_queue: Context,
) -> None:
    ctx = empty_queue
    [person] = visitors(ctx, "610117", 1)
    job = tasks.new_job(ctx, "import", utcnow(), lists=1)
    good = json.dumps(tasks._reassess_message(job, "p0", [person], tasks.PASS_CAUSE))
    answer = tasks.handle_records([("bad", "{not json"), ("good", good)], ctx)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert progress(ctx, job)["done"] == 1


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(
    empty_queue: Context,
) -> None:
    ctx = empty_queue
    queue = SqsQueue()
    ctx.queue.send(['{"task": "no such task"}'])
    for _ in range(10):  # each round receives it once more, until the redrive moves it
        tasks.drain(ctx, retry_seconds=0)
    assert queue.depth() == 0
    dead = queue.receive(wait_seconds=0, name=dead_letter_name())
    assert [m.body for m in dead] == ['{"task": "no such task"}']
    queue.delete(dead, name=dead_letter_name())


def test_a_full_pass_fans_out_over_segments_and_reaches_everyone(
    empty_queue: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = empty_queue
    monkeypatch.setenv("HEALTHCODE_RECOMPARE_SEGMENTS", "3")
    people = visitors(ctx, "610118", 5)
    # The risk changes without the admin endpoint (a bulk load): nothing recolours yet.
    ctx.store.epidemic.put_region("610118", Risk.MEDIUM, by="loader", at=utcnow())
    assert colours(ctx, people) == {"green"}
    job = tasks.start_pass(ctx, utcnow())
    assert tasks.drain(ctx) >= 3  # a task per segment (and continuations)
    assert colours(ctx, people) == {"yellow"}
    found = progress(ctx, job)
    assert found["state"] == "done" and found["kind"] == "recompare"
    persons = sum(len(ctx.store.persons.ids(s, 1, None, 10**6)[0]) for s in range(1))
    assert found["total"] == found["done"] == persons  # every person once
    ctx.store.epidemic.put_region("610118", Risk.LOW, by="loader", at=utcnow())


def test_a_segment_out_of_time_goes_on_in_continuations(empty_queue: Context) -> None:
    ctx = empty_queue
    visitors(ctx, "610119", 3)
    job = tasks.new_job(ctx, "recompare", utcnow(), lists=1)
    message: dict[str, Any] = {"task": "segment", "job": job, "segment": 0, "segments": 1}
    tasks.run_segment(ctx, {**message, "page": 0}, utcnow(), lambda: True)
    persons = len(ctx.store.persons.ids(0, 1, None, 10**6)[0])
    assert progress(ctx, job)["done"] == min(persons, tasks.PAGE)
    tasks.drain(ctx)
    assert progress(ctx, job)["done"] == persons and progress(ctx, job)["state"] == "done"


def test_the_recompare_job_starts_a_pass_a_day_and_one_for_a_new_policy_version(
    fresh_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = fresh_ctx
    tasks.drain(ctx)
    now = utcnow()
    first = recompare(ctx, now)
    assert first["reason"] == "first pass" and first["started"]
    assert recompare(ctx, now)["running"] == first["started"]  # not twice at once
    tasks.drain(ctx)
    assert recompare(ctx, now)["started"] is None  # done for today
    tomorrow = recompare(ctx, now + timedelta(days=1))
    assert tomorrow["reason"] == "daily pass"
    from chalicelib.services import recompare as module

    real = module.active_policy()
    monkeypatch.setattr(
        module, "active_policy", lambda: type("P", (), {"version": real.version + "-next"})()
    )
    changed = recompare(ctx, now + timedelta(days=1))  # the day's pass is still running
    assert changed["reason"] == "new policy version"
    tasks.drain(ctx)
    assert progress(ctx, changed["started"])["state"] == "done"


def test_the_lambda_handler_does_a_batch_and_names_only_the_failed_messages(
    empty_queue: Context,
) -> None:
    from chalice.test import Client

    import app

    ctx = empty_queue
    [person] = visitors(ctx, "610120", 1)
    job = tasks.new_job(ctx, "import", utcnow(), lists=1)
    good = json.dumps(tasks._reassess_message(job, "p0", [person], tasks.PASS_CAUSE))
    with Client(app.app, stage_name="local", project_dir=str(ROOT)) as client:
        ok = client.lambda_.invoke(
            "worker",
            client.events.generate_sqs_event(message_bodies=[good], queue_name="healthcode-tasks"),
        )
        bad = client.lambda_.invoke(
            "worker",
            client.events.generate_sqs_event(
                message_bodies=["{not json"], queue_name="healthcode-tasks"
            ),
        )
    assert ok.payload == {"batchItemFailures": []}
    assert progress(ctx, job)["done"] == 1
    assert bad.payload == {"batchItemFailures": [{"itemIdentifier": "message-id"}]}


class FlakyQueue:
    """The task queue, failing its `fail_on`-th send (counted from 1) as SQS would throttle."""

    def __init__(self, queue: Any, fail_on: int) -> None:
        self._queue, self.sends, self.fail_on = queue, 0, fail_on

    def send(self, bodies: list[str]) -> None:
        self.sends += 1
        if self.sends == self.fail_on:
            from chalicelib.domain.errors import Unavailable

            raise Unavailable()
        self._queue.send(bodies)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)


def test_a_region_listing_cut_by_a_failure_in_the_request_is_handed_on_not_lost(
    empty_queue: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from chalicelib.domain.errors import Unavailable

    ctx = empty_queue
    monkeypatch.setenv("HEALTHCODE_REGION_INLINE_PERSONS", "0")
    monkeypatch.setattr(tasks, "LIST_PAGE", 10)
    monkeypatch.setattr(tasks, "PAGE", 10)
    people = visitors(ctx, "610121", 30)
    flaky = replace(ctx, queue=FlakyQueue(ctx.queue, fail_on=2))
    with pytest.raises(Unavailable):  # the admin gets a 503 ...
        set_region(flaky, ADMIN, "610121", Risk.HIGH, utcnow())
    tasks.drain(ctx)  # ... and the workers still reach every visitor
    assert colours(ctx, people) == {"red"}
    set_region(ctx, ADMIN, "610121", Risk.LOW, utcnow())
    tasks.drain(ctx)


def test_a_region_listed_twice_with_new_visitors_meanwhile_counts_every_page_once(
    empty_queue: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = empty_queue
    monkeypatch.setattr(tasks, "PAGE", 5)
    people = visitors(ctx, "610122", 8)
    ctx.store.epidemic.put_region("610122", Risk.HIGH, by="test", at=utcnow())
    job = tasks.new_job(ctx, "region", utcnow(), lists=1)
    listing = tasks.Listing(job, "610122", tasks.PASS_CAUSE)
    tasks.list_region(ctx, listing, utcnow(), lambda: False)
    people += visitors(ctx, "610122", 3)  # then the same listing is delivered again
    tasks.list_region(ctx, tasks.Listing(job, "610122", tasks.PASS_CAUSE), utcnow(), lambda: False)
    tasks.drain(ctx)
    found = progress(ctx, job)
    assert found["state"] == "done" and found["done"] == found["total"]
    assert colours(ctx, people) == {"red"}
    ctx.store.epidemic.put_region("610122", Risk.LOW, by="test", at=utcnow())


def test_persons_an_import_queues_keep_their_room_in_the_guard_s_day_count(
    empty_queue: Context,
) -> None:
    from chalicelib.services.records import _day_count, import_records
    from tests.integration.test_records_import import NOW, Clock, many_people

    ctx = empty_queue
    admin = AccessClaims("admin-guard-queue", frozenset({Role.ADMIN}), None)
    batch = many_people(ctx.store, 40)
    cut = import_records(ctx, admin, batch, [], None, NOW, clock=Clock(calls=4))
    assert (cut["recoloured"], cut["queued"]) == (32, 8)
    assert ctx.store.counters.value(_day_count(admin, NOW)) == 40  # 32 done + 8 queued
    tasks.drain(ctx)


def test_two_recompare_runs_deciding_at_once_start_one_pass(
    fresh_ctx: Context,
) -> None:
    from dataclasses import replace

    ctx = fresh_ctx
    tasks.drain(ctx)
    started: list[str | None] = []

    class Racing:
        """The jobs port; the first read of the pass state lets another run decide first."""

        def __init__(self, jobs: Any) -> None:
            self._jobs, self.raced = jobs, False

        def get_state(self, name: str) -> str | None:
            seen = self._jobs.get_state(name)
            if name == "recompare:pass" and not self.raced:
                self.raced = True
                started.append(recompare(ctx, utcnow())["started"])
            return seen

        def __getattr__(self, name: str) -> Any:
            return getattr(self._jobs, name)

    racing = replace(ctx, store=replace(ctx.store, jobs=Racing(ctx.store.jobs)))
    late = recompare(racing, utcnow())
    assert started[0] is not None and late["started"] is None
    assert late["running"] == started[0]
    tasks.drain(ctx)


def test_messages_of_a_batch_not_started_in_time_go_back_on_the_queue(
    empty_queue: Context,
) -> None:
    ctx = empty_queue
    people = visitors(ctx, "610123", 3)
    job = tasks.new_job(ctx, "import", utcnow(), lists=1)
    ctx.store.progress.count(job, "listed", total=3, lists_done=1)
    bodies = [
        json.dumps(tasks._reassess_message(job, f"p{n}", [person], tasks.PASS_CAUSE))
        for n, person in enumerate(people)
    ]
    # The function has 5 s left (under SAFETY_MS): the first message runs, the others are
    # sent again as new messages and reported done, not failed.
    answer = tasks.handle_records(
        [(f"m{n}", body) for n, body in enumerate(bodies)], ctx, remaining_ms=lambda: 5_000
    )
    assert answer == {"batchItemFailures": []}
    assert progress(ctx, job)["done"] == 1
    assert tasks.drain(ctx) == 2
    assert progress(ctx, job)["done"] == 3 and progress(ctx, job)["state"] == "done"


def test_a_hand_off_of_many_partitions_is_one_message_the_workers_fan_out(
    empty_queue: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    ctx = empty_queue
    monkeypatch.setattr(tasks, "FANOUT_BATCH", 7)
    job = tasks.make_job_id("purge")
    message = tasks.partitions_message(
        job, "purge:scans", date(2031, 1, 1), date(2031, 1, 3), 8, first_shard=5
    )
    assert tasks.partitions_count(message) == 3 * 8 - 5
    tasks.new_job(ctx, "purge", utcnow(), lists=tasks.partitions_count(message), job_id=job)
    tasks.send(ctx, [message])
    handled = tasks.drain(ctx)
    assert handled == 1 + 19  # the fan-out, then one task per partition
    found = progress(ctx, job)
    assert found["state"] == "done" and found["total"] == 0  # nothing was there to delete
