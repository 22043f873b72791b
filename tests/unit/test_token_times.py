"""Token times at their edges, one second either side (issue 12 item 18): the expiry leeway
for code and access tokens, `>=` at the end, and a code token issued in the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import Color, Role
from chalicelib.security import tokens
from chalicelib.security.fields import new_person_id
from chalicelib.security.signing import LoadedKey

T = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
LEEWAY = 10
CODE_LIFE = 180
ACCESS_LIFE = 3600


class OneKey:
    """A single in-memory key, always published (the token module's Keys)."""

    def __init__(self) -> None:
        private = ec.generate_private_key(ec.SECP256R1())
        self.key = LoadedKey("k1", private, private.public_key(), {}, None)

    def signer(self, now: datetime) -> LoadedKey:
        return self.key

    def public_key(self, kid: str, now: datetime) -> LoadedKey | None:
        return self.key if kid == self.key.kid else None


@pytest.fixture(autouse=True)
def times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHCODE_TOKEN_LEEWAY_SECONDS", str(LEEWAY))
    monkeypatch.setenv("HEALTHCODE_CODE_TOKEN_SECONDS", str(CODE_LIFE))
    monkeypatch.setenv("HEALTHCODE_ACCESS_TOKEN_SECONDS", str(ACCESS_LIFE))


def _code(keys: OneKey, issued: datetime) -> str:
    return tokens.issue_code(keys, new_person_id(), Color.GREEN, issued)[0]


def _seconds(n: int) -> timedelta:
    return timedelta(seconds=n)


def test_a_code_token_is_accepted_until_one_second_before_exp_plus_the_leeway() -> None:
    keys = OneKey()
    token = _code(keys, T)
    last = T + _seconds(CODE_LIFE + LEEWAY - 1)
    assert tokens.verify_code(keys, token, last).color is Color.GREEN


@pytest.mark.parametrize("after", [0, 1])
def test_a_code_token_is_expired_from_exp_plus_the_leeway_on(after: int) -> None:
    keys = OneKey()
    token = _code(keys, T)
    with pytest.raises(tokens.CodeRejected) as rejected:
        tokens.verify_code(keys, token, T + _seconds(CODE_LIFE + LEEWAY + after))
    assert rejected.value.reason == "expired"


def test_a_code_token_issued_up_to_the_leeway_ahead_of_our_clock_is_accepted() -> None:
    keys = OneKey()
    token = _code(keys, T + _seconds(LEEWAY))
    assert tokens.verify_code(keys, token, T).color is Color.GREEN


@pytest.mark.parametrize("beyond", [1, 2])
def test_a_code_token_issued_further_in_the_future_than_the_leeway_is_refused(
    beyond: int,
) -> None:
    keys = OneKey()
    token = _code(keys, T + _seconds(LEEWAY + beyond))
    with pytest.raises(tokens.CodeRejected) as rejected:
        tokens.verify_code(keys, token, T)
    assert rejected.value.reason == "expired"


def _access(keys: OneKey) -> str:
    return tokens.issue_access(keys, "acct1", frozenset({Role.RESIDENT}), None, T)[0]


def test_an_access_token_is_accepted_until_one_second_before_exp_plus_the_leeway() -> None:
    keys = OneKey()
    claims = tokens.verify_access(keys, _access(keys), T + _seconds(ACCESS_LIFE + LEEWAY - 1))
    assert claims.account_id == "acct1"


@pytest.mark.parametrize("after", [0, 1])
def test_an_access_token_is_expired_from_exp_plus_the_leeway_on(after: int) -> None:
    keys = OneKey()
    token = _access(keys)
    with pytest.raises(Unauthenticated):
        tokens.verify_access(keys, token, T + _seconds(ACCESS_LIFE + LEEWAY + after))
