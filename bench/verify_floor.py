"""Benchmark 1: the verify service against the floor of what it must do anyway — one consistent
GetItem, one PutItem and one ES256 signature check — measured interleaved in the same run."""

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
from chalicelib.security.tokens import issue_code
from chalicelib.services.verify import verify

TARGET = 1.2
REISSUE_MARGIN = timedelta(seconds=30)


class LiveToken:
    """A live code token for the world's holder, re-issued before it expires."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.expires: datetime | None
        self.token, self.expires = "", None

    def at(self, now: datetime) -> str:
        if self.expires is None or now >= self.expires - REISSUE_MARGIN:
            w = self.world
            self.token, self.expires = issue_code(w.ctx.code_keys, w.person_id, w.color, now)
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


def run(world: World, *, rounds: int = 10, per_round: int = 30, warmup: int = 30) -> dict[str, Any]:
    live = LiveToken(world)

    def service() -> None:
        now = utcnow()
        answer = verify(world.ctx, world.checker, live.at(now), PLACE, now)
        assert answer["pass"] is True, answer

    floor = _floor(world, live.at(utcnow()))
    timed(service, warmup)
    timed(floor, warmup)
    service_times: list[float] = []
    floor_times: list[float] = []
    for round_ in range(rounds):  # interleaved, alternating which goes first
        first, second = (service_times, service), (floor_times, floor)
        for times, call in (first, second) if round_ % 2 == 0 else (second, first):
            times.extend(timed(call, per_round))
    ratio = median(service_times) / median(floor_times)
    return {
        "calls": len(service_times),
        "verify_ms": {"median": ms(median(service_times)), "p90": ms(p90(service_times))},
        "floor_ms": {"median": ms(median(floor_times)), "p90": ms(p90(floor_times))},
        "ratio": round(ratio, 3),
        "target": TARGET,
        "pass": ratio <= TARGET,
    }
