"""Cursors of paged listings (reports, appeals): the last item's time and id, as text a client
sends back unchanged. Nothing personal: an instant and a random id."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from chalicelib.domain.errors import InvalidInput

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z~[0-9a-f]{16}$"
_CURSOR = re.compile(PATTERN)


def cursor_of(at: datetime, item_id: str) -> str:
    return f"{at.astimezone(UTC).strftime(_FORMAT)}~{item_id}"


def parse_cursor(text: str | None) -> tuple[datetime, str] | None:
    """The (time, id) a cursor names; None without one; 400 invalid_cursor for anything else."""
    if text is None:
        return None
    if not _CURSOR.match(text):
        raise InvalidInput(
            "cursor must be the `next` of the previous page, unchanged.",
            "cursor 须原样使用上一页返回的 next。",
            code="invalid_cursor",
        )
    when, _, item_id = text.partition("~")
    return datetime.strptime(when, _FORMAT).replace(tzinfo=UTC), item_id
