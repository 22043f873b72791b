"""The Chalice schedules are made from the jobs table: one scheduled function per job, at the
job's interval, with a Lambda handler that resolves to it."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from chalice.app import Rate

import app
from chalicelib.api.jobs import rate
from chalicelib.services.jobs import JOBS, SCHEDULES

_SCHEDULED_EVENT = {  # what EventBridge sends a scheduled function
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2020-03-01T00:00:00Z",
    "region": "cn-north-1",
    "resources": ["arn:aws:events:cn-north-1:123456789012:rule/healthcode-dev-expire-event"],
    "detail": {},
}


def _schedules() -> dict[str, Any]:
    return {
        source.name: source
        for source in app.app.event_sources
        if hasattr(source, "schedule_expression")  # not the queue worker
    }


def _seconds(expression: Rate) -> int:
    per_unit = {Rate.MINUTES: 60, Rate.HOURS: 3600, Rate.DAYS: 86400}
    return expression.value * per_unit[expression.unit]


def test_the_registered_scheduled_functions_are_exactly_the_jobs_table() -> None:
    registered = {
        name: _seconds(source.schedule_expression) for name, source in _schedules().items()
    }
    assert registered == {name: job.every_seconds for name, job in JOBS.items()}
    assert registered == SCHEDULES


@pytest.mark.parametrize("name", sorted(JOBS))
def test_each_scheduled_functions_lambda_handler_is_the_registered_handler(name: str) -> None:
    module, _, attribute = _schedules()[name].handler_string.rpartition(".")
    assert getattr(importlib.import_module(module), attribute) is app.app.handler_map[name]


def test_a_scheduled_function_runs_its_own_job(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.api import jobs

    ran: list[str] = []
    monkeypatch.setattr(jobs, "_run", lambda name: ran.append(name) or {"job": name})
    for name in JOBS:
        app.app.handler_map[name](_SCHEDULED_EVENT, None)
    assert ran == list(JOBS)


def test_every_job_runs_hourly_as_the_infra_notes_say() -> None:
    expressions = {n: s.schedule_expression.to_string() for n, s in _schedules().items()}
    assert expressions == {
        "expire": "rate(1 hour)",
        "purge": "rate(1 hour)",
        "recompare": "rate(1 hour)",
    }


@pytest.mark.parametrize(
    ("seconds", "expression"),
    [
        (60, "rate(1 minute)"),
        (900, "rate(15 minutes)"),
        (7200, "rate(2 hours)"),
        (90000, "rate(25 hours)"),
        (172800, "rate(2 days)"),
    ],
)
def test_an_interval_becomes_a_rate_in_its_largest_whole_unit(
    seconds: int, expression: str
) -> None:
    assert rate(seconds).to_string() == expression


@pytest.mark.parametrize("seconds", [0, 30, 3601])
def test_an_interval_that_is_not_whole_minutes_cannot_be_scheduled(seconds: int) -> None:
    with pytest.raises(ValueError):
        rate(seconds)


def test_the_queue_worker_is_registered_on_the_task_queue_with_batches_of_ten() -> None:
    [worker] = [s for s in app.app.event_sources if not hasattr(s, "schedule_expression")]
    assert (worker.name, worker.queue, worker.batch_size) == ("worker", "healthcode-tasks", 10)
