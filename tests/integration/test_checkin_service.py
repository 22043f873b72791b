"""Check-ins through the one access check: the holder acts as `self`, a guardian as `guardian`,
anyone else finds nothing."""

from __future__ import annotations

import pytest

from chalicelib.domain.entities import Link
from chalicelib.domain.errors import NotFound
from chalicelib.domain.history import ActorKind
from chalicelib.domain.model import Role, Symptom
from chalicelib.security.fields import new_person_id
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.checkins import check_in, history
from chalicelib.services.context import Context
from chalicelib.storage.dynamo.family import link_item
from tests.holders import holder, shanghai

NOW = shanghai(2026, 11, 22, 8, 0)


def test_a_guardian_s_fever_check_in_is_recorded_as_the_guardian_s(ctx: Context) -> None:
    _, person = holder(ctx, NOW)
    guardian = AccessClaims(new_person_id(), frozenset({Role.RESIDENT}), None)
    store = ctx.store
    link_item(Link(guardian.account_id, person.person_id, "mother", NOW)).save()
    done = check_in(ctx, guardian, person.person_id, 38.0, (Symptom.FEVER,), NOW)
    assert done.answer["color"] == "yellow"
    last = store.history.of(person.person_id)[-1]
    assert (last.actor_kind, last.actor, last.source) == (
        ActorKind.GUARDIAN,
        guardian.account_id,
        "checkin:2026-11-22",
    )


def test_the_holder_checks_in_as_self_and_a_stranger_finds_nothing(ctx: Context) -> None:
    actor, person = holder(ctx, NOW)
    check_in(ctx, actor, person.person_id, 37.5, (), NOW)
    assert ctx.store.history.of(person.person_id)[-1].actor_kind is ActorKind.SELF
    stranger = AccessClaims(new_person_id(), frozenset({Role.RESIDENT, Role.ADMIN}), None)
    with pytest.raises(NotFound):
        check_in(ctx, stranger, person.person_id, 36.5, (), NOW)
    with pytest.raises(NotFound):
        history(ctx, stranger, person.person_id, NOW)
    assert [c["temperature"] for c in history(ctx, actor, person.person_id, NOW)["checkins"]] == [
        37.5
    ]


def test_a_normal_check_in_replacing_a_feverish_one_the_same_day_turns_green_again(
    ctx: Context,
) -> None:
    actor, person = holder(ctx, NOW)
    assert check_in(ctx, actor, person.person_id, 38.1, (), NOW).answer["color"] == "yellow"
    corrected = check_in(ctx, actor, person.person_id, 36.6, (), NOW.replace(minute=5))
    assert (corrected.first_of_the_day, corrected.answer["color"]) == (False, "green")
