"""Issue 12 item 12: nobody can squat on an ID. Anyone could add any valid ID as "my parent";
the real owner then got 409 already_applied and had no way back. The owner files a claim; the
authority transfers the person (the owner's `self` link, every link made without their consent
removed, earlier paper codes revoked, history) or rejects it; the squatter gets 404 after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Api
from tests.e2e.test_family import family_body
from tests.e2e.test_journey import application
from tests.e2e.test_paper_and_deletion import decoded, paper_png
from tests.ids import resident_id


def _claim(api: Api, token: str, id_number: str) -> dict[str, Any]:
    body = {
        "id_type": "resident_id",
        "id_number": id_number,
        "name": "张三丰",
        "message": "我的身份证被他人冒用申领，请核实。",
    }
    status, filed = api.json("POST", "/v1/claims", body, token=token)
    assert status == 201, filed
    return filed


def _squatted(api: Api, new_phone: Callable[[], str]) -> tuple[str, str, str]:
    """A squatter adds the owner's ID as their 'parent'; returns (squatter, person id, id)."""
    squatter, id_number = api.login(new_phone()), resident_id()
    status, added = api.json("POST", "/v1/family", family_body(id_number), token=squatter)
    assert status == 201, added
    return squatter, added["person_id"], id_number


def test_a_squatted_owner_claims_and_the_authority_transfers_the_person(
    api: Api, admin_token: str, checker_token: str, new_phone: Callable[[], str]
) -> None:
    squatter, person_id, id_number = _squatted(api, new_phone)
    paper = decoded(paper_png(api, squatter, person_id))  # printed by the squatter
    owner = api.login(new_phone())
    status, refused = api.json("POST", "/v1/applications", application(id_number), token=owner)
    assert (status, refused["code"]) == (409, "already_applied")  # the squat
    filed = _claim(api, owner, id_number)
    assert filed["status"] == "open"
    listed = api.json("GET", "/v1/admin/claims", token=admin_token)[1]["claims"]
    [mine] = [c for c in listed if c["claim_id"] == filed["claim_id"]]
    assert mine["masked_name"] == "张*丰" and mine["registered"] is True
    assert id_number not in str(mine) and mine["masked_id_number"] != id_number
    resolve = {"decision": "transfer", "note": "经核实，证件为申诉人本人所有。"}
    path = f"/v1/admin/claims/{filed['claim_id']}/resolve"
    status, resolved = api.json("POST", path, resolve, token=admin_token)
    assert status == 200, resolved
    assert (resolved["status"], resolved["decision"]) == ("resolved", "transfer")
    # The owner holds the person now; the squatter finds nothing.
    me = api.json("GET", "/v1/me", token=owner)[1]
    assert [(p["person_id"], p["relation"]) for p in me["persons"]] == [(person_id, "self")]
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=owner)[0] == 200
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=squatter)[0] == 404
    assert person_id not in str(api.json("GET", "/v1/family", token=squatter)[1])
    history = api.json("GET", f"/v1/admin/persons/{person_id}/history", token=admin_token)[1]
    assert history["changes"][-1]["source"] == f"claim:{filed['claim_id']}"
    assert history["changes"][-1]["actor_kind"] == "authority" and history["intact"] is True
    scanned = api.json("POST", "/v1/verify", {"token": paper}, token=checker_token)[1]
    assert (scanned["valid"], scanned["reason"]) == (False, "revoked")
    # Resolving twice is a conflict, not a second transfer.
    assert api.json("POST", path, resolve, token=admin_token)[0] == 409


def test_a_rejected_claim_changes_nothing(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    squatter, person_id, id_number = _squatted(api, new_phone)
    filed = _claim(api, api.login(new_phone()), id_number)
    body = {"decision": "reject", "note": "申诉材料不足。"}
    status, resolved = api.json(
        "POST", f"/v1/admin/claims/{filed['claim_id']}/resolve", body, token=admin_token
    )
    assert (status, resolved["decision"]) == (200, "reject")
    assert api.json("GET", f"/v1/persons/{person_id}/code", token=squatter)[0] == 200
    resolved_list = api.json("GET", "/v1/admin/claims?status=resolved", token=admin_token)[1]
    assert filed["claim_id"] in {c["claim_id"] for c in resolved_list["claims"]}


def test_filing_answers_the_same_whether_the_id_is_registered(
    api: Api, new_phone: Callable[[], str]
) -> None:
    _, _, registered = _squatted(api, new_phone)
    claimant = api.login(new_phone())
    first, second = _claim(api, claimant, registered), _claim(api, claimant, resident_id())
    assert set(first) == set(second) == {"claim_id", "status"}
    assert first["status"] == second["status"] == "open"


@pytest.mark.parametrize("claim_id", ["nope", "0123456789abcdef"])
def test_an_unknown_claim_is_404_and_only_admins_resolve(
    api: Api, admin_token: str, checker_token: str, claim_id: str
) -> None:
    body = {"decision": "reject", "note": "x"}
    path = f"/v1/admin/claims/{claim_id}/resolve"
    assert api.json("POST", path, body, token=admin_token)[0] == 404
    assert api.json("POST", path, body, token=checker_token)[0] == 403


def test_a_transfer_with_nobody_holding_the_id_is_a_conflict(
    api: Api, admin_token: str, new_phone: Callable[[], str]
) -> None:
    filed = _claim(api, api.login(new_phone()), resident_id())
    body = {"decision": "transfer", "note": "核实"}
    status, problem = api.json(
        "POST", f"/v1/admin/claims/{filed['claim_id']}/resolve", body, token=admin_token
    )
    assert status == 409 and problem["detail_zh"]
