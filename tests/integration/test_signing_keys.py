"""Signing keys kept in the store: rotation, retirement, and the tokens they sign."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib.domain.model import Color, Role
from chalicelib.security import fields, signing, tokens
from chalicelib.security.partners import unverified_issuer
from chalicelib.services.keys import KeyCache, rotate
from chalicelib.services.ports import Store

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def test_a_code_token_holds_nothing_personal_and_lives_at_most_five_minutes(store: Store) -> None:
    keys = KeyCache(store, "code")
    person_id = fields.new_person_id()
    token, expires = tokens.issue_code(keys, person_id, Color.GREEN, NOW)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header == {"alg": "ES256", "kid": header["kid"]}
    assert set(claims) == {"iss", "sub", "color", "kind", "iat", "exp", "jti"}
    assert claims["exp"] - claims["iat"] <= 300 and expires <= NOW + timedelta(minutes=5)
    assert person_id not in token
    verified = tokens.verify_code(keys, token, NOW + timedelta(seconds=30))
    assert (verified.person_id, verified.color, verified.kind) == (person_id, Color.GREEN, "live")


def test_rotation_signs_with_the_new_key_and_still_verifies_tokens_of_the_old_one(
    store: Store,
) -> None:
    keys = KeyCache(store, "code")
    old_token, _ = tokens.issue_code(keys, fields.new_person_id(), Color.RED, NOW)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    rotate(store, "code", NOW + timedelta(seconds=1))
    keys.forget()
    new_token, _ = tokens.issue_code(keys, fields.new_person_id(), Color.RED, NOW)
    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    assert tokens.verify_code(keys, old_token, NOW + timedelta(seconds=60)).color is Color.RED
    published = {k["kid"] for k in keys.published(NOW + timedelta(minutes=10))}
    assert old_kid in published


def test_a_retired_key_leaves_the_jwks_once_its_tokens_can_no_longer_be_valid(store: Store) -> None:
    keys = KeyCache(store, "code")
    first = keys.signer(NOW).kid
    rotate(store, "code", NOW)
    keys.forget()
    gone = NOW + signing.longest_token_life("code") + timedelta(seconds=1)
    assert first not in {k["kid"] for k in keys.published(gone)}
    assert first in {k["kid"] for k in keys.published(NOW + timedelta(days=14))}


def test_an_access_token_carries_roles_and_place_and_is_refused_as_a_code(store: Store) -> None:
    access, code = KeyCache(store, "access"), KeyCache(store, "code")
    token, lifetime = tokens.issue_access(
        access, "acc1", frozenset({Role.RESIDENT, Role.CHECKER}), "gate-1", NOW
    )
    assert lifetime == 3600
    claims = tokens.verify_access(access, token, NOW)
    assert claims.roles == {Role.RESIDENT, Role.CHECKER} and claims.place_id == "gate-1"
    with pytest.raises(tokens.CodeRejected) as rejected:
        tokens.verify_code(code, token, NOW)
    assert rejected.value.reason == "wrong_kind"


def test_an_access_token_expires_after_an_hour(store: Store) -> None:
    from chalicelib.domain.errors import Unauthenticated

    access = KeyCache(store, "access")
    token, _ = tokens.issue_access(access, "acc1", frozenset({Role.RESIDENT}), None, NOW)
    with pytest.raises(Unauthenticated):
        tokens.verify_access(access, token, NOW + timedelta(hours=1, minutes=1))


_BAD_HEADERS = {
    "not base64url": "!!!!.e30.e30",
    "not JSON": "bm90IGpzb24.e30.e30",
    "a JSON list": "W10.e30.e30",
    "a number as kid": "eyJhbGciOiJFUzI1NiIsImtpZCI6MX0.e30.e30",
    "two segments": "eyJhbGciOiJFUzI1NiJ9.e30",
    "one segment": "eyJhbGciOiJFUzI1NiJ9",
}


@pytest.mark.parametrize("token", _BAD_HEADERS.values(), ids=_BAD_HEADERS.keys())
def test_a_token_with_a_bad_header_is_malformed_for_every_verifier(
    token: str, store: Store
) -> None:
    from chalicelib.domain.errors import Unauthenticated
    from chalicelib.domain.places import InvalidPlaceCode
    from chalicelib.security.place_tokens import verify_place

    with pytest.raises(tokens.CodeRejected) as rejected:
        tokens.verify_code(KeyCache(store, "code"), token, NOW)
    assert rejected.value.reason == "malformed"
    with pytest.raises(Unauthenticated):
        tokens.verify_access(KeyCache(store, "access"), token, NOW)
    with pytest.raises(InvalidPlaceCode):
        verify_place(KeyCache(store, "place"), token, NOW)
    assert unverified_issuer(token) is None


def test_a_v2_token_names_its_key_by_the_jwks_thumbprint_and_survives_a_rotation(
    store: Store,
) -> None:
    keys = KeyCache(store, "code")
    person_id = fields.new_person_id()
    old_token, _ = tokens.issue_code(keys, person_id, Color.RED, NOW, v2=True)
    published = {signing.compact_kid(jwk) for jwk in keys.published(NOW)}
    assert signing.public_compact_kid(keys.signer(NOW).public) in published
    rotate(store, "code", NOW + timedelta(seconds=1))
    elsewhere = KeyCache(store, "code")  # a fresh instance: finds the old key by its thumbprint
    new_token, _ = tokens.issue_code(elsewhere, person_id, Color.RED, NOW, v2=True)
    for token in (old_token, new_token):
        verified = tokens.verify_code(elsewhere, token, NOW + timedelta(seconds=60))
        assert (verified.person_id, verified.color) == (person_id, Color.RED)
    assert unverified_issuer(new_token) == unverified_issuer(old_token)
