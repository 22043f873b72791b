"""A partner's verified code (issue 12, items 8 and 9): the header a JWT library writes passes,
other typed tokens do not; a red or yellow colour a verified token started is held through later
declarations without a token, for its own window, until a `cleared` record."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from chalicelib.domain.model import Arrival, Category, Color, Declaration, Facts, Record
from chalicelib.domain.rules import evaluate
from chalicelib.policies import load
from chalicelib.security.partners import verify_partner_code
from chalicelib.security.tokens import CodeRejected

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
T = date(2026, 11, 22)
KEY = ec.generate_private_key(ec.SECP256R1())
JWKS = {"keys": [{**ECAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": "p1"}]}


def token(**header: Any) -> str:
    issued = int(NOW.timestamp())
    claims: dict[str, Any] = {"iss": "partner:110000", "sub": "s", "color": "green", "kind": "live"}
    claims |= {"iat": issued, "exp": issued + 120, "jti": secrets.token_hex(4)}
    return jwt.encode(claims, KEY, algorithm="ES256", headers={"kid": "p1", **header})


@pytest.mark.parametrize("header", [{"typ": None}, {}, {"typ": "JWT"}, {"typ": "jwt"}])
def test_a_partner_code_with_no_typ_or_the_generic_jwt_typ_verifies(header: Any) -> None:
    claims = verify_partner_code(token(**header), "partner:110000", JWKS, NOW)
    assert claims.color is Color.GREEN and claims.issued_at == NOW


@pytest.mark.parametrize("typ", ["at+jwt", "AT+JWT", "trust-list+jws", "JOSE", "JWS"])
def test_a_partner_token_with_any_other_typ_is_the_wrong_kind(typ: str) -> None:
    with pytest.raises(CodeRejected) as rejected:
        verify_partner_code(token(typ=typ), "partner:110000", JWKS, NOW)
    assert rejected.value.reason == "wrong_kind"


def day(offset: int) -> date:
    return T + timedelta(days=offset)


def verified(color: Color, arrived: int) -> Arrival:
    return Arrival("110000", "110105", day(arrived), "G1", color, "partner:110000")


def declared(color: Color, arrived: int) -> Arrival:
    return Arrival("110000", "110105", day(arrived), "G2", color)


def facts(arrival: Arrival, *records: Record) -> Facts:
    return Facts(
        declaration=Declaration(),
        declared_on=day(-5),
        region_risks={},
        records=records,
        arrival=arrival,
    )


def test_a_declaration_without_a_token_holds_the_verified_colour_before_it() -> None:
    red = verified(Color.RED, -3)
    later = declared(Color.GREEN, -1).after(red)
    assert later.held is not None and (later.held.color, later.held.arrival_date) == (
        Color.RED,
        day(-3),
    )
    assert declared(Color.GREEN, 0).after(later).held == later.held  # and the next one too
    assert declared(Color.GREEN, 0).after(declared(Color.RED, -3)).held is None  # declared only
    assert declared(Color.GREEN, 0).after(verified(Color.GREEN, -3)).held is None


def test_a_later_verified_token_ends_the_held_colour() -> None:
    held = declared(Color.GREEN, -1).after(verified(Color.RED, -3))
    assert verified(Color.GREEN, 0).after(held).held is None


@pytest.mark.parametrize("profile", ["shandong", "hubei", "hainan"])
def test_a_held_red_lasts_the_verified_arrivals_window_whatever_is_declared(
    profile: str,
) -> None:
    policy = load(profile)
    arrival = declared(Color.GREEN, -1).after(verified(Color.RED, -3))
    assessment = evaluate(policy, facts(arrival), T)
    assert assessment.color is Color.RED
    assert assessment.reasons[0].code == "arrival_red_origin_code"
    assert assessment.reasons[0].until == day(-3 + 14)
    assert evaluate(policy, facts(arrival), day(11)).color is Color.RED
    assert evaluate(policy, facts(arrival), day(12)).color is Color.GREEN


@pytest.mark.parametrize("profile", ["shandong", "hubei", "hainan"])
def test_a_held_yellow_does_not_lower_a_declared_red_nor_is_lowered_by_it(profile: str) -> None:
    policy = load(profile)
    arrival = declared(Color.RED, 0).after(verified(Color.YELLOW, -3))
    assert evaluate(policy, facts(arrival), T).color is Color.RED
    assert evaluate(policy, facts(arrival), day(14)).color is Color.RED  # the red's last day
    assert evaluate(policy, facts(arrival), day(15)).color is Color.GREEN
    alone = declared(Color.GREEN, 0).after(verified(Color.YELLOW, -3))
    assert evaluate(policy, facts(alone), day(11)).color is Color.YELLOW  # -3 + 14
    assert evaluate(policy, facts(alone), day(12)).color is Color.GREEN


@pytest.mark.parametrize("profile", ["shandong", "hubei", "hainan"])
def test_a_cleared_record_ends_a_verified_colour(profile: str) -> None:
    policy = load(profile)
    cleared = Record("c1", Category.CLEARED, day(-1))
    own = verified(Color.RED, -3)
    assert evaluate(policy, facts(own), T).color is Color.RED
    assert evaluate(policy, facts(own, cleared), T).color is Color.GREEN
    held = declared(Color.GREEN, -1).after(own)
    assert evaluate(policy, facts(held, cleared), T).color is Color.GREEN
    before = Record("c0", Category.CLEARED, day(-4))  # dated before the arrival: ends nothing
    assert evaluate(policy, facts(held, before), T).color is Color.RED
