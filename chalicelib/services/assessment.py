"""Gathers a person's facts from the epidemic database and applies the active policy."""

from __future__ import annotations

from datetime import date

from chalicelib import config
from chalicelib.domain.model import Assessment, Declaration, Facts
from chalicelib.domain.policy import Policy
from chalicelib.domain.rules import evaluate
from chalicelib.policies import load
from chalicelib.services.ports import Store


def active_policy() -> Policy:
    return load(config.profile())


def assess(
    store: Store, declaration: Declaration, declared_on: date, id_key: str, today: date
) -> Assessment:
    facts = Facts(
        declaration=declaration,
        declared_on=declared_on,
        region_risks=store.region_risks(declaration.visited_regions),
        records=tuple(store.records_for(id_key)),
    )
    return evaluate(active_policy(), facts, today)
