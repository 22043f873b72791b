"""Cursors of paged listings (reports, appeals): the last item's time and id, as text a client
sends back unchanged. Nothing personal: an instant and a random id."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from chalicelib.domain.errors import InvalidInput

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
PATTERN = (
    r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:"
    r"[0-5][0-9]\.[0-9]{6}Z~[0-9a-f]{16}$"
)


def cursor_of(at: datetime, item_id: str) -> str:
    return f"{at.astimezone(UTC).strftime(_FORMAT)}~{item_id}"


# The pattern allows days 01-28 only, so that every string it allows is a real instant (JSON
# Schema cannot say "a day of that month"); `next` is made on any day, and read back below.
_ANY_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z~[0-9a-f]{16}$")


def parse_cursor(text: str | None) -> tuple[datetime, str] | None:
    """The (time, id) a cursor names; None without one; 400 invalid_cursor for anything else."""
    if text is None:
        return None
    when, _, item_id = text.partition("~")
    try:
        if not _ANY_DAY.match(text):
            raise ValueError(text)
        return datetime.strptime(when, _FORMAT).replace(tzinfo=UTC), item_id
    except ValueError:  # the form, or a day or hour that does not exist (2026-13-45)
        raise InvalidInput(
            "cursor must be the `next` of the previous page, unchanged.",
            "cursor 须原样使用上一页返回的 next。",
            code="invalid_cursor",
        ) from None
