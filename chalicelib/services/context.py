"""What the services need, built once per process from configuration (lazily: a cold start
pays for the database client only when a request needs it)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from chalicelib import config
from chalicelib.services.keys import KeyCache
from chalicelib.services.ports import Queue, Store
from chalicelib.services.sms import SmsSender


@dataclass
class Context:
    store: Store
    sms: SmsSender
    queue: Queue = field(default_factory=lambda: _queue())
    code_keys: KeyCache = field(init=False)
    access_keys: KeyCache = field(init=False)
    place_keys: KeyCache = field(init=False)

    def __post_init__(self) -> None:
        self.code_keys = KeyCache(self.store, "code")
        self.access_keys = KeyCache(self.store, "access")
        self.place_keys = KeyCache(self.store, "place")


def _queue() -> Queue:
    """The task queue (SQS), reached on first use; its faults are the caller's 503."""
    from chalicelib.storage.faults import guarded
    from chalicelib.storage.sqs import SqsQueue

    return guarded(SqsQueue())


def default() -> Context:
    return _for(config.stage(), config.table_prefix(), config.sms_sender())


@functools.lru_cache(maxsize=8)
def _for(stage: str, prefix: str, sms: str) -> Context:
    from chalicelib.services.sms import from_config
    from chalicelib.storage.dynamo import DynamoStore

    return Context(DynamoStore(), from_config())
