"""A client generated from /openapi.json by a standard generator (openapi-python-client) installs
and runs a resident's login and application and a check at the gate against the running API.

The install is offline (no index, no build isolation, no dependencies: httpx, attrs and
python-dateutil come with the test requirements), into a target directory of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ids import resident_id
from tests.live_server import LiveServer

BIN = Path(sys.executable).parent

_JOURNEY = """
import json
import sys

from healthcode_api_client import AuthenticatedClient, Client
from healthcode_api_client.api.applications import post_v1_applications
from healthcode_api_client.api.auth import post_v1_auth_otp, post_v1_auth_token
from healthcode_api_client.api.verify import post_v1_verify
from healthcode_api_client.models import ApplicationIn, OtpIn, TokenIn, VerifyIn

base_url, phone, id_number, checker_token = sys.argv[1:5]
public = Client(base_url=base_url)
sent = post_v1_auth_otp.sync(client=public, body=OtpIn(phone=phone))
login = post_v1_auth_token.sync(client=public, body=TokenIn(phone=phone, code=sent.dev_code))
resident = AuthenticatedClient(base_url=base_url, token=login.access_token)
application = ApplicationIn.from_dict({
    "name": "张三丰", "id_type": "resident_id", "id_number": id_number, "nationality": "CHN",
    "address": "山东省济南市历下区泉城路1号", "region_code": "370102",
    "declaration": {"visited_regions": [], "contact_with_case": False,
                    "fever_clinic_visit": False, "symptoms": [], "temperature": 36.6,
                    "from_abroad": False},
    "commitment": True,
})
applied = post_v1_applications.sync_detailed(client=resident, body=application)
checker = AuthenticatedClient(base_url=base_url, token=checker_token)
checked = post_v1_verify.sync(client=checker, body=VerifyIn(token=applied.parsed.code.token))
print(json.dumps({
    "package": AuthenticatedClient.__module__.split(".")[0],
    "roles": login.roles,
    "applied": int(applied.status_code),
    "color": applied.parsed.code.color.value,
    "valid": checked.valid,
    "pass": checked.pass_,
    "masked_name": checked.masked_name,
}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client generated from the app's document, pip-installed into a directory."""
    import app  # noqa: F401  (registers every blueprint)
    from chalicelib.api.openapi import document

    work = tmp_path_factory.mktemp("client")
    spec = work / "openapi.json"
    spec.write_text(json.dumps(document(), ensure_ascii=False))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff
    subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(spec), "--meta", "setup"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    (project,) = [p for p in work.iterdir() if p.is_dir()]
    target = work / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    offline = ["--no-deps", "--no-build-isolation", "--no-index", "--target", str(target)]
    subprocess.run([*pip, *offline, str(project)], env=env, check=True, capture_output=True)
    return target


def test_the_generated_client_has_an_ascii_distribution_name_and_installs(
    installed: Path,
) -> None:
    (dist,) = installed.glob("*.dist-info")
    assert dist.name.isascii()
    assert dist.name.startswith("healthcode_api_client-")
    assert (installed / "healthcode_api_client" / "__init__.py").is_file()


def test_the_generated_client_logs_in_applies_and_is_verified_at_a_gate(
    installed: Path, live: LiveServer, live_admin_token: str, new_phone: object
) -> None:
    phone = new_phone()  # type: ignore[operator]
    env = {**os.environ, "PYTHONPATH": str(installed)}
    done = subprocess.run(
        [sys.executable, "-c", _JOURNEY, live.base_url, phone, resident_id(), live_admin_token],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == {
        "package": "healthcode_api_client",
        "roles": ["resident"],
        "applied": 201,
        "color": "green",
        "valid": True,
        "pass": True,
        "masked_name": "张*丰",
    }
