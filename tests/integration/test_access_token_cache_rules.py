"""The per-process cache of verified access tokens keeps the rules of issue 12: a checker
withdrawn after the token was cached is refused the checker role at once (the per-request check
against the account stays), and `revoke-key` refuses a cached token. On tables of their own: a
revoked key must not reach the other tests' tokens."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from chalicelib.domain.entities import Account
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import Role
from chalicelib.security import tokens
from chalicelib.services.auth import authenticate
from chalicelib.services.context import Context
from chalicelib.services.keys import revoke

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def _checker(ctx: Context) -> tuple[str, list[str]]:
    account = Account(secrets.token_hex(8), "13700001111", frozenset({Role.RESIDENT}), NOW)
    ctx.store.accounts.create(account, "phone-" + account.account_id)
    ctx.store.accounts.grant_role(account.account_id, Role.CHECKER, name="李四", place_id="gate-1")
    roles = frozenset({Role.RESIDENT, Role.CHECKER})
    token, _ = tokens.issue_access(ctx.access_keys, account.account_id, roles, "gate-1", NOW)
    return token, [account.account_id]


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)
    tokens.ACCESS_CACHE.clear()
    return calls


def test_a_checker_withdrawn_after_the_token_was_cached_loses_the_role_at_once(
    fresh_ctx: Context, decodes: list[str]
) -> None:
    token, (checker_id,) = _checker(fresh_ctx)
    for n in range(5):
        claims = authenticate(fresh_ctx, token, NOW + timedelta(seconds=n))
        assert Role.CHECKER in claims.roles and claims.place_id == "gate-1"
    assert len(decodes) == 1
    assert fresh_ctx.store.accounts.withdraw_checker(checker_id)
    claims = authenticate(fresh_ctx, token, NOW + timedelta(seconds=6))
    assert Role.CHECKER not in claims.roles and claims.place_id is None
    assert len(decodes) == 1  # the token still verifies; the role is what was withdrawn


def test_a_cached_access_token_is_refused_once_its_key_is_revoked(
    fresh_ctx: Context, decodes: list[str]
) -> None:
    token, _ = _checker(fresh_ctx)
    authenticate(fresh_ctx, token, NOW)
    authenticate(fresh_ctx, token, NOW)
    assert len(decodes) == 1
    revoke(fresh_ctx.store, str(jwt.get_unverified_header(token)["kid"]), NOW)
    fresh_ctx.access_keys.forget()  # this instance re-reads the keys (within key_cache_seconds)
    with pytest.raises(Unauthenticated):
        authenticate(fresh_ctx, token, NOW + timedelta(seconds=1))
