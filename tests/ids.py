"""Test identities: valid resident ID numbers made with python-stdnum's check digit."""

from __future__ import annotations

import itertools

from stdnum.cn import ric

_serial = itertools.count(1)


def resident_id(area: str = "370102", birth: str | None = None) -> str:
    """A fresh, valid 18-character resident ID (practically unique across test runs)."""
    import random
    from datetime import date, timedelta

    if birth is None:
        born = date(1940, 1, 1) + timedelta(days=random.randint(0, 25000))
        birth = born.strftime("%Y%m%d")
    body = f"{area}{birth}{(next(_serial) * 7 + random.randint(0, 999)) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")
