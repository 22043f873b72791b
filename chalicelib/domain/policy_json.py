"""Strict readers of a policy's JSON form, shared by the policy (`policy.py`) and its conditions
(`conditions.py`). Each takes the object and a path used in error messages ("rules[3].when")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class PolicyError(ValueError):
    """The policy data is malformed or names something the engine does not know."""


def expect_keys(d: Any, where: str, required: set[str], optional: set[str]) -> None:
    """`d` is an object with every `required` key and nothing beyond `required` and `optional`."""
    if not isinstance(d, Mapping):
        raise PolicyError(f"{where}: expected an object, got {type(d).__name__}")
    missing = sorted(required - d.keys())
    if missing:
        raise PolicyError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(d.keys() - required - optional)
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(unknown)}")


def text(d: Mapping[str, Any], key: str, where: str) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where}.{key}: expected a non-empty string")
    return value


def obj(d: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = d.get(key)
    if not isinstance(value, Mapping):
        raise PolicyError(f"{where}.{key}: expected an object")
    return value


def items(d: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = d.get(key)
    if not isinstance(value, list):
        raise PolicyError(f"{where}.{key}: expected a list")
    return value


def days(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PolicyError(f"{where}: expected a whole number of days >= 1, got {value!r}")
    return value


def celsius(d: Mapping[str, Any], key: str, where: str) -> float:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 30 <= value <= 45:
        raise PolicyError(f"{where}.{key}: expected a temperature in °C, got {value!r}")
    return float(value)


def enum_list(d: Mapping[str, Any], key: str, where: str, enum: Any) -> tuple[Any, ...]:
    """A non-empty list of distinct values of `enum` (a str Enum)."""
    values = tuple(enum_value(enum, item, f"{where}.{key}") for item in items(d, key, where))
    if not values:
        raise PolicyError(f"{where}.{key}: must not be empty")
    if len(set(values)) != len(values):
        raise PolicyError(f"{where}.{key}: duplicate values")
    return values


def enum_value(enum: Any, value: Any, where: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(m.value for m in enum)
        raise PolicyError(
            f"{where}: unknown {enum.__name__.lower()} {value!r} (expected one of {known})"
        ) from None
