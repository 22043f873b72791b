"""Which provincial policy is in force: the operator's HEALTHCODE_PROFILE wins over the stage's
HEALTHCODE_STAGE_PROFILE (.chalice/config.json), and Shandong is the default."""

from __future__ import annotations

import pytest

from chalicelib import config
from chalicelib.policies import PROFILES, load

ROWS = [
    pytest.param(None, None, "shandong", id="nothing set: Shandong"),
    pytest.param(None, "hainan", "hainan", id="stage profile only"),
    pytest.param("hubei", None, "hubei", id="operator profile only"),
    pytest.param("hubei", "hainan", "hubei", id="operator wins over the stage"),
    pytest.param("", "hainan", "hainan", id="empty operator value falls back to the stage"),
    pytest.param("  ", None, "shandong", id="blank values are unset"),
    pytest.param(" hainan ", "hubei", "hainan", id="surrounding spaces are ignored"),
]


@pytest.mark.parametrize(("operator", "stage", "expected"), ROWS)
def test_profile_precedence(
    monkeypatch: pytest.MonkeyPatch, operator: str | None, stage: str | None, expected: str
) -> None:
    for name, value in (("HEALTHCODE_PROFILE", operator), ("HEALTHCODE_STAGE_PROFILE", stage)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert config.profile() == expected
    assert load(config.profile()).profile == expected


def test_profile_is_read_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHCODE_STAGE_PROFILE", "hainan")
    monkeypatch.delenv("HEALTHCODE_PROFILE", raising=False)
    assert config.profile() == "hainan"
    monkeypatch.setenv("HEALTHCODE_PROFILE", "hubei")
    assert config.profile() == "hubei"


@pytest.mark.parametrize("profile", PROFILES)
def test_the_issuer_follows_the_profile(monkeypatch: pytest.MonkeyPatch, profile: str) -> None:
    monkeypatch.setenv("HEALTHCODE_PROFILE", profile)
    monkeypatch.delenv("HEALTHCODE_ISSUER", raising=False)
    assert config.issuer() == f"healthcode:{load(profile).issuer_region}"
