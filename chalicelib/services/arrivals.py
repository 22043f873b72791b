"""Arrival declarations (来鲁申报): converting a partner province's code (转码) or arriving from
abroad. The arrival is a fact like a declaration; the colour follows from the policy's arrival
rules through the usual paths (an application, or a re-evaluation)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain.clock import shanghai_date
from chalicelib.domain.days import last_day
from chalicelib.domain.entities import Person
from chalicelib.domain.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    InvalidOriginCode,
    OriginCodeUsed,
)
from chalicelib.domain.history import Cause
from chalicelib.domain.model import Arrival, Color, TestResult
from chalicelib.security.tokens import AccessClaims, CodeRejected
from chalicelib.services.access import person_for
from chalicelib.services.applications import Application, apply_for_self, id_key
from chalicelib.services.assessment import active_policy, origin_risks, reassess
from chalicelib.services.checkins import actor_kind
from chalicelib.services.codes import code_view
from chalicelib.services.context import Context
from chalicelib.services.ports import Store
from chalicelib.services.trust import verify_partner

ANNOUNCE_DAYS = 7  # an arrival may be declared up to a week ahead
SAVE_ATTEMPTS = 3


@dataclass(frozen=True)
class ArrivalForm:
    """A validated arrival (the API's schema checked the fields and how they go together)."""

    origin_province: str
    origin_region: str | None
    arrival_date: date
    transport: str
    origin_token: str | None
    origin_color: Color | None
    quarantine_end: date | None
    test_result: TestResult
    test_date: date | None


@dataclass(frozen=True)
class _Resolved:
    arrival: Arrival
    token_key: str | None  # `<iss> <jti>` of the partner token, to claim
    token_expires: datetime | None


def _resolve(store: Store, form: ArrivalForm, now: datetime) -> _Resolved:
    today = shanghai_date(now)
    if form.arrival_date > today + timedelta(days=ANNOUNCE_DAYS):
        raise InvalidInput(
            f"arrival_date may be at most {ANNOUNCE_DAYS} days ahead.",
            f"抵达日期最多可提前{ANNOUNCE_DAYS}天申报。",
            code="invalid_arrival_date",
            errors=(FieldError("arrival.arrival_date", "invalid_arrival_date", "too far ahead"),),
        )
    if form.test_date is not None and form.test_date > today:
        raise InvalidInput(
            "test_date is in the future.",
            "检测日期不能晚于今天。",
            code="invalid_test_date",
            errors=(FieldError("arrival.test_date", "invalid_test_date", "in the future"),),
        )
    color, issuer, key, expires = form.origin_color, None, None, None
    if form.origin_token is not None:
        try:
            partner = verify_partner(store, form.origin_token, now)
        except CodeRejected as rejected:
            field = FieldError(
                "arrival.origin_token", rejected.reason, "the origin code does not verify"
            )
            raise InvalidOriginCode(errors=(field,)) from None
        claims = partner.claims
        _shown_on_arrival(form.arrival_date, shanghai_date(claims.issued_at), today)
        color, issuer = claims.color, claims.issuer
        key, expires = f"{claims.issuer} {claims.jti}", claims.expires_at
    arrival = Arrival(
        origin_province=form.origin_province,
        origin_region=form.origin_region,
        arrival_date=form.arrival_date,
        transport=form.transport,
        origin_color=color,
        origin_issuer=issuer,
        quarantine_end=form.quarantine_end,
        test_result=form.test_result,
        test_date=form.test_date,
    )
    # Declared on or after the arrival day: the origin's risk is fixed now; announced ahead: by
    # the re-evaluation on the arrival day (its review day).
    arrival = arrival.fixed(origin_risks(store, arrival), today)
    return _Resolved(arrival, key, expires)


def _shown_on_arrival(arrival_date: date, issued: date, today: date) -> None:
    """A partner's live code is shown on arriving: the arrival is on its issue day or the day
    before (an evening arrival converted after midnight), never later than today, so the
    token's colour cannot be dated out of its window (a red code "arriving" in 2020)."""
    if issued - timedelta(days=1) <= arrival_date <= today:
        return
    raise InvalidInput(
        "With an origin_token, arrival_date is the day the code was issued or the day before, "
        "and not in the future.",
        "提交外省健康码时，抵达日期须为该码签发当日或前一日，且不能晚于今天。",
        code="invalid_arrival_date",
        errors=(
            FieldError(
                "arrival.arrival_date", "invalid_arrival_date", "not the origin code's issue day"
            ),
        ),
    )


@contextmanager
def _claimed(
    store: Store, resolved: _Resolved, now: datetime, stored: Callable[[], bool]
) -> Iterator[None]:
    """The partner token serves this arrival only: claimed before the arrival is stored (of two
    at once exactly one claim wins), released again if the arrival was not stored after all
    (`stored()` says whether it was: a failure after the write keeps the claim)."""
    if resolved.token_key is None or resolved.token_expires is None:
        yield
        return
    # Kept a day past the token's expiry: a verifier's leeway and clock skew stay covered.
    if not store.trust.claim_origin_token(
        resolved.token_key, resolved.token_expires + timedelta(days=1), now
    ):
        raise OriginCodeUsed()
    try:
        yield
    except BaseException:
        if not stored():
            store.trust.release_origin_token(resolved.token_key)
        raise


def _visits(arrival: Arrival) -> tuple[tuple[str, ...], date]:
    """The origin regions count as declared visits from the arrival, so that a change of
    their risk re-evaluates this person at once."""
    window = active_policy().defaults.window_days
    return arrival.origin_codes, last_day(arrival.arrival_date, window)


def declare_new(
    ctx: Context, actor: AccessClaims, form: Application, arrival: ArrivalForm, now: datetime
) -> Person:
    """Someone arriving who has no local code yet applies for one with their arrival."""
    resolved = _resolve(ctx.store, arrival, now)
    key = id_key(form.id_type, form.id_number)
    taken = bool(ctx.store.persons.for_id_keys([key]))  # then it fails as already applied

    def stored() -> bool:  # the new person holds the ID now: the arrival was stored with it
        return not taken and bool(ctx.store.persons.for_id_keys([key]))

    with _claimed(ctx.store, resolved, now, stored):
        applying = replace(form, arrival=resolved.arrival)
        return apply_for_self(ctx, actor, applying, now, source="arrival")


def declare_return(
    ctx: Context, actor: AccessClaims, person_id: str, arrival: ArrivalForm, now: datetime
) -> dict[str, Any]:
    """A holder (or their guardian) declares an arrival; a new one replaces the last."""
    person, link = person_for(ctx.store, actor, person_id)
    resolved = _resolve(ctx.store, arrival, now)
    visits, until = _visits(resolved.arrival)
    if until < shanghai_date(now):
        visits = ()  # an old arrival's origin no longer counts: nothing to re-evaluate, or purge
    with _claimed(ctx.store, resolved, now, lambda: False):  # one transaction: all or nothing
        for attempt in range(SAVE_ATTEMPTS):
            # A red or yellow colour an earlier verified token started is not declared away;
            # stored over the version read, so a verified arrival stored meanwhile is not lost.
            declared = resolved.arrival.after(person.arrival)
            try:
                ctx.store.persons.save_arrival(
                    person.person_id, declared, visits, until, version=person.version
                )
                break
            except Conflict:
                if attempt == SAVE_ATTEMPTS - 1:
                    raise
                person, link = person_for(ctx.store, actor, person_id, consistent=True)
    cause = Cause(actor_kind(link), actor.account_id, "arrival")
    outcome = reassess(ctx.store, person.person_id, cause, now)
    return code_view(ctx, outcome.person, now)
