"""Field encryption, blind indexes, pseudonyms, signing keys and tokens, on the in-memory store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.domain.model import Color, Role
from chalicelib.security import fields, signing, tokens
from chalicelib.security.partners import unverified_issuer
from chalicelib.services.keys import KeyCache, rotate
from chalicelib.storage.memory import MemoryStore

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def test_a_ciphertext_does_not_decrypt_in_another_field_or_for_another_person() -> None:
    sealed = fields.encrypt("张三丰", "persons:name:aaaa")
    assert "张" not in sealed
    assert fields.decrypt(sealed, "persons:name:aaaa") == "张三丰"
    with pytest.raises(InvalidTag):
        fields.decrypt(sealed, "persons:address:aaaa")
    with pytest.raises(InvalidTag):
        fields.decrypt(sealed, "persons:name:bbbb")


def test_the_same_value_encrypts_differently_every_time() -> None:
    assert fields.encrypt("x", "c") != fields.encrypt("x", "c")


def test_blind_indexes_are_stable_and_kept_apart_by_kind() -> None:
    assert fields.blind_index("id", "1") == fields.blind_index("id", "1")
    assert fields.blind_index("id", "1") != fields.blind_index("phone", "1")
    assert fields.blind_index("id", "1") != fields.blind_index("id", "2")
    assert len(fields.blind_index("id", "11010519491231002X")) == 64


def test_pseudonyms_differ_per_token_and_resolve_to_the_person() -> None:
    person_id = fields.new_person_id()
    subjects = {fields.pseudonym(person_id) for _ in range(20)}
    assert len(subjects) == 20
    assert all(len(s) == 22 and person_id not in s for s in subjects)
    assert {fields.resolve_pseudonym(s) for s in subjects} == {person_id}


def test_a_subject_that_is_not_ours_is_refused() -> None:
    with pytest.raises(ValueError):
        fields.resolve_pseudonym("short")


def test_a_code_token_holds_nothing_personal_and_lives_at_most_five_minutes() -> None:
    keys = KeyCache(MemoryStore(), "code")
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


def test_rotation_signs_with_the_new_key_and_still_verifies_tokens_of_the_old_one() -> None:
    store = MemoryStore()
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


def test_a_retired_key_leaves_the_jwks_once_its_tokens_can_no_longer_be_valid() -> None:
    store = MemoryStore()
    keys = KeyCache(store, "code")
    first = keys.signer(NOW).kid
    rotate(store, "code", NOW)
    keys.forget()
    gone = NOW + signing.longest_token_life("code") + timedelta(seconds=1)
    assert first not in {k["kid"] for k in keys.published(gone)}
    assert first in {k["kid"] for k in keys.published(NOW + timedelta(days=14))}


def test_an_access_token_carries_roles_and_place_and_is_refused_as_a_code() -> None:
    store = MemoryStore()
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


def test_an_access_token_expires_after_an_hour() -> None:
    from chalicelib.domain.errors import Unauthenticated

    access = KeyCache(MemoryStore(), "access")
    token, _ = tokens.issue_access(access, "acc1", frozenset({Role.RESIDENT}), None, NOW)
    with pytest.raises(Unauthenticated):
        tokens.verify_access(access, token, NOW + timedelta(hours=1, minutes=1))


# The JWK, its kid and header reading come from PyJWT; these pin what they were before.
_PUBLISHED = {
    # private value -> (purpose, the JWK published for it)
    20201122: (
        "code",
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "Oom1g_HRCsvpZkNb06B-HueITfQNN7AqagyVT482nKc",
            "y": "tTQxXF2oyGli24TPG2g_FRl0MABIABp-EAb0T5YbBdY",
            "kid": "cXwo-lva",
            "use": "sig",
            "alg": "ES256",
        },
    ),
    379: (  # x starts with a zero byte: still 32 bytes, 43 characters
        "place",
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "AFVDiUrz0A7X10Cr29dclrBod7eH219w7qeLkKjXwAo",
            "y": "u0yFo9jqKe-q-iRAaRLdhNWxTcMr9lbvbGvVil2UP5I",
            "kid": "pJSNtXBb",
            "use": "sig",
            "alg": "ES256",
        },
    ),
}


@pytest.mark.parametrize("private_value", sorted(_PUBLISHED))
def test_a_keys_published_jwk_and_kid_are_the_same_as_before(private_value: int) -> None:
    purpose, expected = _PUBLISHED[private_value]
    public = ec.derive_private_key(private_value, ec.SECP256R1()).public_key()
    jwk = signing.public_jwk(public, purpose)
    assert jwk == expected
    assert list(jwk) == list(expected)  # the JWKS document's bytes too


def test_a_new_key_is_stored_with_its_jwk_and_signs_what_the_jwk_verifies() -> None:
    key = signing.new_key("code", NOW)
    loaded = signing.load(key)
    assert key.kid == key.public_jwk["kid"] and len(key.kid) == 8 and key.kid[0] == "c"
    token = jwt.encode({"a": 1}, loaded.private, algorithm="ES256", headers={"kid": key.kid})
    public = jwt.PyJWK(key.public_jwk).key
    assert jwt.decode(token, public, algorithms=["ES256"]) == {"a": 1}


_BAD_HEADERS = {
    "not base64url": "!!!!.e30.e30",
    "not JSON": "bm90IGpzb24.e30.e30",
    "a JSON list": "W10.e30.e30",
    "a number as kid": "eyJhbGciOiJFUzI1NiIsImtpZCI6MX0.e30.e30",
    "two segments": "eyJhbGciOiJFUzI1NiJ9.e30",
    "one segment": "eyJhbGciOiJFUzI1NiJ9",
}


@pytest.mark.parametrize("token", _BAD_HEADERS.values(), ids=_BAD_HEADERS.keys())
def test_a_token_with_a_bad_header_is_malformed_for_every_verifier(token: str) -> None:
    from chalicelib.domain.errors import Unauthenticated
    from chalicelib.domain.places import InvalidPlaceCode
    from chalicelib.security.place_tokens import verify_place

    store = MemoryStore()
    with pytest.raises(tokens.CodeRejected) as rejected:
        tokens.verify_code(KeyCache(store, "code"), token, NOW)
    assert rejected.value.reason == "malformed"
    with pytest.raises(Unauthenticated):
        tokens.verify_access(KeyCache(store, "access"), token, NOW)
    with pytest.raises(InvalidPlaceCode):
        verify_place(KeyCache(store, "place"), token, NOW)
    assert unverified_issuer(token) is None


def test_the_unverified_issuer_is_read_from_a_token_without_checking_it() -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode({"iss": "hb.example", "exp": 1}, stranger, algorithm="ES256")
    assert unverified_issuer(token) == "hb.example"
    no_issuer = jwt.api_jws.encode(b'{"iss": 7}', stranger, algorithm="ES256")
    assert unverified_issuer(no_issuer) is None
