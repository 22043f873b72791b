"""Login by phone and SMS code, and the access tokens that follow."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from chalicelib import config
from chalicelib.domain import otp
from chalicelib.domain.clock import end_of_day, shanghai_date
from chalicelib.domain.entities import Account
from chalicelib.domain.errors import Conflict, RateLimited
from chalicelib.domain.model import Role
from chalicelib.security.fields import blind_index, otp_hash
from chalicelib.security.tokens import AccessClaims, issue_access, verify_access
from chalicelib.services import limits
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


def request_otp(ctx: Context, phone: str, now: datetime, source: str | None = None) -> OtpSent:
    """The same answer whether or not the number has an account. `source` is the caller's
    address (API Gateway's sourceIp), capped per hour; sends are also capped per number and
    Asia/Shanghai day, and overall per minute."""
    key, at = phone_key(phone), int(now.timestamp())
    code = f"{secrets.randbelow(10**6):06d}"
    state, version = ctx.store.logins.get(key)
    fresh = otp.issue(state, otp_hash(key, code), at, _limits())
    taken = limits.take_all(ctx.store, _send_caps(key, source, now), now)
    try:
        ctx.store.logins.save(key, fresh, version)
    except Conflict as error:  # another request for this number won the race
        limits.give_back(ctx.store, taken, now)
        raise RateLimited(config.otp_cooldown_seconds()) from error
    ctx.sms.send(phone, SMS_TEXT.format(code=code))
    return OtpSent(config.otp_cooldown_seconds(), code if config.return_dev_code() else None)


def _send_caps(key: str, source: str | None, now: datetime) -> list[limits.Cap]:
    day = shanghai_date(now)
    caps = [limits.Cap(f"otp:day:{key}:{day.isoformat()}", config.otp_daily_cap(), end_of_day(day))]
    if source:
        hour = int(now.timestamp()) // 3600
        caps.append(
            limits.Cap(
                f"otp:source:{blind_index('source', source)}:{hour}",
                config.otp_source_hourly_cap(),
                datetime.fromtimestamp((hour + 1) * 3600, UTC),
            )
        )
    minute = int(now.timestamp()) // 60
    caps.append(
        limits.Cap(
            f"otp:all:{minute}",
            config.otp_global_minute_cap(),
            datetime.fromtimestamp((minute + 1) * 60, UTC),
        )
    )
    return caps


@dataclass(frozen=True)
class Login:
    access_token: str
    expires_in: int
    roles: frozenset[Role]


def exchange(ctx: Context, phone: str, code: str, now: datetime) -> Login:
    """Counts the try first (one conditional write: parallel tries each count, and none is
    compared once the limit is reached), then compares, then takes the code (single use)."""
    key, at = phone_key(phone), int(now.timestamp())
    counted = ctx.store.logins.count_try(key, config.otp_max_attempts(), at)
    if counted is None or counted.code_hash is None:
        raise otp.RejectedCode(None)
    if not hmac.compare_digest(otp_hash(key, code), counted.code_hash):
        raise otp.RejectedCode(None)
    if not ctx.store.logins.consume(key, counted.code_hash):
        raise otp.RejectedCode(None)  # the same code used twice at once: only one wins
    account = account_for(ctx, phone, now)
    token, lifetime = issue_access(
        ctx.access_keys, account.account_id, account.roles, account.place_id, now
    )
    return Login(token, lifetime, account.roles)


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
