"""ES256 signing keys shared by every function instance, kept in the store, cached per process.

Three purposes with separate keys: `code` (QR tokens; public keys at /.well-known/jwks.json),
`access` (login tokens; never published) and `place` (place codes, published too). A key that
stops signing stays published until every token it signed has expired (`retire_at`). Place
tokens never expire: a superseded place key keeps no `retire_at` while an open place uses it
(docs/decisions/0009-places-visits-reports.md); the newest unretired key is the signer.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib import config
from chalicelib.domain.entities import SigningKey
from chalicelib.domain.errors import Conflict
from chalicelib.services.ports import Store

PURPOSES = ("code", "access", "place")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def longest_token_life(purpose: str) -> timedelta:
    """How long a retired key must stay published: the longest-lived token it may have signed
    (paper codes: 14 days and a day of slack) plus the verifier's leeway."""
    if purpose == "access":
        life = config.access_token_seconds()
    else:
        life = max(config.code_token_seconds(), 15 * 86400)
    return timedelta(seconds=life + config.token_leeway_seconds() + config.key_cache_seconds())


def new_key(purpose: str, now: datetime) -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.public_key().public_numbers()
    x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
    # Short on purpose: the kid travels in every QR code. 42 bits of the key's hash.
    kid = purpose[0] + _b64(hashlib.sha256(x + y).digest()[:6])[:7]
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    jwk = {"kty": "EC", "crv": "P-256", "x": _b64(x), "y": _b64(y), "kid": kid}
    jwk.update({"use": "sig", "alg": "ES256"})
    return SigningKey(kid, purpose, pem, jwk, now)


def rotate(store: Store, purpose: str, now: datetime) -> SigningKey:
    """Adds a new signing key; the older ones retire once their tokens can no longer be valid."""
    fresh = new_key(purpose, now)
    store.keys.add(fresh)
    if purpose == "place":
        retire_idle_place_keys(store, now)
        return fresh
    for key in store.keys.of_purpose(purpose):
        if key.kid != fresh.kid and key.retire_at is None:
            store.keys.retire(purpose, key.kid, now + longest_token_life(purpose))
    return fresh


def place_key_grace() -> timedelta:
    """How long after a newer place key appears an older one may still sign (instances read
    the keys again every key_cache_seconds), plus the verifier's leeway."""
    return timedelta(seconds=2 * config.key_cache_seconds() + config.token_leeway_seconds())


def retire_idle_place_keys(store: Store, now: datetime) -> list[str]:
    """Retires the place keys that no longer sign (superseded for longer than the grace) and
    that no open place uses; returns their kids. Called on rotation and when a place closes."""
    keys = store.keys.of_purpose("place")  # oldest first
    retired = []
    for key, successor in zip(keys, keys[1:], strict=False):
        superseded_long_ago = successor.created_at + place_key_grace() <= now
        if key.retire_at is None and superseded_long_ago and not store.places.key_in_use(key.kid):
            store.keys.retire("place", key.kid, now + place_key_grace())
            retired.append(key.kid)
    return retired


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    private: ec.EllipticCurvePrivateKey | None
    public: ec.EllipticCurvePublicKey
    jwk: dict[str, str]
    retire_at: datetime | None


class KeyCache:
    """A process's copy of the key table for one purpose, re-read every key_cache_seconds, and
    at once (at most once a second) when a token names a key it does not know."""

    def __init__(self, store: Store, purpose: str) -> None:
        self.store = store
        self.purpose = purpose
        self._lock = threading.Lock()
        self._keys: dict[str, LoadedKey] = {}
        self._signer: LoadedKey | None = None
        self._loaded_at = float("-inf")

    def _load(self, now: datetime) -> None:
        stored = self.store.keys.of_purpose(self.purpose)
        if not any(key.retire_at is None for key in stored):
            try:
                rotate(self.store, self.purpose, now)
            except Conflict:
                pass  # another instance made one at the same moment
            stored = self.store.keys.of_purpose(self.purpose)
        keys = {}
        for key in stored:
            private = serialization.load_pem_private_key(key.private_pem, password=None)
            assert isinstance(private, ec.EllipticCurvePrivateKey)
            keys[key.kid] = LoadedKey(
                key.kid, private, private.public_key(), key.public_jwk, key.retire_at
            )
        signers = [keys[k.kid] for k in stored if k.retire_at is None]
        self._keys, self._signer = keys, signers[-1]
        self._loaded_at = time.monotonic()

    def _fresh(self, now: datetime, max_age: float) -> None:
        with self._lock:
            if time.monotonic() - self._loaded_at > max_age:
                self._load(now)

    def signer(self, now: datetime) -> LoadedKey:
        self._fresh(now, config.key_cache_seconds())
        assert self._signer is not None
        return self._signer

    def public_key(self, kid: str, now: datetime) -> LoadedKey | None:
        self._fresh(now, config.key_cache_seconds())
        if kid not in self._keys:
            self._fresh(now, 1.0)
        key = self._keys.get(kid)
        if key is None or (key.retire_at is not None and key.retire_at <= now):
            return None
        return key

    def published(self, now: datetime) -> list[dict[str, str]]:
        self._fresh(now, config.key_cache_seconds())
        return [k.jwk for k in self._keys.values() if k.retire_at is None or k.retire_at > now]

    def forget(self) -> None:
        with self._lock:
            self._loaded_at = float("-inf")
