"""ES256 signing keys: making one, its public JWK and short kid, loading a stored one, and how
long a key stays published.

Three purposes with separate keys: `code` (QR tokens; public keys at /.well-known/jwks.json),
`access` (login tokens; never published) and `place` (place codes, published too). A key that
stops signing stays published until every token it signed has expired (`retire_at`). Place
tokens never expire: a superseded place key keeps no `retire_at` while an open place uses it
(docs/decisions/0009-places-visits-reports.md); the newest unretired key is the signer.

Keeping keys in the store, caching them per process and rotating them are use cases
(chalicelib/services/keys.py); the token modules here take any `Keys`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm
from jwt.utils import base64url_decode, base64url_encode

from chalicelib import config
from chalicelib.domain.entities import SigningKey

PURPOSES = ("code", "access", "place")


def longest_token_life(purpose: str) -> timedelta:
    """How long a retired key must stay published: the longest-lived token it may have signed
    (paper codes: 14 days and a day of slack) plus the verifier's leeway."""
    if purpose == "access":
        life = config.access_token_seconds()
    else:
        life = max(config.code_token_seconds(), 15 * 86400)
    return timedelta(seconds=life + config.token_leeway_seconds() + config.key_cache_seconds())


def place_key_grace() -> timedelta:
    """How long after a newer place key appears an older one may still sign (instances read
    the keys again every key_cache_seconds), plus the verifier's leeway."""
    return timedelta(seconds=2 * config.key_cache_seconds() + config.token_leeway_seconds())


def public_jwk(public: ec.EllipticCurvePublicKey, purpose: str) -> dict[str, str]:
    """The published JWK of a P-256 key (kty, crv, x, y, kid, use, alg), with its kid: the
    purpose's initial and 42 bits of the hash of the coordinates. Short on purpose: the kid
    travels in every QR code."""
    jwk: dict[str, str] = ECAlgorithm.to_jwk(public, as_dict=True)
    point = base64url_decode(jwk["x"]) + base64url_decode(jwk["y"])
    kid = purpose[0] + base64url_encode(hashlib.sha256(point).digest()[:6]).decode()[:7]
    return {**jwk, "kid": kid, "use": "sig", "alg": "ES256"}


COMPACT_KID_BYTES = 4


def thumbprint(jwk: dict[str, str]) -> bytes:
    """The RFC 7638 SHA-256 thumbprint of a public EC JWK: the required members crv, kty, x, y
    as JSON, keys sorted, no whitespace."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    return hashlib.sha256(
        json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
    ).digest()


def compact_kid(jwk: dict[str, str]) -> bytes:
    """The key id of compact (v2) code tokens: the first 4 bytes of the JWK's thumbprint, so the
    keys published at /.well-known/jwks.json (and a partner's in the trust list) serve both
    formats."""
    return thumbprint(jwk)[:COMPACT_KID_BYTES]


def public_compact_kid(public: ec.EllipticCurvePublicKey) -> bytes:
    return compact_kid(ECAlgorithm.to_jwk(public, as_dict=True))


def new_key(purpose: str, now: datetime) -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = public_jwk(private.public_key(), purpose)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SigningKey(jwk["kid"], purpose, pem, jwk, now)


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    private: ec.EllipticCurvePrivateKey | None
    public: ec.EllipticCurvePublicKey
    jwk: dict[str, str]
    retire_at: datetime | None
    revoked: bool = False


def load(key: SigningKey) -> LoadedKey:
    """A stored key, ready to sign and verify."""
    private = serialization.load_pem_private_key(key.private_pem, password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    return LoadedKey(
        key.kid,
        private,
        private.public_key(),
        key.public_jwk,
        key.retire_at,
        key.revoked_at is not None,
    )


class Keys(Protocol):
    """The keys of one purpose as the token modules use them (services.keys.KeyCache)."""

    def signer(self, now: datetime) -> LoadedKey:
        """The key that signs now."""
        ...

    def public_key(self, kid: str, now: datetime) -> LoadedKey | None:
        """The key named `kid` if it is still published at `now`, else None (revoked too)."""
        ...

    def revoked(self, kid: str) -> bool:
        """Whether the key named `kid` was revoked: what a token it signed is refused for."""
        ...

    def kids_for(self, compact: bytes, now: datetime) -> list[str]:
        """The kids of the keys (published, retired or revoked) whose compact (v2) key id is
        `compact`: usually one, more only on a collision of the 4 bytes."""
        ...
