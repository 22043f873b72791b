"""Issue 12 item 13: a checker's place comes from the access token, and the authority lists and
withdraws checkers (at once, for tokens already issued too). No phone number in a path."""

from __future__ import annotations

from collections.abc import Callable

from tests.e2e.conftest import Api, Holder


def _enrol(api: Api, admin: str, phone: str, place_id: str) -> dict[str, str]:
    body = {"phone": phone, "name": "赵检查", "place_id": place_id}
    status, enrolled = api.json("POST", "/v1/admin/checkers", body, token=admin)
    assert status == 201, enrolled
    return enrolled


def _code(api: Api, holder: Holder) -> str:
    token, person_id, _ = holder
    return str(api.json("GET", f"/v1/persons/{person_id}/code", token=token)[1]["token"])


def test_a_checker_naming_another_place_is_refused_and_nothing_is_recorded(
    api: Api, admin_token: str, holder: Holder, new_phone: Callable[[], str]
) -> None:
    phone = new_phone()
    _enrol(api, admin_token, phone, "gate-east")
    checker = api.login(phone)
    scan = {"token": _code(api, holder), "place_id": "somewhere-else"}
    status, problem = api.json("POST", "/v1/verify", scan, token=checker)
    assert (status, problem["code"]) == (403, "not_your_place") and problem["detail_zh"]
    lookup = {"phone": phone, "place_id": "somewhere-else"}
    assert api.json("POST", "/v1/verify/by-phone", lookup, token=checker)[1]["code"] == (
        "not_your_place"
    )
    # Its own place, named or not, is fine.
    for body in (
        {"token": _code(api, holder)},
        {"token": _code(api, holder), "place_id": "gate-east"},
    ):
        assert api.json("POST", "/v1/verify", body, token=checker)[0] == 200


def test_the_authority_lists_checkers_with_masked_phones(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    phone = new_phone()
    enrolled = _enrol(api, admin_token, phone, "gate-west")
    assert enrolled["checker_id"] == enrolled["account_id"]
    status, listed = api.json("GET", "/v1/admin/checkers", token=admin_token)
    assert status == 200
    [mine] = [c for c in listed["checkers"] if c["checker_id"] == enrolled["checker_id"]]
    assert mine == {
        "checker_id": enrolled["checker_id"],
        "name": "赵检查",
        "masked_phone": phone[:3] + "****" + phone[-4:],
        "place_id": "gate-west",
    }
    assert phone not in str(listed)


def test_a_withdrawn_checker_is_refused_at_once_with_the_token_they_hold(
    api: Api, admin_token: str, holder: Holder, new_phone: Callable[[], str]
) -> None:
    phone = new_phone()
    enrolled = _enrol(api, admin_token, phone, "gate-north")
    checker = api.login(phone)
    assert api.json("POST", "/v1/verify", {"token": _code(api, holder)}, token=checker)[0] == 200
    response = api.call("DELETE", f"/v1/admin/checkers/{enrolled['checker_id']}", token=admin_token)
    assert response.status_code == 204
    status, problem = api.json("POST", "/v1/verify", {"token": _code(api, holder)}, token=checker)
    assert (status, problem["code"]) == (403, "forbidden")
    listed = api.json("GET", "/v1/admin/checkers", token=admin_token)[1]["checkers"]
    assert enrolled["checker_id"] not in {c["checker_id"] for c in listed}
    # Withdrawing again, or an id that is no checker, is 404; the account itself stays.
    again = api.call("DELETE", f"/v1/admin/checkers/{enrolled['checker_id']}", token=admin_token)
    assert again.status_code == 404
    assert api.json("GET", "/v1/me", token=checker)[0] == 200


def test_only_admins_manage_checkers(api: Api, checker_token: str) -> None:
    assert api.json("GET", "/v1/admin/checkers", token=checker_token)[0] == 403
    assert (
        api.call("DELETE", "/v1/admin/checkers/0123456789abcdef", token=checker_token).status_code
        == 403
    )
