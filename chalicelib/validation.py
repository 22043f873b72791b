"""Checks of identity documents, region codes and phone numbers at the edge of the app.

Each `check_*` returns the normalised value or raises `InvalidValue`, whose `code` is a stable
machine code for problem responses and whose messages are in English and Chinese. Normalising
applies NFKC (full-width digits and letters typed with Chinese input methods become ASCII),
drops spaces and dashes and upper-cases letters.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

INVALID_ID_NUMBER = "invalid_id_number"
INVALID_ID_TYPE = "invalid_id_type"
INVALID_REGION_CODE = "invalid_region_code"
INVALID_PHONE = "invalid_phone"
INVALID_NATIONALITY = "invalid_nationality"

ID_TYPES = (
    "resident_id",
    "passport",
    "hk_macao_permit",
    "taiwan_permit",
    "foreign_permanent_residence",
)

_CHINA_TZ = timezone(timedelta(hours=8))
_EARLIEST_BIRTH = date(1900, 1, 1)
_MAX_INPUT = 64  # anything longer is rejected before it is normalised

_GB11643 = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_PASSPORT = re.compile(r"[A-Z0-9]{5,17}", re.ASCII)
_HK_MACAO_PERMIT = re.compile(r"[HMC][0-9A-Z]{8,10}", re.ASCII)
_TAIWAN_PERMIT = re.compile(r"[0-9]{8}|[0-9]{10}|[A-Z][0-9]{9}", re.ASCII)
_FOREIGN_PR_OLD = re.compile(r"[A-Z]{3}[0-9]{12}", re.ASCII)
_REGION_CODE = re.compile(r"[0-9]{6}", re.ASCII)
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_SEPARATORS = re.compile(r"[\s\-]+")
_DATED_NAME = re.compile(r"\[([0-9]*)-([0-9]*)\](.*)")
# Statistical groupings in GB/T 2260 that are not places (left out of region names).
_PLACEHOLDER_NAMES = frozenset({"市辖区", "县"})


class InvalidValue(ValueError):
    """A value a client sent is not acceptable; `code` is the machine-readable reason."""

    def __init__(self, code: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_zh = message_zh


def _china_today() -> date:
    return datetime.now(_CHINA_TZ).date()


def _compact(value: object, code: str, message: str, message_zh: str) -> str:
    if not isinstance(value, str) or len(value) > _MAX_INPUT:
        raise InvalidValue(code, message, message_zh)
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


# --- identity documents -------------------------------------------------------------------------


def _check_gb11643(number: str, today: date | None, label: str, label_zh: str) -> str:
    """18 characters, ISO 7064 MOD 11-2 check digit and a birth date at positions 7-14."""
    if not _GB11643.fullmatch(number):
        raise InvalidValue(
            INVALID_ID_NUMBER,
            f"A {label} number has 18 characters: 17 digits and a final digit or X.",
            f"{label_zh}号码应为18位：17位数字加1位数字或X。",
        )
    if ric.calc_check_digit(number) != number[-1]:
        raise InvalidValue(
            INVALID_ID_NUMBER,
            f"The {label} number's check digit is wrong; please check the number.",
            f"{label_zh}号码校验位错误，请核对号码。",
        )
    try:
        birth = ric.get_birth_date(number)
    except (ValidationError, ValueError):
        birth = None
    if birth is None or birth < _EARLIEST_BIRTH or birth > (today or _china_today()):
        raise InvalidValue(
            INVALID_ID_NUMBER,
            f"The {label} number does not contain a valid birth date.",
            f"{label_zh}号码中的出生日期无效。",
        )
    return number


def check_resident_id(number: str, today: date | None = None) -> str:
    """A 居民身份证 number (GB 11643): 18 characters, its check digit, a real birth date.

    The birth date must lie between 1900-01-01 and today in China (UTC+8; `today` overrides).
    The area prefix is deliberately not checked against the birth year: codes were issued when
    the card was, often decades after birth. Returns the number with an upper-case X.
    """
    compact = _compact(
        number,
        INVALID_ID_NUMBER,
        "A resident ID number has 18 characters: 17 digits and a final digit or X.",
        "居民身份证号码应为18位：17位数字加1位数字或X。",
    )
    return _check_gb11643(compact, today, "resident ID", "居民身份证")


def _pattern_check(
    pattern: re.Pattern[str], message: str, message_zh: str
) -> Callable[[str, date | None], str]:
    def check(number: str, today: date | None = None) -> str:
        compact = _compact(number, INVALID_ID_NUMBER, message, message_zh)
        if not pattern.fullmatch(compact):
            raise InvalidValue(INVALID_ID_NUMBER, message, message_zh)
        return compact

    return check


_check_passport = _pattern_check(
    _PASSPORT,
    "A passport number has 5 to 17 letters and digits.",
    "护照号码应为5至17位字母或数字。",
)
_check_hk_macao_permit = _pattern_check(
    _HK_MACAO_PERMIT,
    "A Hong Kong/Macao permit number is H, M or C followed by 8 to 10 letters or digits.",
    "港澳通行证号码应为H、M或C开头，后接8至10位字母或数字。",
)
_check_taiwan_permit = _pattern_check(
    _TAIWAN_PERMIT,
    "A Taiwan compatriot permit number has 8 or 10 digits, or a letter and 9 digits.",
    "台湾居民来往大陆通行证号码应为8位或10位数字，或1位字母加9位数字。",
)

_FOREIGN_PR_MESSAGE = (
    (
        "A foreign permanent residence card number has 3 letters and 12 digits, "
        "or 18 characters starting with 9."
    ),
    "外国人永久居留身份证号码应为3位字母加12位数字，或以9开头的18位号码。",
)


def _check_foreign_permanent_residence(number: str, today: date | None = None) -> str:
    compact = _compact(number, INVALID_ID_NUMBER, *_FOREIGN_PR_MESSAGE)
    if _FOREIGN_PR_OLD.fullmatch(compact):
        return compact
    if len(compact) == 18 and compact.startswith("9"):
        return _check_gb11643(compact, today, "permanent residence card", "外国人永久居留身份证")
    raise InvalidValue(INVALID_ID_NUMBER, *_FOREIGN_PR_MESSAGE)


_DOCUMENT_CHECKS: dict[str, Callable[[str, date | None], str]] = {
    # 居民身份证: GB 11643, see check_resident_id.
    "resident_id": check_resident_id,
    # 护照: 5-17 letters/digits (Chinese E/G/EA + digits fit); no per-country formats.
    "passport": _check_passport,
    # 往来港澳通行证 (C...) and 港澳居民来往内地通行证 (H/M + 8 or 10 digits): [HMC] + 8-10.
    "hk_macao_permit": _check_hk_macao_permit,
    # 台胞证: 8 digits (current card), 10 digits (older numbers), or a letter + 9 digits.
    "taiwan_permit": _check_taiwan_permit,
    # 外国人永久居留身份证: old AAA + 12 digits; 2023 format 9 + 17 with the GB 11643 checks.
    "foreign_permanent_residence": _check_foreign_permanent_residence,
}


def check_document(id_type: str, number: str, today: date | None = None) -> str:
    """Check `number` as a document of `id_type` (one of ID_TYPES); returns it normalised.

    resident_id: 18 chars, GB 11643 check digit, birth date 1900..today (see check_resident_id).
    passport: 5-17 ASCII letters/digits, upper-cased.
    hk_macao_permit: H, M or C + 8-10 letters/digits.
    taiwan_permit: 8 digits, 10 digits, or 1 letter + 9 digits.
    foreign_permanent_residence: 3 letters + 12 digits, or 18 chars from 9 checked like a
    resident ID (check digit and birth date).
    Unknown id_type: InvalidValue `invalid_id_type`; bad number: `invalid_id_number`.
    """
    check = _DOCUMENT_CHECKS.get(id_type) if isinstance(id_type, str) else None
    if check is None:
        raise InvalidValue(
            INVALID_ID_TYPE,
            "Unknown document type; use one of: " + ", ".join(ID_TYPES) + ".",
            "证件类型无效，可选：" + "、".join(ID_TYPES) + "。",
        )
    return check(number, today)


# --- region codes (GB/T 2260, from python-stdnum's cn/loc data) -----------------------------------


@functools.lru_cache(maxsize=1)
def _region_db() -> numdb.NumDB:
    return numdb.get("cn/loc")


def _latest_name(names: str) -> tuple[str, bool]:
    """The newest of "[1983-2019]桥东区,[2020-]襄都区" and whether it is still in force."""
    latest = names.split(",")[-1]
    match = _DATED_NAME.fullmatch(latest)
    if match is None:
        return latest, True
    return match.group(3), not match.group(2)


def _lookup(code: str) -> tuple[str, str, bool] | None:
    """(province, latest name, in force) for a 6-digit code the data holds, else None."""
    if not isinstance(code, str) or not _REGION_CODE.fullmatch(code):
        return None
    parts = _region_db().info(code)
    if len(parts) != 2:
        return None
    province = parts[0][1].get("province")
    names = parts[1][1].get("county")
    if not province or not names:
        return None
    name, current = _latest_name(names)
    return province, name, current


def check_region_code(code: str) -> str:
    """A 6-digit GB/T 2260 code in force today: county (370102), prefecture (370100) or
    province (370000) level. Codes the data marks as abolished (110103 崇文区, merged in 2010)
    are rejected, since no current place or risk rating uses them. Returns the code stripped.
    """
    stripped = code.strip() if isinstance(code, str) else ""
    found = _lookup(stripped)
    if found is None:
        raise InvalidValue(
            INVALID_REGION_CODE,
            "Unknown region code; use a 6-digit GB/T 2260 administrative division code.",
            "地区代码无效，请使用6位行政区划代码（GB/T 2260）。",
        )
    if not found[2]:
        raise InvalidValue(
            INVALID_REGION_CODE,
            "This region code is no longer in use; choose the current division.",
            "该行政区划代码已撤销，请选择现行行政区划。",
        )
    return stripped


def province_codes() -> tuple[str, ...]:
    """The province-level codes in force (110000 北京市 … 820000 澳门特别行政区)."""
    candidates = (f"{n:02d}0000" for n in range(10, 100))
    return tuple(c for c in candidates if (found := _lookup(c)) is not None and found[2])


def _place_name(code: str) -> str | None:
    found = _lookup(code)
    if found is None or found[1] in _PLACEHOLDER_NAMES or "直辖" in found[1]:
        return None
    return found[1]


def region_name(code: str) -> str | None:
    """The Chinese name of a region code, newest names, placeholders such as 市辖区 left out:
    370000 -> 山东省, 370100 -> 山东省济南市, 370102 -> 山东省济南市历下区, 110101 -> 北京市东城区.
    Abolished codes keep their last name (110103 -> 北京市崇文区). None when unknown.
    """
    code = code.strip() if isinstance(code, str) else ""
    found = _lookup(code)
    if found is None:
        return None
    province = _place_name(code[:2] + "0000") or found[0]
    if code.endswith("0000"):
        return province
    names = [province]
    if not code.endswith("00"):
        prefecture = _place_name(code[:4] + "00")
        if prefecture:
            names.append(prefecture)
    own = _place_name(code)
    if own:
        names.append(own)
    return "".join(names)


# --- phone numbers ------------------------------------------------------------------------------


def normalize_phone(phone: str) -> str:
    """A mainland China mobile number as 11 digits (1[3-9] + 9 digits).

    Accepts a +86, 0086 or 86 prefix, spaces and dashes (and full-width digits).
    """
    message = "Enter a mainland China mobile number: 11 digits starting with 13 to 19."
    message_zh = "请输入11位中国大陆手机号码。"
    number = _compact(phone, INVALID_PHONE, message, message_zh)
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix) :]
            break
    if not _MOBILE.fullmatch(number):
        raise InvalidValue(INVALID_PHONE, message, message_zh)
    return number


# --- nationality --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """ISO 3166-1 codes (GB/T 2659 takes them over), alpha-2 and alpha-3, each to its alpha-3,
    from pycountry's copy of the Debian iso-codes list (imported on first use: cold starts that
    take no application do not load it)."""
    import pycountry

    codes: dict[str, str] = {}
    for country in pycountry.countries:
        codes[country.alpha_2] = codes[country.alpha_3] = country.alpha_3
    return codes


def country_codes() -> list[str]:
    """Every code `check_nationality` accepts, alpha-2 and alpha-3, sorted (for the document)."""
    return sorted(_countries())


def check_nationality(code: str) -> str:
    """An ISO 3166-1 / GB/T 2659 alpha-2 (`CN`) or alpha-3 (`CHN`) code, as its alpha-3."""
    message = "Use an ISO 3166-1 (GB/T 2659) country code, such as CHN or CN."
    message_zh = "请填写 GB/T 2659（ISO 3166-1）国家代码，如 CHN 或 CN。"
    alpha_3 = _countries().get(_compact(code, INVALID_NATIONALITY, message, message_zh))
    if alpha_3 is None:
        raise InvalidValue(INVALID_NATIONALITY, message, message_zh)
    return alpha_3
