"""What the services need, built once per process from configuration (lazily: a cold start
pays for the database client only when a request needs it)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from chalicelib import config
from chalicelib.services.keys import KeyCache
from chalicelib.services.ports import Store
from chalicelib.services.sms import SmsSender


@dataclass
class Context:
    store: Store
    sms: SmsSender
    code_keys: KeyCache = field(init=False)
    access_keys: KeyCache = field(init=False)
    place_keys: KeyCache = field(init=False)

    def __post_init__(self) -> None:
        self.code_keys = KeyCache(self.store, "code")
        self.access_keys = KeyCache(self.store, "access")
        self.place_keys = KeyCache(self.store, "place")


def default() -> Context:
    return _for(config.stage(), config.table_prefix(), config.sms_sender())


@functools.lru_cache(maxsize=8)
def _for(stage: str, prefix: str, sms: str) -> Context:
    from chalicelib.services.sms import from_config
    from chalicelib.storage.dynamo import DynamoStore

    return Context(DynamoStore(), from_config())
