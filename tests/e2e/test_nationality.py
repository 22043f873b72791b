"""Nationality (issue 12, item 10): ISO 3166-1 / GB/T 2659 alpha-2 (`CN`) or alpha-3 (`CHN`),
from pycountry's list of countries, stored as alpha-3."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib.services.context import default
from tests.e2e.conftest import Api
from tests.e2e.test_journey import application
from tests.ids import resident_id


@pytest.mark.parametrize(
    ("sent", "stored"), [("CN", "CHN"), ("CHN", "CHN"), ("HK", "HKG"), ("de", "DEU")]
)
def test_an_application_accepts_alpha_2_or_alpha_3_and_stores_alpha_3(
    api: Api, new_phone: Callable[[], str], sent: str, stored: str
) -> None:
    token = api.login(new_phone())
    body = {**application(resident_id()), "nationality": sent}
    status, created = api.json("POST", "/v1/applications", body, token=token)
    assert status == 201, created
    person = default().store.persons.get(created["person_id"], consistent=True)
    assert person is not None and person.nationality == stored


@pytest.mark.parametrize("sent", ["XX", "XXX", "ZZ", "C", "CHNA", "中国"])
def test_a_nationality_that_is_no_country_code_is_a_clear_400(
    api: Api, new_phone: Callable[[], str], sent: str
) -> None:
    token = api.login(new_phone())
    body = {**application(resident_id()), "nationality": sent}
    status, problem = api.json("POST", "/v1/applications", body, token=token)
    assert status == 400, problem
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("nationality", "invalid_nationality")
    ]
    assert problem["detail_zh"] and problem["errors"][0]["message_zh"]
