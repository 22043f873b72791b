"""Compact codes (issue 15) over HTTP: the v2 `HC2:` token in the code view and the QR images,
verify and arrivals taking v1 and v2 from us and from trusted partners with the same checks, v1
issuing turned off by configuration, and every forged or broken v2 token a `valid: false` answer
with its reason, never a 500."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib import config
from chalicelib.domain.clock import utcnow
from chalicelib.domain.model import Color
from chalicelib.security.tokens import issue_code
from chalicelib.services.context import default
from tests import compact_forge as forge
from tests.e2e.conftest import Api
from tests.e2e.test_arrivals_and_trust import arrive, trusted, verify
from tests.e2e.test_family import add_dependent
from tests.e2e.test_journey import application
from tests.ids import resident_id


def _holder(api: Api, phone: str, **declared: object) -> tuple[str, dict[str, object]]:
    token = api.login(phone)
    status, created = api.json(
        "POST", "/v1/applications", application(resident_id(), **declared), token=token
    )
    assert status == 201, created
    return token, created


def _zxing(image: object) -> list[object]:
    import zxingcpp

    found = zxingcpp.read_barcodes(image)
    # zxing-cpp now and then also reports a spurious symbol in the colour band.
    return [f for f in found if f.text.startswith("HC2:")]


def test_the_code_view_carries_a_compact_token_that_verifies_like_the_jwt(
    api: Api, new_phone: Callable[[], str], checker_token: str
) -> None:
    _, created = _holder(api, new_phone(), symptoms=["dry_cough"])
    code = created["code"]
    assert isinstance(code, dict)
    assert code["token"].startswith("eyJ") and code["compact_token"].startswith("HC2:")
    for token in (code["token"], code["compact_token"]):
        answer = verify(api, checker_token, token)
        assert (answer["valid"], answer["pass"], answer["color"]) == (True, False, "yellow")
        assert answer["masked_name"] == "张*丰" and answer["issuer"] == config.issuer()


def test_with_v1_issuing_off_the_token_is_the_compact_one_and_old_jwts_still_verify(
    api: Api,
    new_phone: Callable[[], str],
    checker_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder, created = _holder(api, new_phone())
    old_jwt = created["code"]["token"]  # type: ignore[index]
    monkeypatch.setenv("HEALTHCODE_ISSUE_V1_CODES", "off")
    status, view = api.json("GET", f"/v1/persons/{created['person_id']}/code", token=holder)
    assert status == 200
    assert view["token"].startswith("HC2:") and view["compact_token"].startswith("HC2:")
    for token in (view["token"], old_jwt):
        assert verify(api, checker_token, token)["pass"] is True


def test_the_live_qr_holds_the_v2_token_at_version_8_or_less_level_m_in_every_colour(
    api: Api, new_phone: Callable[[], str], checker_token: str
) -> None:
    from PIL import Image

    cases = {"green": {}, "yellow": {"symptoms": ["dry_cough"]}}
    for color, declared in cases.items():
        holder, created = _holder(api, new_phone(), **declared)
        png = api.call(
            "GET",
            f"/v1/persons/{created['person_id']}/qr?format=png",
            token=holder,
            headers={"Accept": "image/png"},
        )
        (symbol,) = _zxing(Image.open(io.BytesIO(png.body)))
        assert int(symbol.extra["Version"]) <= 8 and symbol.ec_level == "M"  # type: ignore[attr-defined]
        answer = verify(api, checker_token, symbol.text)  # type: ignore[attr-defined]
        assert (answer["valid"], answer["color"]) == (True, color)


def test_the_paper_code_holds_a_v2_paper_token_at_level_q_read_from_png_and_from_the_pdf(
    api: Api, new_phone: Callable[[], str], checker_token: str
) -> None:
    import pypdfium2
    from PIL import Image

    guardian = api.login(new_phone())
    person_id = add_dependent(api, guardian)
    path = f"/v1/persons/{person_id}/paper-code"
    png = api.call("GET", f"{path}?format=png", token=guardian, headers={"Accept": "image/png"})
    (from_png,) = _zxing(Image.open(io.BytesIO(png.body)))
    pdf = api.call("GET", path, token=guardian, headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.body.startswith(b"%PDF")
    # 72 dots per inch: about 2.8 pixels per printed module, what a cheap imager sees.
    page = pypdfium2.PdfDocument(bytes(pdf.body))[0]
    (from_pdf,) = _zxing(page.render(scale=1).to_pil())
    for symbol in (from_png, from_pdf):
        assert symbol.ec_level == "Q" and int(symbol.extra["Version"]) <= 10  # type: ignore[attr-defined]
        answer = verify(api, checker_token, symbol.text)  # type: ignore[attr-defined]
        assert (answer["valid"], answer["color"], answer["masked_name"]) == (True, "green", "张*丰")


# --- attacks at the checkpoint --------------------------------------------------------------------


def _our_key() -> ec.EllipticCurvePrivateKey:
    key = default().code_keys.signer(utcnow())
    assert key.private is not None
    return key.private


def _forged_signature() -> str:
    attacker = ec.generate_private_key(ec.SECP256R1())
    kid = forge.key_id(_our_key().public_key())
    now = int(utcnow().timestamp())
    return forge.text(forge.sign1(attacker, forge.claims(config.issuer(), now), kid=kid))


def _wrong_kid() -> str:
    now = int(utcnow().timestamp())
    return forge.text(forge.sign1(_our_key(), forge.claims(config.issuer(), now), kid=b"\0\0\0\1"))


def _access_claims_in_v2() -> str:
    now = int(utcnow().timestamp())
    access = {1: config.issuer(), 2: "acct", 3: "healthcode-api", 4: now + 60, 6: now}
    return forge.text(forge.sign1(_our_key(), access))


def _untrusted_partner() -> str:
    stranger = ec.generate_private_key(ec.SECP256R1())
    return forge.token(stranger, "partner-unknown:110000", int(utcnow().timestamp()))


def _expired() -> str:
    ctx, now = default(), utcnow()
    person = "0123456789abcdef"
    return issue_code(ctx.code_keys, person, Color.GREEN, now - timedelta(minutes=10), v2=True)[0]


def _tampered() -> str:
    now = int(utcnow().timestamp())
    red = forge.token(_our_key(), config.issuer(), now, color="red")
    return forge.retagged_colour(red, "green")


def _truncated() -> str:
    return issue_code(default().code_keys, "0123456789abcdef", Color.GREEN, utcnow(), v2=True)[0][
        :-5
    ]


ATTACKS: dict[str, tuple[Callable[[], str], str]] = {
    "forged signature under our kid": (_forged_signature, "bad_signature"),
    "colour changed after signing": (_tampered, "bad_signature"),
    "wrong kid": (_wrong_kid, "unknown_key"),
    "access token claims in v2": (_access_claims_in_v2, "malformed"),
    "untrusted issuer": (_untrusted_partner, "untrusted_issuer"),
    "expired": (_expired, "expired"),
    "truncated base45": (_truncated, "malformed"),
    "garbage CBOR": (lambda: forge.text(cbor2.dumps({"x": os.urandom(30)})), "malformed"),
    "random bytes": (lambda: forge.text(os.urandom(140)), "malformed"),
    "deeply nested CBOR": (lambda: forge.text(b"\x81" * 2500 + b"\x00"), "malformed"),
}


@pytest.mark.parametrize(("make", "reason"), list(ATTACKS.values()), ids=list(ATTACKS))
def test_a_forged_or_broken_v2_token_is_not_valid_with_its_reason(
    api: Api, checker_token: str, make: Callable[[], str], reason: str
) -> None:
    answer = verify(api, checker_token, make())  # a 200, never a 500
    assert (answer["valid"], answer["pass"], answer["reason"]) == (False, False, reason)
    assert answer["color"] is None and answer["masked_name"] is None


def test_a_v1_access_token_is_still_no_code(api: Api, checker_token: str) -> None:
    answer = verify(api, checker_token, checker_token)
    assert (answer["valid"], answer["reason"]) == (False, "wrong_kind")


# --- partners ------------------------------------------------------------------------------------


def test_a_trusted_partners_v2_code_passes_and_stops_at_once_when_the_issuer_is_removed(
    api: Api, admin_token: str, checker_token: str
) -> None:
    partner = trusted(api, admin_token)
    now = int(utcnow().timestamp())
    green = forge.token(partner.key, partner.issuer, now, color="green")
    answer = verify(api, checker_token, green)
    assert (answer["valid"], answer["pass"], answer["color"]) == (True, True, "green")
    assert (answer["issuer"], answer["province_code"]) == (partner.issuer, "110000")
    paper = forge.token(partner.key, partner.issuer, now, kind="paper")
    assert verify(api, checker_token, paper)["reason"] == "wrong_kind"
    removed = api.call("DELETE", f"/v1/admin/issuers/{partner.issuer}", token=admin_token)
    assert removed.status_code == 204
    assert verify(api, checker_token, green)["reason"] == "untrusted_issuer"


def test_a_partners_v2_code_converts_on_arrival_once_and_a_replay_is_refused(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    partner = trusted(api, admin_token)
    token = forge.token(partner.key, partner.issuer, int(utcnow().timestamp()), color="yellow")
    status, created, _ = arrive(api, new_phone(), origin_token=token)
    assert status == 201, created
    assert created["code"]["color"] == "yellow"
    status, problem, _ = arrive(api, new_phone(), origin_token=token)
    assert (status, problem["code"]) == (409, "origin_code_used")


def test_a_forged_partner_v2_code_is_a_clear_400_on_arrival(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    partner = trusted(api, admin_token)
    attacker = ec.generate_private_key(ec.SECP256R1())
    now = int(utcnow().timestamp())
    forged = forge.text(
        forge.sign1(
            attacker, forge.claims(partner.issuer, now), kid=forge.key_id(partner.key.public_key())
        )
    )
    status, problem, _ = arrive(api, new_phone(), origin_token=forged)
    assert (status, problem["code"]) == (400, "invalid_origin_code")
    assert problem["errors"][0]["code"] == "bad_signature"
