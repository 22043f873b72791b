"""Benchmark 1: the verify service against the floor of what it must do anyway — one consistent
GetItem, one PutItem and one ES256 signature check — measured interleaved in the same run, for
v1 (JWT) and v2 (`HC2:`) code tokens side by side; v2 may be at most 10 % slower than v1."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import boto3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from bench.stats import median, ms, p90, timed
from bench.world import PLACE, World
from chalicelib import config
from chalicelib.domain.clock import utcnow
from chalicelib.security import compact
from chalicelib.security.tokens import issue_code, verify_code
from chalicelib.services.trust import is_partner_token
from chalicelib.services.verify import verify

TARGET = 1.2
V2_VS_V1_TARGET = 1.1
REISSUE_MARGIN = timedelta(seconds=30)


class LiveToken:
    """A live code token for the world's holder, re-issued before it expires."""

    def __init__(self, world: World, v2: bool = False) -> None:
        self.world = world
        self.v2 = v2
        self.expires: datetime | None
        self.token, self.expires = "", None

    def at(self, now: datetime) -> str:
        if self.expires is None or now >= self.expires - REISSUE_MARGIN:
            w = self.world
            self.token, self.expires = issue_code(
                w.ctx.code_keys, w.person_id, w.color, now, v2=self.v2
            )
        return self.token


def _floor(world: World, token: str) -> Any:
    """The floor as one call: raw GetItem + PutItem (botocore) + ES256 verify (cryptography)."""
    client = boto3.client("dynamodb", region_name=config.aws_region())
    persons, scans = f"{world.prefix}persons", f"{world.prefix}scans"
    key = {"person_id": {"S": world.person_id}}
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key()
    data = token.rsplit(".", 1)[0].encode()  # a real JWT signing input
    signature = private.sign(data, ec.ECDSA(hashes.SHA256()))

    def call() -> None:
        found = client.get_item(TableName=persons, Key=key, ConsistentRead=True)
        assert "Item" in found
        now = utcnow()
        shard = secrets.randbelow(config.shards("scans"))
        item = {
            "day_shard": {"S": f"{now.date().isoformat()}#{shard}"},
            "at_id": {"S": f"{now.isoformat()}#{secrets.token_hex(8)}"},
            "checker_id": {"S": world.checker.account_id},
            "place_id": {"S": PLACE},
            "valid": {"BOOL": True},
            "passed": {"BOOL": True},
            "color": {"S": world.color.value},
            "person_id": {"S": world.person_id},
        }
        client.put_item(TableName=scans, Item=item)
        public.verify(signature, data, ec.ECDSA(hashes.SHA256()))

    return call


def _token_checks(world: World, calls: int = 2000) -> tuple[float, float]:
    """Microseconds (median) of the code token check alone, v1 and v2, for information: the part
    of a verify that differs between the formats, without the database's noise."""
    now = utcnow()
    keys = world.ctx.code_keys
    out = []
    for v2 in (False, True):
        token, _ = issue_code(keys, world.person_id, world.color, now, v2=v2)

        def check(token: str = token) -> None:
            compact.forget()  # as for a token never seen: each scan is a new one
            if not is_partner_token(token):
                verify_code(keys, token, now)

        timed(check, 100)
        out.append(round(median(timed(check, calls)) * 1e6, 1))
    return out[0], out[1]


def run(world: World, *, rounds: int = 10, per_round: int = 30, warmup: int = 30) -> dict[str, Any]:
    def service_of(live: LiveToken) -> Any:
        def service() -> None:
            compact.forget()  # as for a token never seen: each scan is a new one
            now = utcnow()
            answer = verify(world.ctx, world.checker, live.at(now), PLACE, now)
            assert answer["pass"] is True, answer

        return service

    v1, v2 = service_of(LiveToken(world)), service_of(LiveToken(world, v2=True))
    floor = _floor(world, LiveToken(world).at(utcnow()))
    for call in (v1, v2, floor):
        timed(call, warmup)
    times: dict[str, list[float]] = {"v1": [], "v2": [], "floor": []}
    calls = [("v1", v1), ("v2", v2), ("floor", floor)]
    # Interleaved call by call, rotating which goes first: on a shared machine the load drifts
    # within seconds, and the three must see the same moments.
    for index in range(rounds * per_round):
        shift = index % len(calls)
        for name, call in calls[shift:] + calls[:shift]:
            times[name].extend(timed(call, 1))
    floor_median = median(times["floor"])
    ratio = median(times["v1"]) / floor_median
    ratio_v2 = median(times["v2"]) / floor_median
    v2_vs_v1 = median(times["v2"]) / median(times["v1"])
    token_v1, token_v2 = _token_checks(world)
    return {
        "calls": len(times["v1"]),
        "verify_ms": {"median": ms(median(times["v1"])), "p90": ms(p90(times["v1"]))},
        "floor_ms": {"median": ms(floor_median), "p90": ms(p90(times["floor"]))},
        "ratio": round(ratio, 3),
        "target": TARGET,
        "pass": ratio <= TARGET,
        "v2": {
            "verify_ms": {"median": ms(median(times["v2"])), "p90": ms(p90(times["v2"]))},
            "ratio": round(ratio_v2, 3),
            "pass": ratio_v2 <= TARGET,
        },
        "v2_vs_v1": round(v2_vs_v1, 3),
        "token_check_us": {"v1": token_v1, "v2": token_v2},
        "v2_vs_v1_target": V2_VS_V1_TARGET,
        "v2_vs_v1_pass": v2_vs_v1 <= V2_VS_V1_TARGET,
    }
