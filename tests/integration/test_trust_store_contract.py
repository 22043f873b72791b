"""The trust-list and arrival part of the store contract on DynamoDB Local; and one partner
token used by two arrivals at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.domain.entities import Issuer
from chalicelib.domain.errors import NotFound, OriginCodeUsed
from chalicelib.domain.model import ABROAD, Arrival, Color, TestResult
from chalicelib.security.fields import new_person_id
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
