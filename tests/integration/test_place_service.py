"""Places, place tokens and their keys, place visits and reports, on DynamoDB Local."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib.domain.entities import Scan
from chalicelib.domain.errors import NotFound
from chalicelib.domain.model import Color, Declaration, Role, Symptom
from chalicelib.domain.places import ClosedPlaceNotFound, InvalidPlaceCode, PlaceClosed, PlaceType
from chalicelib.security import signing, tokens
from chalicelib.security.place_tokens import verify_place
from chalicelib.security.tokens import AccessClaims
from chalicelib.services import keys, places, reports
from chalicelib.services.context import Context
from tests.holders import holder

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
ADMIN = AccessClaims("admin-1", frozenset({Role.ADMIN}), None)


def _place(ctx: Context, at: datetime = NOW, region: str = "370102") -> places.Place:
    return places.register(ctx, ADMIN, "泉城广场", PlaceType.TOURISM, region, "泺源大街", at)


def _published(ctx: Context, at: datetime) -> set[str]:
    ctx.place_keys.forget()
    return {key["kid"] for key in ctx.place_keys.published(at)}


def test_a_place_token_names_the_place_and_has_no_expiry(ctx: Context) -> None:
    place = _place(ctx)
    header = jwt.get_unverified_header(place.token)
    claims = jwt.decode(place.token, options={"verify_signature": False})
    assert header["alg"] == "ES256" and header["kid"] == place.kid
    assert set(claims) == {"iss", "sub", "kind", "iat", "jti"}
    assert (claims["sub"], claims["kind"], claims["jti"]) == (place.place_id, "place", place.jti)
    years_later = NOW + timedelta(days=3 * 365)
    assert verify_place(ctx.place_keys, place.token, years_later).place_id == place.place_id


def test_a_place_token_is_the_wrong_kind_for_the_code_verifier(ctx: Context) -> None:
    place = _place(ctx)
    with pytest.raises(tokens.CodeRejected) as rejected:
        tokens.verify_code(ctx.code_keys, place.token, NOW)
    assert rejected.value.reason == "wrong_kind"


def test_code_and_access_tokens_are_not_place_codes(ctx: Context) -> None:
    code, _ = tokens.issue_code(ctx.code_keys, "0123456789abcdef", Color.GREEN, NOW)
    access, _ = tokens.issue_access(ctx.access_keys, "acc", frozenset({Role.ADMIN}), None, NOW)
    for token in (code, access, "garbage", "a.b.c", ""):
        with pytest.raises(InvalidPlaceCode):
            verify_place(ctx.place_keys, token, NOW)


def test_a_place_token_signed_with_a_code_key_is_refused(ctx: Context) -> None:
    place = _place(ctx)
    claims = jwt.decode(place.token, options={"verify_signature": False})
    key = ctx.code_keys.signer(NOW)
    assert key.private is not None
    forged = jwt.encode(
        claims, key.private, algorithm="ES256", headers={"kid": key.kid, "typ": "place+jwt"}
    )
    with pytest.raises(InvalidPlaceCode):
        verify_place(ctx.place_keys, forged, NOW)


def test_a_place_key_stays_published_while_an_open_place_uses_it(fresh_ctx: Context) -> None:
    ctx = fresh_ctx
    place = _place(ctx)
    for purpose in signing.PURPOSES:  # what `manage rotate-keys` does
        keys.rotate(ctx.store, purpose, NOW + timedelta(seconds=1))
    months_later = NOW + timedelta(days=90)
    assert place.kid in _published(ctx, months_later)
    newer = _place(ctx, months_later)
    assert newer.kid != place.kid
    keys.rotate(ctx.store, "place", months_later)  # the old key still has an open place
    assert place.kid in _published(ctx, months_later + timedelta(days=90))
    code_kids = {k.kid for k in ctx.store.keys.of_purpose("code")}
    ctx.code_keys.forget()
    still_code = {k["kid"] for k in ctx.code_keys.published(months_later)}
    assert len(still_code & code_kids) == 1  # the code key rotated away as before


def test_closing_the_last_place_of_a_superseded_key_unpublishes_it(fresh_ctx: Context) -> None:
    ctx = fresh_ctx
    place = _place(ctx)
    keys.rotate(ctx.store, "place", NOW + timedelta(seconds=1))
    later = NOW + timedelta(days=30)
    places.close(ctx, place.place_id, later)
    gone = later + signing.place_key_grace() + timedelta(seconds=1)
    assert place.kid not in _published(ctx, gone)
    assert len(_published(ctx, gone)) == 1  # the current signer stays
    with pytest.raises(InvalidPlaceCode):
        verify_place(ctx.place_keys, place.token, gone)


def test_a_key_superseded_moments_ago_is_not_retired_yet(fresh_ctx: Context) -> None:
    ctx = fresh_ctx
    place = _place(ctx)
    # A second later: keys made at the same instant have no order (DynamoDB returns them by kid).
    keys.rotate(ctx.store, "place", NOW + timedelta(seconds=1))
    places.close(ctx, place.place_id, NOW + timedelta(seconds=5))  # a stale instance may sign
    assert place.kid in _published(ctx, NOW + timedelta(days=1))
    keys.rotate(ctx.store, "place", NOW + timedelta(days=1))  # the next rotation sweeps
    assert place.kid not in _published(ctx, NOW + timedelta(days=2))


def test_a_place_is_signed_again_when_its_key_retired_meanwhile(fresh_ctx: Context) -> None:
    ctx = fresh_ctx
    stale = ctx.place_keys.signer(NOW).kid
    keys.rotate(ctx.store, "place", NOW)
    ctx.store.keys.retire("place", stale, NOW)  # this instance's cache still signs with it
    place = _place(ctx, NOW + timedelta(seconds=1))
    assert place.kid != stale
    assert ctx.store.places.get(place.place_id) == place


def test_a_closed_place_has_no_qr_and_unknown_places_are_not_found(ctx: Context) -> None:
    place = _place(ctx)
    assert "<svg" in str(places.qr_image(ctx, place.place_id, "svg"))
    places.close(ctx, place.place_id, NOW)
    places.close(ctx, place.place_id, NOW + timedelta(hours=1))  # closing again is fine
    assert ctx.store.places.get(place.place_id).closed_at == NOW  # type: ignore[union-attr]
    with pytest.raises(ClosedPlaceNotFound):
        places.qr_image(ctx, place.place_id, "svg")
    for unknown in ("0123456789abcdef", "../x", place.place_id.upper()):
        with pytest.raises(NotFound):
            places.close(ctx, unknown, NOW)


def test_a_visit_shows_the_door_screen_and_a_green_one_makes_no_report(ctx: Context) -> None:
    place = _place(ctx)
    actor, person = holder(ctx, NOW)
    screen = places.visit(ctx, actor, person.person_id, place.token, NOW)
    assert screen == {
        "place": {"name": "泉城广场", "type": "tourism"},
        "at": NOW.isoformat(timespec="seconds"),
        "color": "green",
        "masked_name": "王*明",
    }
    assert ctx.store.reports.of_region("370102", NOW - timedelta(days=1), 10) == []


def test_visits_to_a_closed_place_or_with_a_foreign_token_are_refused(ctx: Context) -> None:
    place = _place(ctx)
    actor, person = holder(ctx, NOW)
    code, _ = tokens.issue_code(ctx.code_keys, person.person_id, Color.GREEN, NOW)
    with pytest.raises(InvalidPlaceCode):
        places.visit(ctx, actor, person.person_id, code, NOW)
    places.close(ctx, place.place_id, NOW)
    with pytest.raises(PlaceClosed):
        places.visit(ctx, actor, person.person_id, place.token, NOW)
    stranger, _ = holder(ctx, NOW)
    with pytest.raises(NotFound):
        places.visit(ctx, stranger, person.person_id, place.token, NOW)
    assert ctx.store.places.visits_of(person.person_id, NOW - timedelta(days=1)) == []


def test_yellow_and_red_scans_are_reported_by_the_region_of_the_place(ctx: Context) -> None:
    registered = _place(ctx, region="370203")
    checker = AccessClaims("checker-1", frozenset({Role.CHECKER}), registered.place_id)

    minutes = iter(range(100))

    def scan(color: Color | None, place_id: str | None, person: str | None = "p1") -> None:
        at = NOW + timedelta(minutes=next(minutes))
        made = Scan(reports.new_id(), at, "checker-1", place_id, True, False, color, None, person)
        reports.report_scan(ctx, made, checker.place_id)

    scan(Color.GREEN, registered.place_id)
    scan(None, registered.place_id)  # an invalid token: no colour, nothing to report
    assert ctx.store.reports.of_region("370203", NOW, 100) == []
    scan(Color.YELLOW, registered.place_id)
    scan(Color.RED, "not-registered")  # falls back to the checker's enrolled place
    scan(Color.RED, registered.place_id, person=None)  # a partner province's code
    found = ctx.store.reports.of_region("370203", NOW, 100)
    assert [(r.color, r.place_id, r.person_id) for r in reversed(found)] == [
        (Color.YELLOW, registered.place_id, "p1"),
        (Color.RED, registered.place_id, "p1"),
        (Color.RED, registered.place_id, None),
    ]


def test_a_scan_where_no_place_is_registered_goes_to_the_province(ctx: Context) -> None:
    gate = "gate-" + reports.new_id()  # a place id nobody registered
    made = Scan(reports.new_id(), NOW, "c", gate, True, False, Color.RED, None, "p2")
    reports.report_scan(ctx, made, gate)
    found = ctx.store.reports.of_region("370000", NOW, 100)
    [report] = [r for r in found if r.place_id == gate]
    assert (report.region_code, report.kind.value) == ("370000", "scan")


def test_yellow_and_red_visits_are_reported_and_listed_by_region_and_day(ctx: Context) -> None:
    yesterday = NOW - timedelta(days=1)
    place = _place(ctx, yesterday, region="370211")
    declaration = Declaration(symptoms=(Symptom.DRY_COUGH,), temperature=36.5)
    actor, person = holder(ctx, yesterday, declaration)
    assert person.color is Color.YELLOW
    places.visit(ctx, actor, person.person_id, place.token, yesterday)
    places.visit(ctx, actor, person.person_id, place.token, NOW)
    listed = reports.listing(ctx, "370211", "2026-11-22", NOW)
    assert listed == {
        "reports": [
            {
                "at": NOW.isoformat(timespec="seconds"),
                "kind": "visit",
                "place_id": place.place_id,
                "region_code": "370211",
                "color": "yellow",
                "person_id": person.person_id,
            }
        ],
        "truncated": False,
        "next": None,
    }
    assert len(reports.listing(ctx, "370211", None, NOW)["reports"]) == 2
    assert reports.listing(ctx, "370212", None, NOW)["reports"] == []
    visits = places.visits(ctx, actor, person.person_id, NOW)["visits"]
    assert [v["at"] for v in visits] == [
        NOW.isoformat(timespec="seconds"),
        yesterday.isoformat(timespec="seconds"),
    ]


@pytest.mark.parametrize(
    ("region", "since", "code"),
    [
        (None, None, "invalid_region_code"),
        ("", "2026-11-01", "invalid_region_code"),
        ("999999", None, "invalid_region_code"),
        ("370102", "2026-11-23", "invalid_since"),  # tomorrow in Shanghai
        ("370102", "2026-02-30", "invalid_since"),
        ("370102", "20261101", "invalid_since"),
        ("370102", "2026-11-01T00:00", "invalid_since"),
    ],
)
def test_bad_report_queries_are_refused(
    ctx: Context, region: str | None, since: str | None, code: str
) -> None:
    from chalicelib.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        reports.listing(ctx, region, since, NOW)
    assert refused.value.code == code
