"""The check after `make load` (tools/loadtest.py): every write the server accepted is in the
database, read through the store and pynamodb (strongly consistent reads of the base tables), not
through the API. Free of locust and gevent, so the tests can import it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Accepted:
    """Every write the server accepted (a 2xx answer), as the client saw it."""

    scans: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    checkins: dict[tuple[str, str], float] = field(default_factory=dict)  # last accepted
    logins: dict[str, str] = field(default_factory=dict)  # phone -> account id (token's sub)


@dataclass
class Missing:
    scans: int
    checkins: int
    logins: int

    @property
    def total(self) -> int:
        return self.scans + self.checkins + self.logins


def missing_writes(accepted: Accepted) -> Missing:
    """What the database lacks of what was accepted, read through the store (strongly
    consistent reads of the base tables, not the API)."""
    from chalicelib.services.auth import phone_key
    from chalicelib.services.context import default
    from chalicelib.storage import tables

    store = default().store
    stored: Counter[tuple[str, str, str]] = Counter()
    for item in tables.ScanItem.scan(consistent_read=True):
        at = datetime.fromisoformat(item.at_id.rsplit("#", 1)[0]).replace(microsecond=0)
        stored[(item.checker_id, item.person_id or "", at.isoformat())] += 1
    scans = sum((accepted.scans - stored).values())
    checkins = 0
    for (person_id, day), temperature in accepted.checkins.items():
        on_day = date.fromisoformat(day)
        found = store.checkins.between(person_id, on_day, on_day)
        checkins += not (found and found[0].temperature == temperature)
    logins = 0
    for phone, account_id in accepted.logins.items():
        key = phone_key(phone)
        account = store.accounts.for_phone(key)
        state, _ = store.logins.get(key)
        used = state is not None and state.code_hash is None
        logins += not (account is not None and account.account_id == account_id and used)
    return Missing(scans, checkins, logins)
