"""Compact code tokens (v2, `HC2:`): a CBOR Web Token (RFC 8392) signed as a COSE_Sign1 (RFC 9052)
with ES256 and written as base45 text (RFC 9285), which a QR code packs in alphanumeric mode.

Layout (docs/api.md, "Code tokens v2"): `HC2:` + base45(COSE_Sign1), the COSE_Sign1 tagged 18:
`[protected = bstr({1: -7, 4: kid}), unprotected = {}, payload = bstr(claims), signature]`,
the signature raw r||s (64 bytes), the kid the first 4 bytes of the signing key's RFC 7638
thumbprint. Claims: `{1: iss, 4: exp, 6: iat, -65537: {1: colour, 2: kind, 3: pseudonym}}`,
colour 1 green, 2 yellow, 3 red; kind 1 live, 2 paper; the pseudonym 16 bytes that differ on
every token (the token's one-time id too). Nothing else is accepted.

CBOR and COSE are the libraries' (cbor2, python-cwt); this module only says what goes where and
refuses every other shape. The result of a read is the same claims dict a v1 JWT gives
(`iss, sub, color, kind, iat, exp, jti`, the pseudonym as base64url in `sub` and `jti`), so the
checks after the signature are one set for both formats (security/tokens.py, partners.py).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import base45  # type: ignore[import-untyped]
import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.security.fields import b64url
from chalicelib.security.signing import COMPACT_KID_BYTES

PREFIX = "HC2:"
COSE_SIGN1_TAG = 18
ES256 = -7
ALG, KID = 1, 4  # COSE header labels
ISS, EXP, IAT = 1, 4, 6  # CWT claim keys
HC = -65537  # the private claim (RFC 8392 private use: below -65536) with the code's facts
COLOR, KIND, PSEUDONYM = 1, 2, 3  # keys inside it
COLORS = {1: "green", 2: "yellow", 3: "red"}
KINDS = {1: "live", 2: "paper"}
PSEUDONYM_BYTES = 16
SIGNATURE_BYTES = 64


class Unreadable(Exception):
    """A v2 token refused before or at its signature; `reason` is the verify answer's reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_compact(token: str) -> bool:
    return token.startswith(PREFIX)


def _point(public: ec.EllipticCurvePublicKey) -> tuple[bytes, bytes]:
    numbers = public.public_numbers()
    return numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")


# python-cwt (~10 ms to import) loads on the first v2 token, not with every token check.
@functools.lru_cache(maxsize=64)
def _cose_public(x: bytes, y: bytes, kid: bytes) -> Any:
    from cwt import COSEKey

    return COSEKey.new({1: 2, 3: ES256, -1: 1, -2: x, -3: y, 2: kid})


@functools.lru_cache(maxsize=16)
def _cose_private(x: bytes, y: bytes, d: bytes, kid: bytes) -> Any:
    from cwt import COSEKey

    return COSEKey.new({1: 2, 3: ES256, -1: 1, -2: x, -3: y, -4: d, 2: kid})


@functools.lru_cache(maxsize=1)
def _cose() -> Any:
    from cwt import COSE

    return COSE.new()


def encode(
    private: ec.EllipticCurvePrivateKey,
    kid: bytes,
    *,
    issuer: str,
    color: str,
    kind: str,
    pseudonym: bytes,
    issued_at: int,
    expires_at: int,
) -> str:
    """The `HC2:` text of a signed code token."""
    claims = {
        ISS: issuer,
        EXP: expires_at,
        IAT: issued_at,
        HC: {
            COLOR: _code_of(COLORS, color),
            KIND: _code_of(KINDS, kind),
            PSEUDONYM: pseudonym,
        },
    }
    x, y = _point(private.public_key())
    d = private.private_numbers().private_value.to_bytes(32, "big")
    key = _cose_private(x, y, d, kid)
    message = _cose().encode_and_sign(
        cbor2.dumps(claims), key, protected={ALG: ES256, KID: kid}, unprotected={}
    )
    assert isinstance(message, bytes)
    return PREFIX + base45.b45encode(message).decode("ascii")


def _code_of(table: dict[int, str], name: str) -> int:
    return next(code for code, value in table.items() if value == name)


@dataclass(frozen=True)
class Read:
    """A v2 token taken apart but not yet verified."""

    kid: bytes
    claims: Mapping[str, Any]  # read-only: a read is shared between the calls of a checkpoint
    message: cbor2.CBORTag


def _loads(raw: bytes) -> Any:
    """CBOR from the outside: anything cbor2 refuses (or chokes on: nesting, a tag's own decoder)
    is malformed, never an error of ours."""
    try:
        return cbor2.loads(raw)
    except Exception as error:  # noqa: BLE001 - untrusted bytes; every failure means the same
        raise Unreadable("malformed") from error


def read(token: str) -> Read:
    """The kid and claims of a v2 token, its shape checked. Raises Unreadable: `malformed`, or
    `bad_signature` for another algorithm than ES256 (as for a v1 token). A checkpoint reads a
    token twice (its issuer picks the keys, then the check): the last well-formed ones are kept
    (nothing is trusted from that: the signature is checked on every verify)."""
    return _read(token)


def forget() -> None:
    """Drops the kept reads (a benchmark's fresh token every time)."""
    _read.cache_clear()


@functools.lru_cache(maxsize=256)
def _read(token: str) -> Read:
    try:
        raw = base45.b45decode(token[len(PREFIX) :])
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise Unreadable("malformed") from error
    message = _loads(raw)
    if not isinstance(message, cbor2.CBORTag) or message.tag != COSE_SIGN1_TAG:
        raise Unreadable("malformed")
    parts = message.value
    if not isinstance(parts, list) or len(parts) != 4:
        raise Unreadable("malformed")
    protected_raw, unprotected, payload, signature = parts
    if not all(isinstance(p, bytes) for p in (protected_raw, payload, signature)):
        raise Unreadable("malformed")
    if unprotected != {} or len(signature) != SIGNATURE_BYTES:
        raise Unreadable("malformed")
    protected = _loads(protected_raw)
    if not isinstance(protected, dict) or set(protected) != {ALG, KID}:
        raise Unreadable("malformed")
    if protected[ALG] != ES256:
        raise Unreadable("bad_signature")
    kid = protected[KID]
    if not isinstance(kid, bytes) or len(kid) != COMPACT_KID_BYTES:
        raise Unreadable("malformed")
    return Read(kid, MappingProxyType(_claims(_loads(payload))), message)


def _claims(claims: Any) -> dict[str, Any]:
    if not isinstance(claims, dict) or set(claims) != {ISS, EXP, IAT, HC}:
        raise Unreadable("malformed")
    issuer, expires, issued, facts = claims[ISS], claims[EXP], claims[IAT], claims[HC]
    if not isinstance(issuer, str) or not all(type(t) is int for t in (expires, issued)):
        raise Unreadable("malformed")
    if not isinstance(facts, dict) or set(facts) != {COLOR, KIND, PSEUDONYM}:
        raise Unreadable("malformed")
    color, kind, pseudonym = facts[COLOR], facts[KIND], facts[PSEUDONYM]
    if type(color) is not int or type(kind) is not int or color not in COLORS:
        raise Unreadable("malformed")
    if not isinstance(pseudonym, bytes) or len(pseudonym) != PSEUDONYM_BYTES:
        raise Unreadable("malformed")
    subject = b64url(pseudonym)
    return {
        "iss": issuer,
        "sub": subject,
        "color": COLORS[color],
        "kind": KINDS.get(kind, f"unknown-{kind}"),  # the caller's kind check refuses it
        "iat": issued,
        "exp": expires,
        "jti": subject,  # differs on every token: the one-time id where one is needed
    }


def unverified_issuer(token: str) -> str | None:
    """The `iss` of a well-shaped v2 token, read without any check (it picks whose keys verify
    it); None when it cannot be read."""
    try:
        issuer = read(token).claims["iss"]
    except Unreadable:
        return None
    return issuer if isinstance(issuer, str) else None


def check_signature(token: Read, publics: list[ec.EllipticCurvePublicKey]) -> None:
    """Passes when one of `publics` (the keys whose compact kid is the token's) signed it;
    raises Unreadable("bad_signature") otherwise."""
    for public in publics:
        x, y = _point(public)
        try:
            _cose().decode_with_headers(token.message, [_cose_public(x, y, token.kid)])
            return
        except Exception:  # noqa: BLE001, S112 - the library's VerifyError and any shape error
            continue
    raise Unreadable("bad_signature")
