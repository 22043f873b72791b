"""Code tokens v2 (`HC2:` + base45 of a COSE_Sign1 CWT, issue 15): what they hold, how small they
are, that a token made from docs/api.md's byte layout alone verifies, and every forgery or broken
shape refused with its reason (never an exception of another kind)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import base45  # type: ignore[import-untyped]
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib import config, qr
from chalicelib.domain.model import Color
from chalicelib.security import compact, tokens
from chalicelib.security.fields import new_person_id
from chalicelib.security.partners import verify_partner_code
from chalicelib.security.signing import LoadedKey, compact_kid, public_jwk, thumbprint
from tests import compact_forge as forge

T = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
IAT = int(T.timestamp())


class OneKey:
    """A single in-memory code key, always published (the token module's Keys)."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.key = LoadedKey("c1", self.private, self.private.public_key(), {}, None)
        self.revoked_kids: set[str] = set()

    def signer(self, now: datetime) -> LoadedKey:
        return self.key

    def public_key(self, kid: str, now: datetime) -> LoadedKey | None:
        if kid != self.key.kid or kid in self.revoked_kids:
            return None
        return self.key

    def revoked(self, kid: str) -> bool:
        return kid in self.revoked_kids

    def kids_for(self, compact_id: bytes, now: datetime) -> list[str]:
        return [self.key.kid] if compact_id == forge.key_id(self.key.public) else []


@pytest.fixture
def keys() -> OneKey:
    return OneKey()


def _ours(keys: OneKey, **kw: object) -> str:
    return forge.token(keys.private, config.issuer(), IAT, **kw)  # type: ignore[arg-type]


def _rejected(keys: OneKey, token: str, now: datetime = T) -> str:
    with pytest.raises(tokens.CodeRejected) as refused:
        tokens.verify_code(keys, token, now)
    return refused.value.reason


# --- what a v2 token is ---------------------------------------------------------------------------


def test_a_v2_live_token_is_hc2_base45_and_fits_qr_version_8_at_level_m(keys: OneKey) -> None:
    token, _ = tokens.issue_code(keys, new_person_id(), Color.YELLOW, T, v2=True)
    assert token.startswith("HC2:")
    assert set(token[4:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert len(token) <= 221  # the alphanumeric capacity of version 8 at level M
    assert qr.version(token) <= 8
    assert qr._make(token).mode == "alphanumeric"


def test_a_v2_token_verifies_to_the_same_person_colour_kind_and_times_as_v1(
    keys: OneKey,
) -> None:
    person = new_person_id()
    life = timedelta(days=3)
    v1, _ = tokens.issue_code(keys, person, Color.RED, T, kind="paper", lifetime=life)
    v2, _ = tokens.issue_code(keys, person, Color.RED, T, kind="paper", lifetime=life, v2=True)
    one, two = tokens.verify_code(keys, v1, T), tokens.verify_code(keys, v2, T)
    assert (two.person_id, two.color, two.kind) == (person, Color.RED, "paper")
    assert (two.issued_at, two.expires_at) == (one.issued_at, one.expires_at) == (T, T + life)


def test_every_v2_token_carries_a_different_pseudonym_that_is_its_one_time_id(
    keys: OneKey,
) -> None:
    person = new_person_id()
    issued = [tokens.issue_code(keys, person, Color.GREEN, T, v2=True)[0] for _ in range(20)]
    claims = [tokens.verify_code(keys, token, T) for token in issued]
    assert len({c.jti for c in claims}) == 20
    assert {c.person_id for c in claims} == {person}


def test_the_v2_payload_holds_no_personal_data_only_the_documented_claims(keys: OneKey) -> None:
    token, _ = tokens.issue_code(keys, new_person_id(), Color.GREEN, T, v2=True)
    message = cbor2.loads(base45.b45decode(token[4:]))
    assert message.tag == 18
    protected, unprotected, payload, signature = message.value
    assert cbor2.loads(protected) == {1: -7, 4: forge.key_id(keys.key.public)}
    assert unprotected == {} and len(signature) == 64
    claims = cbor2.loads(payload)
    assert set(claims) == {1, 4, 6, -65537}
    assert claims[1] == config.issuer() and claims[4] - claims[6] == 180
    facts = claims[-65537]
    assert (facts[1], facts[2], len(facts[3])) == (1, 1, 16)  # green, live, 16-byte pseudonym


def test_the_key_id_is_the_start_of_the_rfc_7638_thumbprint_of_the_published_jwk() -> None:
    # Written out as RFC 7638 section 3 says: the required members only, sorted, no spaces.
    private = ec.generate_private_key(ec.SECP256R1())
    published = public_jwk(private.public_key(), "code")
    canonical = json.dumps(
        {"crv": "P-256", "kty": "EC", "x": published["x"], "y": published["y"]},
        separators=(",", ":"),
    )
    assert canonical.startswith('{"crv":"P-256","kty":"EC","x":"')
    import hashlib

    assert thumbprint(published) == hashlib.sha256(canonical.encode()).digest()
    assert compact_kid(published) == thumbprint(published)[:4] == forge.key_id(private.public_key())


def test_a_token_made_from_the_documented_layout_with_cbor2_alone_verifies(keys: OneKey) -> None:
    person = new_person_id()
    from chalicelib.security.fields import raw_pseudonym

    token = _ours(keys, color="yellow", pseudonym=raw_pseudonym(person))
    claims = tokens.verify_code(keys, token, T)
    assert (claims.person_id, claims.color, claims.kind) == (person, Color.YELLOW, "live")


def test_an_untagged_cose_sign1_is_refused_as_malformed(keys: OneKey) -> None:
    message = forge.sign1(keys.private, forge.claims(config.issuer(), IAT), tag=None)
    assert _rejected(keys, forge.text(message)) == "malformed"


# --- attacks ------------------------------------------------------------------------------------


def test_a_v2_token_signed_by_another_key_under_our_key_id_is_a_bad_signature(
    keys: OneKey,
) -> None:
    attacker = ec.generate_private_key(ec.SECP256R1())
    payload = forge.claims(config.issuer(), IAT, color="green")
    message = forge.sign1(attacker, payload, kid=forge.key_id(keys.key.public))
    assert _rejected(keys, forge.text(message)) == "bad_signature"


def test_a_v2_token_whose_colour_was_changed_after_signing_is_a_bad_signature(
    keys: OneKey,
) -> None:
    red = _ours(keys, color="red")
    assert tokens.verify_code(keys, red, T).color is Color.RED
    assert _rejected(keys, forge.retagged_colour(red, "green")) == "bad_signature"


def test_a_v2_token_with_an_unknown_key_id_is_an_unknown_key(keys: OneKey) -> None:
    payload = forge.claims(config.issuer(), IAT)
    message = forge.sign1(keys.private, payload, kid=b"\x00\x01\x02\x03")
    assert _rejected(keys, forge.text(message)) == "unknown_key"


def test_a_v2_token_signed_by_a_revoked_key_is_refused_as_such(keys: OneKey) -> None:
    token = _ours(keys)
    keys.revoked_kids.add(keys.key.kid)
    assert _rejected(keys, token) == "revoked_key"


@pytest.mark.parametrize(
    "alg", [-35, -8, 5, 0, "ES256"], ids=["ES384", "EdDSA", "HS256", "0", "text"]
)
def test_a_v2_token_naming_another_algorithm_is_a_bad_signature(keys: OneKey, alg: object) -> None:
    protected = {1: alg, 4: forge.key_id(keys.key.public)}
    message = forge.sign1(keys.private, forge.claims(config.issuer(), IAT), protected=protected)
    assert _rejected(keys, forge.text(message)) == "bad_signature"


def test_a_v2_token_of_another_issuer_signed_with_our_key_is_untrusted(keys: OneKey) -> None:
    token = forge.token(keys.private, "healthcode:999999", IAT)
    assert _rejected(keys, token) == "untrusted_issuer"


def test_an_expired_v2_token_is_expired_and_one_issued_in_the_future_too(keys: OneKey) -> None:
    token = _ours(keys)
    leeway = timedelta(seconds=config.token_leeway_seconds())
    assert tokens.verify_code(
        keys, token, T + timedelta(seconds=180) + leeway - timedelta(seconds=1)
    )
    assert _rejected(keys, token, T + timedelta(seconds=180) + leeway) == "expired"
    assert _rejected(keys, token, T - leeway - timedelta(seconds=1)) == "expired"


@pytest.mark.parametrize("kind", [3, 0, "LIVE", "place"])
def test_a_v2_token_of_another_kind_is_the_wrong_kind_or_malformed(
    keys: OneKey, kind: object
) -> None:
    reason = _rejected(keys, _ours(keys, kind=kind))
    assert reason == ("wrong_kind" if isinstance(kind, int) else "malformed")


def test_an_access_token_presented_in_v2_clothing_is_no_code(keys: OneKey) -> None:
    # The claims of an access token, signed with our code key in the v2 envelope.
    payload = {1: config.issuer(), 2: "account", 3: "healthcode-api", 4: IAT + 60, 6: IAT}
    message = forge.sign1(keys.private, payload)
    assert _rejected(keys, forge.text(message)) == "malformed"


def test_a_v1_access_token_is_still_no_code(keys: OneKey) -> None:
    from chalicelib.domain.model import Role

    access, _ = tokens.issue_access(keys, "account", frozenset({Role.CHECKER}), None, T)
    assert _rejected(keys, access) == "wrong_kind"


BROKEN: dict[str, object] = {
    "truncated": lambda t: t[:-7],
    "one character cut": lambda t: t[:-1],
    "lower case": lambda t: t.lower(),
    "prefix only": lambda t: "HC2:",
    "not base45": lambda t: "HC2:" + "~" * 30,
    "garbage bytes": lambda t: forge.text(os.urandom(120)),
    "garbage CBOR map": lambda t: forge.text(cbor2.dumps({"a": [1, 2, {3: b"x"}]})),
    "nested 2000 deep": lambda t: forge.text(b"\x81" * 2000 + b"\x00"),
    "a CBOR date tag": lambda t: forge.text(cbor2.dumps(cbor2.CBORTag(0, "not a date"))),
    "MAC0 tag": lambda t: forge.text(cbor2.dumps(cbor2.CBORTag(17, [b"", {}, b"", b""]))),
    "three parts": lambda t: forge.text(cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b""]))),
    "huge declared length": lambda t: forge.text(b"\xd2\x84\x5b" + b"\xff" * 8),
}


@pytest.mark.parametrize("breaking", list(BROKEN.values()), ids=list(BROKEN))
def test_a_broken_v2_token_is_malformed_never_an_error(keys: OneKey, breaking: object) -> None:
    token = _ours(keys)
    assert callable(breaking)
    assert _rejected(keys, breaking(token)) == "malformed"


@pytest.mark.parametrize(
    "payload",
    [
        {1: "healthcode:370000", 4: IAT + 60, 6: IAT},  # no code facts
        {**forge.claims("healthcode:370000", IAT), 2: "sub"},  # an extra claim
        {**forge.claims("healthcode:370000", IAT), 4: True},  # a boolean for exp
        {**forge.claims("healthcode:370000", IAT), 4: float(IAT + 60)},  # a float exp
        {**forge.claims("healthcode:370000", IAT), 1: b"issuer"},  # bytes for iss
        forge.claims("healthcode:370000", IAT, color=4),  # no such colour
        forge.claims("healthcode:370000", IAT, color="green-ish"),
        forge.claims("healthcode:370000", IAT, pseudonym=b"short"),
        [1, 2, 3],
    ],
    ids=[
        "no facts",
        "extra claim",
        "bool exp",
        "float exp",
        "bytes iss",
        "colour 4",
        "text colour",
        "short pseudonym",
        "array",
    ],
)
def test_a_v2_token_with_claims_of_the_wrong_shape_is_malformed(
    keys: OneKey, payload: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_ISSUER", "healthcode:370000")
    assert _rejected(keys, forge.text(forge.sign1(keys.private, payload))) == "malformed"


def test_a_v2_token_with_its_kid_unprotected_or_extra_headers_is_malformed(keys: OneKey) -> None:
    payload = forge.claims(config.issuer(), IAT)
    kid = forge.key_id(keys.key.public)
    variants = [
        forge.sign1(keys.private, payload, protected={1: -7}, unprotected={4: kid}),
        forge.sign1(keys.private, payload, protected={1: -7, 4: kid, 3: "application/cwt"}),
        forge.sign1(keys.private, payload, protected={1: -7, 4: kid + kid}),
        forge.sign1(keys.private, payload, unprotected={4: kid}),
    ]
    for message in variants:
        assert _rejected(keys, forge.text(message)) == "malformed"


# --- partners ------------------------------------------------------------------------------------


def test_a_partners_v2_token_verifies_against_the_jwk_in_its_trust_list_entry() -> None:
    partner = ec.generate_private_key(ec.SECP256R1())
    jwks = {"keys": [forge.jwk(partner.public_key(), "bj-2026")]}
    token = forge.token(partner, "bj:110000", IAT, color="yellow")
    claims = verify_partner_code(token, "bj:110000", jwks, T)
    assert (claims.issuer, claims.color, claims.kind) == ("bj:110000", Color.YELLOW, "live")
    assert len(claims.jti) == 22  # the pseudonym, base64url: what an arrival claims once


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p, o: forge.token(p, "bj:110000", IAT, kind="paper"), "wrong_kind"),
        (lambda p, o: forge.token(o, "bj:110000", IAT), "unknown_key"),
        (
            lambda p, o: forge.text(
                forge.sign1(o, forge.claims("bj:110000", IAT), kid=forge.key_id(p.public_key()))
            ),
            "bad_signature",
        ),
        (lambda p, o: forge.token(p, "bj:110000", IAT - 600), "expired"),
        (lambda p, o: forge.token(p, "bj:110000", IAT, life=86400), "malformed"),
        (lambda p, o: forge.token(p, "sh:310000", IAT), "malformed"),
    ],
    ids=["paper", "other key", "forged under its kid", "expired", "too long", "other iss"],
)
def test_a_bad_partner_v2_token_is_refused_with_its_reason(make: object, reason: str) -> None:
    partner, other = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    jwks = {"keys": [forge.jwk(partner.public_key(), "bj-2026")]}
    assert callable(make)
    with pytest.raises(tokens.CodeRejected) as refused:
        verify_partner_code(make(partner, other), "bj:110000", jwks, T)
    assert refused.value.reason == reason


def test_the_unverified_issuer_of_a_v2_token_is_read_and_of_garbage_is_none() -> None:
    from chalicelib.security.partners import unverified_issuer

    partner = ec.generate_private_key(ec.SECP256R1())
    assert unverified_issuer(forge.token(partner, "bj:110000", IAT)) == "bj:110000"
    assert unverified_issuer("HC2:" + "A" * 10) is None
    assert compact.unverified_issuer(forge.text(b"\x81" * 3000)) is None


# --- the example of docs/api.md ---------------------------------------------------------------


def _documented() -> tuple[str, dict[str, str]]:
    import re

    text = (config.PROJECT_ROOT / "docs" / "api.md").read_text()
    section = text[text.index("## Code tokens v2") :]
    (token,) = re.findall(r"^  (HC2:[0-9A-Z $%*+./:-]+)$", section, re.MULTILINE)
    jwk = {
        name: re.search(rf'"{name}": "([^"]+)"', section).group(1)  # type: ignore[union-attr]
        for name in ("kty", "crv", "kid", "x", "y", "d")
    }
    return token, jwk


def test_the_example_of_api_md_verifies_with_its_key_and_has_the_documented_bytes() -> None:
    token, jwk = _documented()
    example_time = datetime(2026, 11, 28, 4, 1, tzinfo=UTC)
    public = {k: v for k, v in jwk.items() if k != "d"}
    claims = verify_partner_code(token, "healthcode:370000", {"keys": [public]}, example_time)
    assert (claims.color, claims.kind, claims.issued_at) == (
        Color.GREEN,
        "live",
        example_time - timedelta(minutes=1),
    )
    assert claims.jti == compact.read(token).claims["sub"]
    raw = base45.b45decode(token[4:])
    assert len(token) == 216 and len(raw) == 141
    assert raw.hex().startswith("d28449a201260444bf03ee11a0583ca401716865616c7468636f6465")
    assert compact_kid(public).hex() == "bf03ee11"
    assert cbor2.loads(cbor2.loads(raw).value[2])[-65537][3].hex() == (
        "8f3a5c0e1b2d4f6a7c9e0b1d3f5a7c9e"
    )


def test_the_example_key_signs_a_fresh_token_that_verifies_the_same() -> None:
    import base64

    _, jwk = _documented()
    d = int.from_bytes(base64.urlsafe_b64decode(jwk["d"] + "=="), "big")
    private = ec.derive_private_key(d, ec.SECP256R1())
    assert forge.jwk(private.public_key())["x"] == jwk["x"]
    public = {k: v for k, v in jwk.items() if k != "d"}
    token = forge.token(private, "healthcode:370000", IAT, color="red")
    assert verify_partner_code(token, "healthcode:370000", {"keys": [public]}, T).color is Color.RED


def test_a_thousand_mutated_or_cut_v2_tokens_are_each_refused_with_a_reason(keys: OneKey) -> None:
    import random

    good = base45.b45decode(_ours(keys)[4:])
    rnd = random.Random(15)
    reasons = set()
    for i in range(1000):
        raw = bytearray(good)
        if i % 2:
            for _ in range(rnd.randint(1, 4)):
                raw[rnd.randrange(len(raw))] ^= rnd.randrange(1, 256)  # a real change
        else:
            raw = raw[: rnd.randrange(len(raw))]
        reasons.add(_rejected(keys, forge.text(bytes(raw))))
    assert reasons <= {"malformed", "bad_signature", "unknown_key", "wrong_kind", "expired"}
    assert {"malformed", "bad_signature"} <= reasons
