from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import ROOT
from tests.contract import check_response
from tests.live_server import LiveServer, otp_login, serve

ADMIN_PHONE = "13800000000"


@pytest.fixture(scope="session")
def client(dynamo_tables: str) -> Iterator[Client]:
    from app import app

    with Client(app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client


class Api:
    """A thin JSON helper over chalice's test client; every 2xx answer is checked against its
    route's response schema in /openapi.json (tests/contract.py)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        import json

        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=payload)
        check_response(method, path, response)  # every 2xx answer against the document
        return response

    def json(self, *args: Any, **kwargs: Any) -> tuple[int, Any]:
        import json

        response = self.call(*args, **kwargs)
        return response.status_code, json.loads(response.body) if response.body else None

    def login(self, phone: str) -> str:
        return otp_login(self.json, phone)


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


_counter = iter(range(10**6))


@pytest.fixture
def new_phone() -> Callable[[], str]:
    """A fresh phone number per call, so OTP limits of one test never touch another."""
    import random

    def make() -> str:
        return f"13{random.randint(0, 9)}{next(_counter) % 10**4:04d}{random.randint(0, 9999):04d}"

    return make


def _admin(client: Client, phone: str) -> str:
    from chalicelib.domain.clock import utcnow
    from chalicelib.services import people
    from chalicelib.services.context import default

    people.create_admin(default(), phone, utcnow())
    return Api(client).login(phone)


@pytest.fixture(scope="session")
def admin_token(client: Client) -> str:
    return _admin(client, ADMIN_PHONE)


@pytest.fixture(scope="session")
def second_admin_token(client: Client) -> str:
    return _admin(client, "13800000001")


@pytest.fixture(scope="session")
def checker_token(client: Client, admin_token: str) -> str:
    api = Api(client)
    status, enrolled = api.json(
        "POST",
        "/v1/admin/checkers",
        {"phone": "13900001111", "name": "李四", "place_id": "gate-1"},
        token=admin_token,
    )
    assert status == 201, enrolled
    return api.login("13900001111")


@pytest.fixture(scope="session")
def live(dynamo_tables: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The API over real HTTP (chalice local) on tables of its own, for schemathesis and the
    generated client."""
    with serve(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def live_admin_token(live: LiveServer) -> str:
    from tests.live_server import ADMIN_PHONE

    return live.login(ADMIN_PHONE)


Holder = tuple[str, str, str]  # access token, person id, id number


@pytest.fixture
def holder(api: Api, new_phone: Callable[[], str]) -> Holder:
    """A resident who applied for their own code (the ID number is theirs to import records for)."""
    from tests.e2e.test_journey import application
    from tests.ids import resident_id

    token, id_number = api.login(new_phone()), resident_id()
    status, created = api.json("POST", "/v1/applications", application(id_number), token=token)
    assert status == 201, created
    return token, created["person_id"], id_number
