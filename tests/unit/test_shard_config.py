"""Shard counts per day-keyed kind come from configuration: peak-sized in the deployed stages,
8 on one machine, overridable per kind, and readers never read fewer shards than were written."""

from __future__ import annotations

import pytest

from chalicelib import config

KINDS = tuple(config.SHARD_DEFAULTS)


def test_the_deployed_stages_default_to_counts_sized_for_the_peak(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEALTHCODE_STAGE", "prod")
    assert {kind: config.shards(kind) for kind in KINDS} == {
        "scans": 256,
        "reports": 256,
        "place_visits": 256,
        "checkins": 128,
        "due": 128,
        "logins": 32,
        "visits": 32,
    }
    # 100,000 verifies/s over one day's scan partitions stay under 70% of 1,000 writes/s a key.
    assert 100_000 / config.shards("scans") <= 700
    assert 50_000 / config.shards("checkins") <= 700


def test_stage_local_keeps_the_eight_shards_every_kind_had(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEALTHCODE_STAGE", "local")
    assert {config.shards(kind) for kind in KINDS} == {8}


def test_each_kind_takes_its_own_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHCODE_STAGE", "prod")
    monkeypatch.setenv("HEALTHCODE_SCANS_SHARDS", "512")
    monkeypatch.setenv("HEALTHCODE_PLACE_VISITS_SHARDS", "64")
    assert config.shards("scans") == 512
    assert config.shards("place_visits") == 64
    assert config.shards("reports") == 256


@pytest.mark.parametrize("value", ["0", "-8", "4097"])
def test_a_count_outside_1_to_4096_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HEALTHCODE_DUE_SHARDS", value)
    with pytest.raises(ValueError, match="HEALTHCODE_DUE_SHARDS"):
        config.shards("due")


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        config.shards("appeals")


def test_readers_follow_a_raised_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHCODE_STAGE", "prod")
    monkeypatch.setenv("HEALTHCODE_SCANS_SHARDS", "1024")
    assert config.shards_read("scans") == 1024


def test_readers_keep_the_default_count_when_the_count_is_lowered_below_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEALTHCODE_STAGE", "prod")
    monkeypatch.setenv("HEALTHCODE_SCANS_SHARDS", "16")
    assert config.shards("scans") == 16
    assert config.shards_read("scans") == 256


def test_a_read_floor_keeps_a_lowered_custom_count_readable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEALTHCODE_STAGE", "prod")
    monkeypatch.setenv("HEALTHCODE_CHECKINS_SHARDS", "256")
    monkeypatch.setenv("HEALTHCODE_CHECKINS_SHARDS_READ_FLOOR", "512")
    assert config.shards_read("checkins") == 512


def test_readers_never_read_fewer_than_the_eight_shards_used_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEALTHCODE_STAGE", "local")
    monkeypatch.setenv("HEALTHCODE_LOGINS_SHARDS", "2")
    monkeypatch.setenv("HEALTHCODE_LOGINS_SHARDS_READ_FLOOR", "1")
    assert config.shards_read("logins") == 8


def test_the_shard_of_an_id_spreads_random_ids_evenly_over_any_count() -> None:
    import secrets

    from chalicelib.storage.dynamo.common import shard_of

    for count in (100, 256):
        hits = [0] * count
        for _ in range(count * 200):
            hits[shard_of(secrets.token_hex(8), count)] += 1
        assert max(hits) < 200 * 1.5 and min(hits) > 200 * 0.5
