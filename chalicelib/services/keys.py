"""ES256 signing keys shared by every function instance: kept in the store, cached per process,
rotated and retired. Making, loading and publishing a key is chalicelib/security/signing.py."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from chalicelib import config
from chalicelib.domain.entities import SigningKey
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.security.signing import (
    PURPOSES,
    LoadedKey,
    compact_kid,
    load,
    longest_token_life,
    new_key,
    place_key_grace,
)
from chalicelib.services.ports import Store


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


def revoke(store: Store, kid: str, now: datetime) -> tuple[str, SigningKey | None]:
    """Pulls a key at once (a leaked key: the EU DCC lesson of 2021): it leaves the JWKS and
    nothing it signed verifies (`revoked_key`), in every instance within key_cache_seconds.
    When it was its purpose's signing key, a new one signs from now. Returns the purpose and the
    new key, if one was made. NotFound when no purpose has the kid."""
    for purpose in PURPOSES:
        if store.keys.revoke(purpose, kid, now):
            active = [k for k in store.keys.of_purpose(purpose) if k.retire_at is None]
            return purpose, None if active else rotate(store, purpose, now)
    raise NotFound(f"There is no signing key {kid}.", f"没有签名密钥 {kid}。")


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


class KeyCache:
    """A process's copy of the key table for one purpose, re-read every key_cache_seconds, and
    at once (at most once a second) when a token names a key it does not know."""

    def __init__(self, store: Store, purpose: str) -> None:
        self.store = store
        self.purpose = purpose
        self._lock = threading.Lock()
        self._keys: dict[str, LoadedKey] = {}
        self._compact: dict[bytes, list[str]] = {}
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
        keys = {key.kid: load(key) for key in stored}
        signers = [keys[k.kid] for k in stored if k.retire_at is None and k.revoked_at is None]
        compact: dict[bytes, list[str]] = {}
        for key in stored:
            compact.setdefault(compact_kid(key.public_jwk), []).append(key.kid)
        self._keys, self._signer, self._compact = keys, signers[-1], compact
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
        if key is None or key.revoked or (key.retire_at is not None and key.retire_at <= now):
            return None
        return key

    def kids_for(self, compact: bytes, now: datetime) -> list[str]:
        self._fresh(now, config.key_cache_seconds())
        if compact not in self._compact:
            self._fresh(now, 1.0)
        return list(self._compact.get(compact, ()))

    def revoked(self, kid: str) -> bool:
        key = self._keys.get(kid)
        return key is not None and key.revoked

    def published(self, now: datetime) -> list[dict[str, str]]:
        self._fresh(now, config.key_cache_seconds())
        return [
            k.jwk
            for k in self._keys.values()
            if not k.revoked and (k.retire_at is None or k.retire_at > now)
        ]

    def forget(self) -> None:
        with self._lock:
            self._loaded_at = float("-inf")
