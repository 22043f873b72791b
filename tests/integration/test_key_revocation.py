"""Issue 12 item 16: a leaked signing key can be pulled at once (the EU DCC lesson of 2021).

`manage revoke-key KID` takes the key out of the JWKS and every token it signed is refused from
then on (`revoked_key` at a checkpoint, 401 for an access token), while `rotate-keys` keeps its
gentle overlap. On tables of their own: a revoked key must not reach the other tests' tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib import manage
from chalicelib.domain.errors import NotFound, Unauthenticated
from chalicelib.domain.model import Color, Role
from chalicelib.security import fields, tokens
from chalicelib.services.context import Context
from chalicelib.services.keys import KeyCache, revoke, rotate

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(seconds=30)


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def test_a_code_signed_by_a_revoked_key_is_refused_and_the_key_leaves_the_jwks(
    fresh_ctx: Context,
) -> None:
    keys = KeyCache(fresh_ctx.store, "code")
    leaked, _ = tokens.issue_code(keys, fields.new_person_id(), Color.GREEN, NOW)
    assert tokens.verify_code(keys, leaked, LATER).color is Color.GREEN
    purpose, fresh = revoke(fresh_ctx.store, _kid(leaked), NOW)
    assert purpose == "code" and fresh is not None  # it was the signing key: a new one signs
    elsewhere = KeyCache(fresh_ctx.store, "code")  # another instance, or this one after its cache
    with pytest.raises(tokens.CodeRejected) as refused:
        tokens.verify_code(elsewhere, leaked, LATER)
    assert refused.value.reason == "revoked_key"
    assert _kid(leaked) not in {k["kid"] for k in elsewhere.published(LATER)}
    new_code, _ = tokens.issue_code(elsewhere, fields.new_person_id(), Color.GREEN, LATER)
    assert _kid(new_code) == fresh.kid
    assert tokens.verify_code(elsewhere, new_code, LATER).color is Color.GREEN


def test_rotation_still_keeps_the_old_key_while_revocation_does_not(fresh_ctx: Context) -> None:
    keys = KeyCache(fresh_ctx.store, "code")
    old, _ = tokens.issue_code(keys, fields.new_person_id(), Color.RED, NOW)
    rotate(fresh_ctx.store, "code", NOW)
    keys.forget()
    assert tokens.verify_code(keys, old, LATER).color is Color.RED  # the gentle overlap
    assert _kid(old) in {k["kid"] for k in keys.published(LATER)}
    purpose, fresh = revoke(fresh_ctx.store, _kid(old), LATER)
    assert (purpose, fresh) == ("code", None)  # the rotated key still signs
    keys.forget()
    with pytest.raises(tokens.CodeRejected, match="revoked_key"):
        tokens.verify_code(keys, old, LATER)


def test_an_access_token_signed_by_a_revoked_key_is_401(fresh_ctx: Context) -> None:
    keys = KeyCache(fresh_ctx.store, "access")
    token, _ = tokens.issue_access(keys, "acct-1", frozenset({Role.ADMIN}), None, NOW)
    assert tokens.verify_access(keys, token, LATER).roles == frozenset({Role.ADMIN})
    revoke(fresh_ctx.store, _kid(token), NOW)
    keys.forget()
    with pytest.raises(Unauthenticated):
        tokens.verify_access(keys, token, LATER)


def test_an_unknown_kid_is_not_found_and_the_command_says_so(
    fresh_ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(NotFound):
        revoke(fresh_ctx.store, "no-such-kid", NOW)
    assert manage.main(["revoke-key", "no-such-kid"]) == 1
    assert "no signing key no-such-kid" in capsys.readouterr().err


def test_the_command_revokes_and_names_the_new_signing_key(
    fresh_ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = KeyCache(fresh_ctx.store, "code")
    kid = keys.signer(NOW).kid
    assert manage.main(["revoke-key", kid]) == 0
    out = capsys.readouterr().out
    assert f"code: key {kid} revoked" in out and "new signing key" in out
    assert all(
        k.revoked_at is not None for k in fresh_ctx.store.keys.of_purpose("code") if k.kid == kid
    )


def test_a_v2_code_signed_by_a_revoked_key_is_refused_as_revoked(fresh_ctx: Context) -> None:
    keys = KeyCache(fresh_ctx.store, "code")
    leaked, _ = tokens.issue_code(keys, fields.new_person_id(), Color.GREEN, NOW, v2=True)
    assert tokens.verify_code(keys, leaked, LATER).color is Color.GREEN
    revoke(fresh_ctx.store, keys.signer(NOW).kid, NOW)
    with pytest.raises(tokens.CodeRejected, match="revoked_key"):
        tokens.verify_code(KeyCache(fresh_ctx.store, "code"), leaked, LATER)
