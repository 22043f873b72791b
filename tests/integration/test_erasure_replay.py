"""Issue 12 item 17: a restore does not bring the erased back.

Each deletion leaves a ledger entry (the random person id and when: nothing personal). After a
point-in-time restore of the tables (simulated: the person's items written back as they were),
`manage replay-erasures --since T` erases again whom the ledger names since T, and is safe to
run again. On tables of their own: the replay reads a whole ledger."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib import manage
from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Account
from chalicelib.domain.errors import AlreadyApplied
from chalicelib.domain.model import Declaration, IdType, Role
from chalicelib.security.fields import new_person_id
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.applications import Application, apply_for_self
from chalicelib.services.context import Context
from chalicelib.services.erase import erase, replay
from chalicelib.storage import tables as t
from tests.holders import holder, shanghai
from tests.ids import resident_id

BEFORE = shanghai(2026, 11, 27, 9, 0)
ERASED = shanghai(2026, 11, 28, 10, 0)
RESTORE_POINT = shanghai(2026, 11, 28, 8, 0)  # a backup from before the deletion


def _snapshot(person_id: str, account_id: str) -> list[t._Table]:
    """What a backup from before the deletion holds about the person."""
    person = t.PersonItem.get(person_id, consistent_read=True)
    markers = [t.MarkerItem.get(f"id:{person.id_key}"), t.MarkerItem.get(f"self:{account_id}")]
    links = [t.LinkItem.get(account_id, person_id)]
    return [person, *markers, *links, *t.HistoryItem.query(person_id)]


def _form(id_number: str) -> Application:
    return Application(
        "王小明",
        IdType.RESIDENT_ID,
        id_number,
        "CHN",
        "山东省济南市历下区泉城路1号",
        "370102",
        Declaration(temperature=36.5),
    )


def test_a_restore_does_not_bring_the_erased_back(fresh_ctx: Context) -> None:
    account = Account(new_person_id(), "13912340000", frozenset({Role.RESIDENT}), BEFORE)
    fresh_ctx.store.accounts.create(account, "phone-" + account.account_id)
    actor = AccessClaims(account.account_id, account.roles, None)
    id_number = resident_id()
    person = apply_for_self(fresh_ctx, actor, _form(id_number), BEFORE)
    backup = _snapshot(person.person_id, actor.account_id)
    erase(fresh_ctx, actor, person.person_id, ERASED)
    ledger = fresh_ctx.store.erasure.erased_between(ERASED.date(), ERASED.date())
    assert ledger == [(person.person_id, ERASED)]
    for item in backup:  # the point-in-time restore
        item.save()
    assert fresh_ctx.store.persons.get(person.person_id) is not None
    with pytest.raises(AlreadyApplied):  # the restored marker holds the ID again
        apply_for_self(fresh_ctx, actor, _form(id_number), ERASED)

    counts = replay(fresh_ctx, RESTORE_POINT, ERASED + timedelta(hours=1))
    assert counts == {"ledger": 1, "erased_again": 1, "still_gone": 0}
    assert fresh_ctx.store.persons.get(person.person_id, consistent=True) is None
    assert fresh_ctx.store.family.links_to(person.person_id) == []
    assert fresh_ctx.store.history.of(person.person_id) == []
    # The ID and the account are free again, as after the first deletion.
    again = apply_for_self(fresh_ctx, actor, _form(id_number), ERASED)
    assert again.person_id != person.person_id

    assert replay(fresh_ctx, RESTORE_POINT, ERASED + timedelta(hours=2)) == {
        "ledger": 1,
        "erased_again": 0,
        "still_gone": 1,
    }


def test_erasures_before_the_restore_point_are_not_replayed(fresh_ctx: Context) -> None:
    actor, person = holder(fresh_ctx, BEFORE)
    erase(fresh_ctx, actor, person.person_id, BEFORE + timedelta(hours=1))
    counts = replay(fresh_ctx, RESTORE_POINT, ERASED)
    assert counts == {"ledger": 0, "erased_again": 0, "still_gone": 0}


def test_the_ledger_holds_nothing_personal(fresh_ctx: Context) -> None:
    actor, person = holder(fresh_ctx, BEFORE)
    erase(fresh_ctx, actor, person.person_id, ERASED)
    (item,) = list(t.ErasureItem.query(shanghai_date(ERASED)))
    assert set(item.attribute_values) == {"day", "at_person", "person_id", "at"}


def test_the_command_replays_and_refuses_a_bad_time(
    fresh_ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    assert manage.main(["replay-erasures", "--since", "2026-11-28"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"ledger", "erased_again", "still_gone"}
    assert manage.main(["replay-erasures", "--since", "yesterday"]) == 2
    assert "--since" in capsys.readouterr().err
