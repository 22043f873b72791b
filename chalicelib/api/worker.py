"""The queue worker: one Chalice SQS handler for every queued task (chalicelib/services/tasks.py).

Delivery is at least once and every task is idempotent. The handler answers with the messages
that failed (`batchItemFailures`), so a batch with one bad message is not delivered again whole:
the event source mapping must report batch item failures (infra/ sets it). `make run` and the
tests consume the same queue with the same code (chalicelib/services/tasks.py `drain`), since
`chalice local` never does.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

bp = Blueprint(__name__)

# The queue's name in AWS (infra/queue.yaml); local stages read theirs from the configuration.
QUEUE_NAME = "healthcode-tasks"


@bp.on_sqs_message(queue=QUEUE_NAME, batch_size=10, name="worker")
def worker(event: Any) -> dict[str, Any]:
    from chalicelib.services.tasks import handle_records

    records = [(record.to_dict()["messageId"], record.body) for record in event]
    context = getattr(event, "context", None)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return handle_records(records, remaining_ms=remaining)
