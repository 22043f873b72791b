"""A checker's access token is verified once per process (issue 13 item 6): later calls with the
same token skip the signature check, but a key no longer published, a changed key behind the same
kid, an expired token or another issuer still refuse it, and the cache keeps at most its bound."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import Role
from chalicelib.security import tokens
from chalicelib.security.signing import LoadedKey

T = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
LIFE, LEEWAY = 3600, 10


class Keys:
    """One in-memory access key that can be pulled (what a revoked key looks like to tokens)."""

    def __init__(self, kid: str = "a1") -> None:
        private = ec.generate_private_key(ec.SECP256R1())
        self.key = LoadedKey(kid, private, private.public_key(), {}, None)
        self.published = True

    def signer(self, now: datetime) -> LoadedKey:
        return self.key

    def public_key(self, kid: str, now: datetime) -> LoadedKey | None:
        return self.key if self.published and kid == self.key.kid else None

    def revoked(self, kid: str) -> bool:
        return not self.published


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HEALTHCODE_ACCESS_TOKEN_SECONDS", str(LIFE))
    monkeypatch.setenv("HEALTHCODE_TOKEN_LEEWAY_SECONDS", str(LEEWAY))
    tokens.ACCESS_CACHE.clear()
    yield
    tokens.ACCESS_CACHE.clear()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every signature check pyjwt makes (jwt.decode), counted."""
    calls: list[str] = []
    real = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)
    return calls


def _checker_token(keys: Keys, account: str = "checker-1") -> str:
    roles = frozenset({Role.CHECKER})
    return tokens.issue_access(keys, account, roles, "gate-1", T)[0]  # type: ignore[arg-type]


def test_the_signature_of_a_token_used_100_times_is_checked_once(decodes: list[str]) -> None:
    keys = Keys()
    token = _checker_token(keys)
    seen = [tokens.verify_access(keys, token, T + timedelta(seconds=n)) for n in range(100)]  # type: ignore[arg-type]
    assert len(decodes) == 1
    assert {c.account_id for c in seen} == {"checker-1"}
    assert {c.place_id for c in seen} == {"gate-1"}


def test_a_cached_token_is_refused_once_its_key_is_revoked(decodes: list[str]) -> None:
    keys = Keys()
    token = _checker_token(keys)
    tokens.verify_access(keys, token, T)  # type: ignore[arg-type]
    keys.published = False  # manage revoke-key, seen by this instance's key cache
    with pytest.raises(Unauthenticated):
        tokens.verify_access(keys, token, T + timedelta(seconds=1))  # type: ignore[arg-type]
    assert len(tokens.ACCESS_CACHE) == 0


def test_a_cached_token_is_verified_again_when_its_kid_names_another_key(
    decodes: list[str],
) -> None:
    first = Keys("a1")
    token = _checker_token(first)
    tokens.verify_access(first, token, T)  # type: ignore[arg-type]
    impostor = Keys("a1")  # the same kid, another key: the signature must be checked again
    with pytest.raises(Unauthenticated):
        tokens.verify_access(impostor, token, T)  # type: ignore[arg-type]
    assert len(decodes) == 2


@pytest.mark.parametrize("after", [0, 1, 3600])
def test_an_expired_cached_token_is_refused(decodes: list[str], after: int) -> None:
    keys = Keys()
    token = _checker_token(keys)
    tokens.verify_access(keys, token, T + timedelta(seconds=LIFE + LEEWAY - 1))  # type: ignore[arg-type]
    with pytest.raises(Unauthenticated) as refused:
        tokens.verify_access(keys, token, T + timedelta(seconds=LIFE + LEEWAY + after))  # type: ignore[arg-type]
    assert refused.value.message == "The access token has expired."
    assert len(tokens.ACCESS_CACHE) == 0


def test_a_cached_token_of_another_issuer_is_verified_again_and_refused(
    decodes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = Keys()
    token = _checker_token(keys)
    tokens.verify_access(keys, token, T)  # type: ignore[arg-type]
    monkeypatch.setenv("HEALTHCODE_ISSUER", "healthcode:420000")
    with pytest.raises(Unauthenticated):
        tokens.verify_access(keys, token, T)  # type: ignore[arg-type]


def test_the_cache_never_holds_more_than_its_bound_and_drops_the_least_recently_used(
    decodes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHCODE_ACCESS_TOKEN_CACHE_SIZE", "3")
    keys = Keys()
    issued = [_checker_token(keys, f"checker-{n}") for n in range(10)]
    for token in issued:
        tokens.verify_access(keys, token, T)  # type: ignore[arg-type]
        assert len(tokens.ACCESS_CACHE) <= 3
    assert len(tokens.ACCESS_CACHE) == 3
    tokens.verify_access(keys, issued[7], T)  # type: ignore[arg-type]  # used: kept
    tokens.verify_access(keys, issued[0], T)  # type: ignore[arg-type]  # verified again
    assert len(decodes) == 11
    tokens.verify_access(keys, issued[7], T)  # type: ignore[arg-type]
    assert len(decodes) == 11 and len(tokens.ACCESS_CACHE) == 3


def test_a_cache_of_size_0_verifies_every_call(
    decodes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = Keys()
    token = _checker_token(keys)
    tokens.verify_access(keys, token, T)  # type: ignore[arg-type]  # cached while allowed
    decodes.clear()
    monkeypatch.setenv("HEALTHCODE_ACCESS_TOKEN_CACHE_SIZE", "0")
    for _ in range(3):
        tokens.verify_access(keys, token, T)  # type: ignore[arg-type]
    assert len(decodes) == 3 and len(tokens.ACCESS_CACHE) == 0


def test_the_cache_holds_digests_not_tokens(decodes: list[str]) -> None:
    keys = Keys()
    token = _checker_token(keys)
    tokens.verify_access(keys, token, T)  # type: ignore[arg-type]
    assert token not in repr(tokens.ACCESS_CACHE._entries.keys())
