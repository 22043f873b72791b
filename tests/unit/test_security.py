"""Field encryption, blind indexes, pseudonyms, published keys and reading token headers."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.security import fields, signing
from chalicelib.security.partners import unverified_issuer

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


def test_the_unverified_issuer_is_read_from_a_token_without_checking_it() -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode({"iss": "hb.example", "exp": 1}, stranger, algorithm="ES256")
    assert unverified_issuer(token) == "hb.example"
    no_issuer = jwt.api_jws.encode(b'{"iss": 7}', stranger, algorithm="ES256")
    assert unverified_issuer(no_issuer) is None
