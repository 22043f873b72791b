"""Attributes for the values people's rules turn on: an Asia/Shanghai calendar day is stored as
its ISO text (`2026-11-28`), so it sorts and compares as a date in key conditions too."""

from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.constants import STRING


class DateAttribute(Attribute[date]):
    """A calendar date (no time, no zone) as `YYYY-MM-DD`."""

    attr_type = STRING

    def serialize(self, value: Any) -> str:
        return date.isoformat(value)

    def deserialize(self, value: Any) -> date:
        return date.fromisoformat(value)
