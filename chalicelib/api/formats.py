"""What the server accepts, as JSON Schema for the OpenAPI document (no pydantic here: the route
declarations use it too, and they load on every cold start).

Every check the server makes on a request is published. Checks that JSON Schema cannot spell get
a named `format` beside a pattern that already narrows the value (docs/api.md defines them):

- `gb11643`: 18 characters with a valid ISO 7064 MOD 11-2 check digit and a birth date from
  1900-01-01 to today (Asia/Shanghai) at positions 7-14;
- `gb2260`: a GB/T 2260 region code in force;
- `date-until-today`: a calendar date no later than today (Asia/Shanghai);
- `arrival-date`: a calendar date from 2000-01-01 to 7 days after today (Asia/Shanghai);
- `partner-code`: a live code token of an issuer on our trust list, not expired;
- `place-code`: the token of a place code (场所码) of ours whose place is open;
- `future-date-time`: an RFC 3339 instant with an offset, after now;
- `page-cursor`: the `next` of a listing's previous page, unchanged (an instant that exists).

One value depends on state no document can list: a family `share_code` must be one issued for
that person (POST /v1/persons/{person_id}/share-codes), unused and unexpired; any other is 400
invalid_share_code, like a wrong SMS code is 401.
"""

from __future__ import annotations

from typing import Any

from chalicelib.services.pages import PATTERN as PAGE_CURSOR

# Patterns describe the canonical form; the server also accepts spaces, dashes, full-width
# characters and lower case, and normalises them away.
PHONE: dict[str, Any] = {
    "type": "string",
    "pattern": r"^(\+86|0086|86)?1[3-9][0-9]{9}$",
    "description": "a mainland China mobile number (11 digits), optionally with +86",
    "examples": ["13912345678"],
}

REGION_CODE: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[1-9][0-9]{5}$",
    "format": "gb2260",
    "description": "6-digit GB/T 2260 code in force",
    "examples": ["370102"],
}

PROVINCE_CODE: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[1-9][0-9]0000$",
    "format": "gb2260",
    "description": "2-digit + 0000 GB/T 2260 province code",
    "examples": ["110000"],
}

_YEAR_2000_TO_2100 = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
# A calendar date people live by, within 2000-2100 (date arithmetic can never overflow).
DAY: dict[str, Any] = {"type": "string", "format": "date", "pattern": _YEAR_2000_TO_2100}
DAY_UNTIL_TODAY: dict[str, Any] = {**DAY, "format": "date-until-today"}
ARRIVAL_DATE: dict[str, Any] = {**DAY, "format": "arrival-date"}

_BIRTH_DATE = r"(19[0-9]{2}|20[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"
_GB11643 = {
    "pattern": rf"^[0-9]{{6}}{_BIRTH_DATE}[0-9]{{3}}[0-9X]$",
    "format": "gb11643",
}

# id_number by id_type (validation.check_document says the same in code).
ID_NUMBERS: dict[str, dict[str, Any]] = {
    "resident_id": _GB11643,
    "passport": {"pattern": r"^[A-Z0-9]{5,17}$"},
    "hk_macao_permit": {"pattern": r"^[HMC][0-9A-Z]{8,10}$"},
    "taiwan_permit": {"pattern": r"^([0-9]{8}|[0-9]{10}|[A-Z][0-9]{9})$"},
    "foreign_permanent_residence": {
        "anyOf": [{"pattern": r"^[A-Z]{3}[0-9]{12}$"}, {"allOf": [{"pattern": r"^9"}, _GB11643]}]
    },
}


def id_number_rules() -> list[dict[str, Any]]:
    """`allOf` members tying `id_number` to `id_type`: one branch per document type."""
    return [
        {
            "anyOf": [
                {
                    "properties": {
                        "id_type": {"const": id_type},
                        "id_number": {"type": "string", **rule},
                    }
                }
                for id_type, rule in ID_NUMBERS.items()
            ]
        }
    ]


def enum(values: Any, default: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": list(values)}
    if default is not None:
        schema["default"] = default
    return schema


# A page's cursor: the `next` of the previous page, sent back unchanged.
CURSOR: dict[str, Any] = {"type": "string", "format": "page-cursor", "pattern": PAGE_CURSOR}
