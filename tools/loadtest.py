"""`make load`: a load test that stops by itself, then checks that nothing accepted was lost.

Starts the API on loopback (`chalice local` through tools/local_api.py, as the e2e tests do) on
tables of its own in the DynamoDB Local that `tools/dynamodb_local.py exec` provides, makes
checkers and holders through the API, then drives a realistic mix with locust until the run time
or the request cap is reached, whichever comes first:

    verify (checkers scan holders' codes)  70 %      code view (a holder's GET .../code)  15 %
    daily check-in                          10 %      login (OTP send + exchange)            5 %

It prints p50/p99 per request kind, requests per second and the error count, then reads the
database through the store (not the API): every 2xx check-in is stored for its person and day
with the temperature last accepted, every verify that answered 200 has its scan (checker, person,
second), every login made its session (the phone's account is the token's subject and the code
was used up). Exits 1 on any error or missing write.

Usage: make load [LOAD_ARGS="..."], that is
       python tools/dynamodb_local.py exec -- python tools/loadtest.py [--run-time 40]
       [--max-requests 4000] [--users 12] [--checkers 8] [--holders 120] [--report FILE]
"""

# locust patches the standard library with gevent when imported: it comes first.
from locust import FastHttpUser, between, events, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import base64
import ipaddress
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import gevent.event  # type: ignore[import-untyped]
from gevent.pool import Pool  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]
from load_check import Accepted, Missing, missing_writes  # noqa: E402

KINDS = ("verify", "code", "checkin", "login:otp", "login:token")
WEIGHTS = {"verify": 14, "code": 3, "checkin": 2, "login": 1}
NAMES = ("张三丰", "李四", "王五", "赵六", "钱七", "孙八")


def require_loopback(host: str) -> str:
    """The host, if it is an IPv4 loopback address (`localhost` is 127.0.0.1); anything else
    is refused: this tool only ever loads a server on this machine."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None or address.version != 4 or not address.is_loopback:
        raise SystemExit(f"refusing to load {host!r}: only an IPv4 loopback address (127.x.x.x)")
    return host


# --- what the run accepted ---------------------------------------------------------------------


@dataclass
class Holder:
    phone: str
    token: str
    person_id: str
    code: str  # the current QR token, refreshed by code views


@dataclass
class Checker:
    account_id: str
    token: str


@dataclass
class World:
    base_url: str
    checkers: list[Checker]
    holders: list[Holder]
    accepted: Accepted = field(default_factory=Accepted)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    phones: Iterator[str] = field(default_factory=lambda: _phones("15"))
    slices: Iterator[int] = field(default_factory=itertools.count)


def _phones(prefix: str) -> Iterator[str]:
    """Fresh mobile numbers (one login each: the OTP caps are per number)."""
    start = random.randrange(10**8)
    return (f"{prefix}{(start + n) % 10**9:09d}" for n in itertools.count())


def subject(access_token: str) -> str:
    """The `sub` of a JWT, unverified (the server's word is checked against the database)."""
    payload = access_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


# --- setup through the API ---------------------------------------------------------------------


def call(base_url: str, method: str, path: str, body: Any = None, token: str = "") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def login(base_url: str, phone: str) -> str:
    status, sent = call(base_url, "POST", "/v1/auth/otp", {"phone": phone})
    assert status == 202, (status, sent)
    body = {"phone": phone, "code": sent["dev_code"]}
    status, answer = call(base_url, "POST", "/v1/auth/token", body)
    assert status == 200, (status, answer)
    return str(answer["access_token"])


def resident_id(serial: int) -> str:
    from stdnum.cn import ric

    born = date(1950, 1, 1) + timedelta(days=serial % 20000)
    body = f"370102{born:%Y%m%d}{serial // 20000 % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def application(serial: int) -> dict[str, Any]:
    return {
        "name": NAMES[serial % len(NAMES)],
        "id_type": "resident_id",
        "id_number": resident_id(serial),
        "nationality": "CHN",
        "address": "山东省济南市历下区泉城路1号",
        "region_code": "370102",
        "declaration": {
            "visited_regions": [],
            "contact_with_case": False,
            "fever_clinic_visit": False,
            "symptoms": [],
            "temperature": 36.5,
            "from_abroad": False,
        },
        "commitment": True,
    }


def make_checker(base_url: str, admin: str, phone: str, n: int) -> Checker:
    body = {"phone": phone, "name": NAMES[n % len(NAMES)], "place_id": f"gate-{n}"}
    status, enrolled = call(base_url, "POST", "/v1/admin/checkers", body, admin)
    assert status == 201, (status, enrolled)
    return Checker(enrolled["account_id"], login(base_url, phone))


def make_holder(base_url: str, phone: str, serial: int) -> Holder:
    token = login(base_url, phone)
    status, created = call(base_url, "POST", "/v1/applications", application(serial), token)
    assert status == 201, (status, created)
    person_id = created["person_id"]
    status, view = call(base_url, "GET", f"/v1/persons/{person_id}/code", token=token)
    assert status == 200, (status, view)
    return Holder(phone, token, person_id, view["token"])


def set_up(base_url: str, admin_phone: str, checkers: int, holders: int) -> World:
    """Checkers and holders made through the API: the first of each alone (a fresh server's
    first requests load their modules and keys), then 4 at a time."""
    admin = login(base_url, admin_phone)
    pool, phones = Pool(4), _phones("13")
    made_checkers = [make_checker(base_url, admin, next(phones), 0)]
    made_holders = [make_holder(base_url, next(phones), 0)]
    made_checkers += pool.map(
        lambda n: make_checker(base_url, admin, next(phones), n), range(1, checkers)
    )
    made_holders += pool.map(lambda n: make_holder(base_url, next(phones), n), range(1, holders))
    return World(base_url, made_checkers, made_holders)


# --- the load ----------------------------------------------------------------------------------


class Visitor(FastHttpUser):
    """One simulated user: a checker (round robin over the world's) who also owns a slice of
    the holders, so a holder's check-ins are sequential and the last one accepted is known."""

    abstract = True
    world: World
    slices: int
    wait_time = between(0, 0.01)

    def on_start(self) -> None:
        n = next(self.world.slices)
        self.checker = self.world.checkers[n % len(self.world.checkers)]
        self.own = self.world.holders[n :: self.slices] or [random.choice(self.world.holders)]

    def _send(self, name: str, method: str, path: str, body: Any = None, token: str = "") -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.request(
            method, path, json=body, headers=headers, name=name, catch_response=True
        )

    @task(WEIGHTS["verify"])
    def verify(self) -> None:
        holder = random.choice(self.world.holders)
        body = {"token": holder.code}
        with self._send("verify", "POST", "/v1/verify", body, self.checker.token) as r:
            answer = r.json() if r.status_code == 200 else {}
            if not answer.get("pass"):  # every holder is green: anything else is an error
                r.failure(f"{r.status_code} {answer.get('reason')}")
                return
            key = (self.checker.account_id, holder.person_id, answer["checked_at"])
            self.world.accepted.scans[key] += 1

    @task(WEIGHTS["code"])
    def code(self) -> None:
        holder = random.choice(self.own)
        path = f"/v1/persons/{holder.person_id}/code"
        with self._send("code", "GET", path, token=holder.token) as r:
            if r.status_code != 200:
                r.failure(str(r.status_code))
                return
            holder.code = r.json()["token"]

    @task(WEIGHTS["checkin"])
    def checkin(self) -> None:
        holder = random.choice(self.own)
        body = {"temperature": round(random.uniform(36.0, 36.9), 1), "symptoms": []}
        path = f"/v1/persons/{holder.person_id}/checkins"
        with self._send("checkin", "POST", path, body, holder.token) as r:
            if r.status_code not in (200, 201):
                r.failure(str(r.status_code))
                return
            answer = r.json()
            self.world.accepted.checkins[(holder.person_id, answer["date"])] = answer["temperature"]

    @task(WEIGHTS["login"])
    def login(self) -> None:
        phone = next(self.world.phones)
        with self._send("login:otp", "POST", "/v1/auth/otp", {"phone": phone}) as r:
            if r.status_code != 202:
                r.failure(str(r.status_code))
                return
            body = {"phone": phone, "code": r.json()["dev_code"]}
        with self._send("login:token", "POST", "/v1/auth/token", body) as r:
            if r.status_code != 200:
                r.failure(str(r.status_code))
                return
            self.world.accepted.logins[phone] = subject(r.json()["access_token"])


def drive(world: World, users: int, run_time: float, max_requests: int) -> float:
    """Runs the mix until `run_time` seconds or `max_requests` requests; the seconds it took.
    Users finish the task they are in (up to 10 s), so every answer sent is also received."""
    setting = {"abstract": False, "world": world, "slices": users, "host": world.base_url}
    user = type("Visitor", (Visitor,), setting)
    env = Environment(user_classes=[user], events=events, stop_timeout=10)
    runner = env.create_local_runner()
    done = gevent.event.Event()

    def on_request(name: str, response_time: float, exception: Any, **_: Any) -> None:
        world.times[name].append(response_time)
        if exception is not None:
            world.errors[name] += 1
        if sum(len(v) for v in world.times.values()) >= max_requests:
            done.set()

    env.events.request.add_listener(on_request)
    started = time.monotonic()
    runner.start(users, spawn_rate=users)
    done.wait(run_time)
    runner.stop()
    took = time.monotonic() - started
    runner.quit()
    env.events.request.remove_listener(on_request)
    return took


# --- the report --------------------------------------------------------------------------------


def percentile(times: list[float], p: int) -> float:
    if len(times) < 2:
        return times[0] if times else 0.0
    return statistics.quantiles(times, n=100, method="inclusive")[p - 1]


def summary(world: World, took: float, missing: Missing) -> dict[str, Any]:
    kinds = {
        kind: {
            "requests": len(world.times[kind]),
            "p50_ms": round(percentile(world.times[kind], 50), 1),
            "p99_ms": round(percentile(world.times[kind], 99), 1),
            "errors": world.errors[kind],
        }
        for kind in KINDS
    }
    total = sum(k["requests"] for k in kinds.values())
    return {
        "seconds": round(took, 1),
        "requests": total,
        "requests_per_second": round(total / took, 1) if took else 0.0,
        "errors": sum(world.errors.values()),
        "kinds": kinds,
        "accepted": {
            "scans": sum(world.accepted.scans.values()),
            "checkins": len(world.accepted.checkins),
            "logins": len(world.accepted.logins),
        },
        "missing": {
            "scans": missing.scans,
            "checkins": missing.checkins,
            "logins": missing.logins,
        },
    }


def print_summary(report: dict[str, Any]) -> None:
    print(f"\n{'kind':<12} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind, k in report["kinds"].items():
        line = f"{k['requests']:>9} {k['p50_ms']:>8.1f} {k['p99_ms']:>8.1f} {k['errors']:>7}"
        print(f"{kind:<12} {line}")
    print(
        f"\n{report['requests']} requests in {report['seconds']} s: "
        f"{report['requests_per_second']} requests/s, {report['errors']} errors"
    )
    accepted, missing = report["accepted"], report["missing"]
    labels = {"scans": "scans", "checkins": "check-in days", "logins": "logins"}
    for what, label in labels.items():
        print(f"{label:<13} accepted {accepted[what]:>6}  missing in the database {missing[what]}")


# --- the server --------------------------------------------------------------------------------


@contextmanager
def local_server(host: str) -> Iterator[tuple[str, str]]:
    """The API on `host` (loopback) with fresh tables and an admin: (base URL, admin phone).
    The process's environment becomes the server's, so the store reads the same tables."""
    import os

    from tests import live_server

    live_server.HOST = host
    with tempfile.TemporaryDirectory(prefix="healthcode-load-") as data:
        with live_server.serve(Path(data)) as server:
            os.environ.update(server.env)
            yield server.base_url, live_server.ADMIN_PHONE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to serve on")
    parser.add_argument("--run-time", type=float, default=40.0, help="seconds, at most")
    parser.add_argument("--max-requests", type=int, default=4000, help="requests, at most")
    parser.add_argument("--users", type=int, default=12, help="concurrent simulated users")
    parser.add_argument("--checkers", type=int, default=8)
    parser.add_argument("--holders", type=int, default=120)
    parser.add_argument("--report", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    host = require_loopback(args.host)
    with local_server(host) as (base_url, admin_phone):
        started = time.monotonic()
        world = set_up(base_url, admin_phone, args.checkers, args.holders)
        print(
            f"set up {len(world.checkers)} checkers and {len(world.holders)} holders through "
            f"the API in {time.monotonic() - started:.1f} s; load for at most {args.run_time:g} s "
            f"or {args.max_requests} requests with {args.users} users",
            flush=True,
        )
        took = drive(world, args.users, args.run_time, args.max_requests)
        report = summary(world, took, missing_writes(world.accepted))
    print_summary(report)
    if args.report:
        args.report.write_text(json.dumps(report, indent=2))
    failed = report["errors"] or sum(report["missing"].values())
    print("FAIL" if failed else "OK: zero errors, nothing lost")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
