"""The task queue on Amazon SQS (locally: moto's server, through `AWS_ENDPOINT_URL_SQS`).

`SqsQueue` is the `Queue` port: it sends task bodies in batches of ten, and the local worker
loop receives and deletes them. `create_queues` makes the queue and its dead-letter queue with a
redrive policy (in AWS, infra/ does). docs/decisions/0030-queue.md.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.config import Config

from chalicelib import config
from chalicelib.domain.errors import Unavailable
from chalicelib.services.ports import Message

BATCH = 10  # SQS's most messages per SendMessageBatch / ReceiveMessage / DeleteMessageBatch
VISIBILITY_SECONDS = 6 * 28  # 6 x the worker function's timeout (AWS's advice for SQS sources)


@functools.lru_cache(maxsize=4)
def _client(region: str, connect: float, read: float, attempts: int) -> Any:
    settings = Config(
        connect_timeout=connect,
        read_timeout=read,
        retries={"max_attempts": attempts + 1, "mode": "standard"},
    )
    return boto3.client("sqs", region_name=region, config=settings)


def client() -> Any:
    connect, read, retries = config.ddb_timeouts()
    return _client(config.aws_region(), connect, read, retries)


@functools.lru_cache(maxsize=16)
def _url(name: str, endpoint: str | None) -> str:
    return str(client().get_queue_url(QueueName=name)["QueueUrl"])


def queue_url(name: str | None = None) -> str:
    import os

    return _url(name or config.task_queue_name(), os.environ.get("AWS_ENDPOINT_URL_SQS"))


class SqsQueue:
    """The `Queue` port."""

    def send(self, bodies: Sequence[str]) -> None:
        url = queue_url()
        for start in range(0, len(bodies), BATCH):
            chunk = bodies[start : start + BATCH]
            entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)]
            answer = client().send_message_batch(QueueUrl=url, Entries=entries)
            failed = answer.get("Failed") or []
            if failed:  # throttled entries: send them once more, then give up loudly
                again = [entries[int(f["Id"])] for f in failed]
                answer = client().send_message_batch(QueueUrl=url, Entries=again)
                if answer.get("Failed"):  # still refused (throttled): the caller's 503
                    raise Unavailable()

    def receive(self, wait_seconds: int = 1, name: str | None = None) -> list[Message]:
        answer = client().receive_message(
            QueueUrl=queue_url(name),
            MaxNumberOfMessages=BATCH,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        return [
            Message(
                m["MessageId"],
                m["Body"],
                m["ReceiptHandle"],
                int(m.get("Attributes", {}).get("ApproximateReceiveCount", "1")),
            )
            for m in answer.get("Messages", [])
        ]

    def delete(self, messages: Sequence[Message], name: str | None = None) -> None:
        for start in range(0, len(messages), BATCH):
            chunk = messages[start : start + BATCH]
            entries = [{"Id": str(i), "ReceiptHandle": m.receipt} for i, m in enumerate(chunk)]
            client().delete_message_batch(QueueUrl=queue_url(name), Entries=entries)

    def retry(self, messages: Sequence[Message], after_seconds: int) -> None:
        for m in messages:
            client().change_message_visibility(
                QueueUrl=queue_url(), ReceiptHandle=m.receipt, VisibilityTimeout=after_seconds
            )

    def depth(self, name: str | None = None) -> int:
        """Messages waiting or in flight (approximate, as SQS counts them)."""
        attributes = client().get_queue_attributes(
            QueueUrl=queue_url(name),
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
            ],
        )["Attributes"]
        return sum(int(value) for value in attributes.values())


def dead_letter_name(name: str | None = None) -> str:
    return f"{name or config.task_queue_name()}-dlq"


def create_queues(visibility_seconds: int = VISIBILITY_SECONDS) -> list[str]:
    """The task queue and its dead-letter queue (the DLQ first: the redrive names it)."""
    sqs = client()
    name = config.task_queue_name()
    dlq_url = sqs.create_queue(
        QueueName=dead_letter_name(name), Attributes={"MessageRetentionPeriod": "1209600"}
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": config.task_max_receives()}
    sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_seconds),
            "RedrivePolicy": json.dumps(redrive),
        },
    )
    return [name, dead_letter_name(name)]


def delete_queues() -> None:
    sqs = client()
    for name in (config.task_queue_name(), dead_letter_name()):
        try:
            sqs.delete_queue(QueueUrl=queue_url(name))
        except sqs.exceptions.QueueDoesNotExist:
            pass
    _url.cache_clear()
