"""The trust-list and arrival part of the store contract on DynamoDB Local; and one partner
token used by two arrivals at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.entities import Issuer
from chalicelib.domain.errors import Conflict, NotFound, OriginCodeUsed
from chalicelib.domain.model import ABROAD, Arrival, Color, TestResult
from chalicelib.security.fields import new_person_id
from chalicelib.security.tokens import AccessClaims
from chalicelib.services.arrivals import ArrivalForm, declare_return
from chalicelib.services.context import Context
from chalicelib.services.ports import Store
from tests.holders import holder
from tests.integration.test_store_contract import a_person, store_person

NOW = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


def an_issuer(name: str, **changes: object) -> Issuer:
    issuer = Issuer(
        name,
        "110000",
        "北京健康宝",
        {"keys": [{"kty": "EC", "crv": "P-256", "x": "x", "y": "y", "kid": "k1"}]},
        None,
        "admin-1",
        NOW,
    )
    return replace(issuer, **changes)  # type: ignore[arg-type]


def test_issuers_are_stored_replaced_listed_and_deleted(store: Store) -> None:
    for old in store.trust.all():  # the DynamoDB tables are shared with other tests
        store.trust.delete(old.issuer)
    first = an_issuer("partner:110000")
    assert store.trust.put(first) is True
    assert store.trust.get("partner:110000") == first
    rotated = replace(first, jwks={"keys": []}, not_after=NOW + timedelta(days=30))
    assert store.trust.put(rotated) is False
    assert store.trust.get("partner:110000") == rotated
    store.trust.put(an_issuer("another:120000", province_code="120000"))
    names = [i.issuer for i in store.trust.all()]
    assert {"another:120000", "partner:110000"} <= set(names) and names == sorted(names)
    assert store.trust.delete("partner:110000") is True
    assert store.trust.get("partner:110000") is None
    assert store.trust.delete("partner:110000") is False


def test_a_partner_token_is_claimed_once_and_can_be_released(store: Store) -> None:
    key = f"partner:110000 {NOW.timestamp()}-{id(store)}"
    assert store.trust.claim_origin_token(key, NOW + timedelta(days=1), NOW) is True
    assert store.trust.claim_origin_token(key, NOW + timedelta(days=1), NOW) is False
    store.trust.release_origin_token(key)
    assert store.trust.claim_origin_token(key, NOW + timedelta(days=1), NOW) is True


def test_of_eight_claims_at_once_exactly_one_wins(store: Store) -> None:
    key = f"partner:110000 race-{id(store)}-{NOW.timestamp()}"
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda _: store.trust.claim_origin_token(key, NOW, NOW), range(8)))
    assert won.count(True) == 1


def test_an_arrival_is_stored_on_the_person_with_its_origin_as_a_visit(store: Store) -> None:
    person = store_person(store, a_person(), (f"id:{new_person_id()}",))
    arrival = Arrival(
        ABROAD,
        None,
        date(2026, 11, 8),
        "CA982",
        None,
        quarantine_end=date(2026, 11, 22),
        test_result=TestResult.NEGATIVE,
        test_date=date(2026, 11, 21),
    )
    store.persons.save_arrival(person.person_id, arrival, (), date(2026, 11, 21))
    stored = store.persons.get(person.person_id, consistent=True)
    assert stored is not None and stored.arrival == arrival
    assert stored.version == person.version + 1  # a re-evaluation in flight re-reads
    domestic = Arrival("440000", "440305", date(2026, 11, 21), "G123", Color.YELLOW, "p:440000")
    store.persons.save_arrival(person.person_id, domestic, ("440305", "440000"), date(2026, 12, 4))
    stored = store.persons.get(person.person_id, consistent=True)
    assert stored is not None and stored.arrival == domestic
    assert person.person_id in store.epidemic.persons_visiting("440305", date(2026, 12, 4))
    assert person.person_id not in store.epidemic.persons_visiting("440305", date(2026, 12, 5))
    with pytest.raises(NotFound):
        store.persons.save_arrival("0" * 16, domestic, (), date(2026, 12, 4))


def test_two_arrivals_with_one_partner_token_at_once_accept_it_once(ctx: Context) -> None:
    now = datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    from chalicelib.security.fields import b64url

    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
        "kid": "p1",
    }
    ctx.store.trust.put(
        Issuer("race:110000", "110000", "北京", {"keys": [jwk]}, None, "admin-1", now)
    )
    claims = {
        "iss": "race:110000",
        "sub": "s",
        "color": "green",
        "kind": "live",
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + 120,
        "jti": f"j-{id(ctx)}-{now.timestamp()}",
    }
    token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "p1", "typ": None})
    form = ArrivalForm(
        "110000", "110105", now.date(), "G1", token, None, None, TestResult.NONE, None
    )
    holders = [holder(ctx, now) for _ in range(2)]

    def declare(pair: tuple[object, object]) -> str:
        actor, person = pair
        try:
            declare_return(ctx, actor, person.person_id, form, now)  # type: ignore[arg-type,attr-defined]
        except OriginCodeUsed:
            return "used"
        return "accepted"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(declare, holders))
    assert results == ["accepted", "used"]
    arrivals = [ctx.store.persons.get(p.person_id, consistent=True) for _, p in holders]
    assert sorted(p.arrival is not None for p in arrivals if p) == [False, True]


def test_a_held_verified_colour_is_stored_with_the_arrival(store: Store) -> None:
    person = store_person(store, a_person(), (f"id:{new_person_id()}",))
    red = Arrival("110000", "110105", date(2026, 11, 20), "G1", Color.RED, "p:110000")
    later = Arrival("110000", "110105", date(2026, 11, 21), "G2", Color.GREEN).after(red)
    assert later.held is not None and later.held.color is Color.RED
    store.persons.save_arrival(person.person_id, later, (), date(2026, 12, 4))
    stored = store.persons.get(person.person_id, consistent=True)
    assert stored is not None and stored.arrival == later


def test_an_arrival_is_not_stored_over_a_version_that_moved_on(store: Store) -> None:
    person = store_person(store, a_person(), (f"id:{new_person_id()}",))
    arrival = Arrival("110000", "110105", date(2026, 11, 20), "G1", Color.GREEN)
    store.persons.save_arrival(person.person_id, arrival, (), date(2026, 12, 4))
    with pytest.raises(Conflict):
        store.persons.save_arrival(
            person.person_id, arrival, (), date(2026, 12, 4), version=person.version
        )


def _partner_token(ctx: Context, now: datetime, color: str) -> str:
    """A token of a trusted partner, signed as a JWT library signs by default (typ JWT)."""
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    from chalicelib.security.fields import b64url

    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
        "kid": "p1",
    }
    name = f"held-{new_person_id()}:110000"
    ctx.store.trust.put(Issuer(name, "110000", "北京", {"keys": [jwk]}, None, "admin-1", now))
    issued = int(now.timestamp())
    claims: dict[str, Any] = {"iss": name, "sub": "s", "color": color, "kind": "live"}
    claims |= {"iat": issued, "exp": issued + 120, "jti": new_person_id()}
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": "p1"})


def test_a_verified_red_arrival_and_a_declared_green_at_once_leave_the_person_red(
    ctx: Context,
) -> None:
    """Each declaration is stored over the version it read: whichever comes second keeps (or
    is) the verified red, never a green that overwrote it unseen."""
    now = datetime.now(UTC)
    today = shanghai_date(now)
    for _ in range(4):
        actor, person = holder(ctx, now)
        token = _partner_token(ctx, now, "red")
        verified = ArrivalForm(
            "110000", "110105", today, "G1", token, None, None, TestResult.NONE, None
        )
        declared = replace(verified, origin_token=None, origin_color=Color.GREEN)

        def declare(
            form: ArrivalForm, actor: AccessClaims = actor, pid: str = person.person_id
        ) -> Any:
            return declare_return(ctx, actor, pid, form, now)

        with ThreadPoolExecutor(2) as pool:
            views = list(pool.map(declare, (verified, declared)))
        assert views[0]["color"] == "red"
        stored = ctx.store.persons.get(person.person_id, consistent=True)
        assert stored is not None and stored.arrival is not None
        assert Color.RED in (
            stored.arrival.origin_color,
            getattr(stored.arrival.held, "color", None),
        )
        assert stored.color is Color.RED
