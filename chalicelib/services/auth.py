"""Login by phone and SMS code, and the access tokens that follow."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib import config
from chalicelib.domain import otp
from chalicelib.domain.entities import Account
from chalicelib.domain.errors import Conflict, RateLimited
from chalicelib.domain.model import Role
from chalicelib.security.fields import blind_index, otp_hash
from chalicelib.security.tokens import AccessClaims, issue_access, verify_access
from chalicelib.services.context import Context

SMS_TEXT = "【健康码】验证码 {code}，10分钟内有效，请勿告诉他人。Healthcode login code {code}."


def _limits() -> otp.OtpLimits:
    return otp.OtpLimits(
        ttl=config.otp_ttl_seconds(),
        max_attempts=config.otp_max_attempts(),
        cooldown=config.otp_cooldown_seconds(),
        hourly_cap=config.otp_hourly_cap(),
    )


def phone_key(phone: str) -> str:
    return blind_index("phone", phone)


@dataclass(frozen=True)
class OtpSent:
    retry_after: int
    dev_code: str | None


def request_otp(ctx: Context, phone: str, now: datetime) -> OtpSent:
    """The same answer whether or not the number has an account."""
    key, at = phone_key(phone), int(now.timestamp())
    code = f"{secrets.randbelow(10**6):06d}"
    state, version = ctx.store.logins.get(key)
    fresh = otp.issue(state, otp_hash(key, code), at, _limits())
    try:
        ctx.store.logins.save(key, fresh, version)
    except Conflict as error:  # another request for this number won the race
        raise RateLimited(config.otp_cooldown_seconds()) from error
    ctx.sms.send(phone, SMS_TEXT.format(code=code))
    return OtpSent(config.otp_cooldown_seconds(), code if config.return_dev_code() else None)


@dataclass(frozen=True)
class Login:
    access_token: str
    expires_in: int
    roles: frozenset[Role]


def exchange(ctx: Context, phone: str, code: str, now: datetime) -> Login:
    key, at = phone_key(phone), int(now.timestamp())
    state, version = ctx.store.logins.get(key)
    try:
        used = otp.check(state, otp_hash(key, code), at, _limits())
    except otp.RejectedCode as rejected:
        if rejected.state is not None and rejected.state != state:
            _save_quietly(ctx, key, rejected.state, version)
        raise
    try:
        ctx.store.logins.save(key, used, version)
    except Conflict as error:  # the same code used twice at once: only one wins
        raise otp.RejectedCode(None) from error
    account = account_for(ctx, phone, now)
    token, lifetime = issue_access(
        ctx.access_keys, account.account_id, account.roles, account.place_id, now
    )
    return Login(token, lifetime, account.roles)


def _save_quietly(ctx: Context, key: str, state: otp.OtpState, version: int) -> None:
    try:
        ctx.store.logins.save(key, state, version)
    except Conflict:
        pass  # a parallel attempt counted; the code dies on the attempts it recorded


def account_for(ctx: Context, phone: str, now: datetime) -> Account:
    """The account of a phone, created on its first login."""
    key = phone_key(phone)
    existing = ctx.store.accounts.for_phone(key)
    if existing is not None:
        return existing
    fresh = Account(secrets.token_hex(8), phone, frozenset({Role.RESIDENT}), now)
    try:
        ctx.store.accounts.create(fresh, key)
    except Conflict:
        existing = ctx.store.accounts.for_phone(key)
        assert existing is not None
        return existing
    return fresh


def authenticate(ctx: Context, token: str, now: datetime) -> AccessClaims:
    """The caller's claims. A checker's role is checked against the account as well (one read,
    for checkers only), so that a withdrawn checker's token stops working at once."""
    claims = verify_access(ctx.access_keys, token, now)
    if Role.CHECKER in claims.roles:
        account = ctx.store.accounts.get(claims.account_id)
        if account is None or Role.CHECKER not in account.roles:
            return replace(claims, roles=claims.roles - {Role.CHECKER}, place_id=None)
    return claims
