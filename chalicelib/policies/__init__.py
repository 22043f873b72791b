"""Per-province colour policies as data: one `<profile>.json` file each, next to this module.

Adding a province is adding a JSON file; `PROFILES` lists whatever files are present.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from chalicelib.domain.policy import Policy, PolicyError

_DIR = Path(__file__).resolve().parent

PROFILES: tuple[str, ...] = tuple(sorted(p.stem for p in _DIR.glob("*.json")))

__all__ = ["PROFILES", "Policy", "PolicyError", "load"]


@functools.lru_cache(maxsize=16)
def load(profile: str) -> Policy:
    """The validated policy of `profile`; PolicyError if it is unknown or its data is invalid."""
    if profile not in PROFILES:
        known = ", ".join(PROFILES)
        raise PolicyError(f"unknown policy profile {profile!r} (available: {known})")
    path = _DIR / f"{profile}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PolicyError(f"{path.name}: cannot read policy: {exc}") from exc
    policy = Policy.from_dict(data)
    if policy.profile != profile:
        raise PolicyError(f"{path.name}: declares profile {policy.profile!r}, expected {profile!r}")
    return policy
