"""Fever cases (发热病例): under a policy that records them (Hubei: 持“红码”者为确诊（含临床诊断）、
疑似、发热病例), a fever measured at a checkpoint or reported in a daily check-in becomes a `fever`
record of the epidemic database. It is red until the authority's `cleared` record ends it: the
notice does not say how a fever case ends, and only a check can tell (note 0017)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Person
from chalicelib.domain.model import Category, Record
from chalicelib.services.assessment import active_policy
from chalicelib.services.ports import Store


def record_fever_case(store: Store, person: Person, where: str, now: datetime) -> bool:
    """Records the fever `where` ("checkin" or "gate") found today, once per person, source and
    day (a repeat is a no-op). False when the active policy records no fever cases."""
    if not active_policy().records_fever_cases:
        return False
    today = shanghai_date(now)
    record = Record(f"fever-{where}-{today.isoformat()}", Category.FEVER, today, None, now)
    store.epidemic.put_record(person.id_key, record, by=f"system:{where}", at=now)
    return True
