"""Checks of identity documents, region codes and phone numbers."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from chalicelib.validation import (
    INVALID_ID_NUMBER,
    INVALID_ID_TYPE,
    INVALID_PHONE,
    INVALID_REGION_CODE,
    InvalidValue,
    check_document,
    check_nationality,
    check_region_code,
    check_resident_id,
    country_codes,
    normalize_phone,
    region_name,
)

TODAY = date(2024, 6, 1)


def with_check_digit(body: str) -> str:
    """The 17-character body followed by its GB 11643 check digit."""
    assert len(body) == 17
    return body + ric.calc_check_digit(body + "0")


def with_wrong_check_digit(body: str) -> str:
    right = ric.calc_check_digit(body + "0")
    return body + ("1" if right != "1" else "2")


def body_with_check_digit_x() -> str:
    for sequence in range(1000):
        body = f"11010119900101{sequence:03d}"
        if ric.calc_check_digit(body + "0") == "X":
            return body
    raise AssertionError("no body with check digit X")


X_BODY = body_with_check_digit_x()


def full_width(text: str) -> str:
    """The text as typed with a Chinese input method: full-width digits, letters and spaces."""
    return "".join("\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) for ch in text)


@pytest.mark.parametrize(
    "body",
    [
        "11010119900307123",
        "37010219450101001",  # 历下区 exists since 1983: the area is not checked by birth year
        "46010020000229002",  # 海口 code of 1988, born on a leap day
        "42010119800101003",
        "42010020240601004",  # born today
        "81000019850505005",  # 港澳台居民居住证 numbers share the format
    ],
)
def test_a_resident_id_with_a_right_check_digit_and_real_birth_date_is_accepted(
    body: str,
) -> None:
    number = with_check_digit(body)
    assert check_resident_id(number, today=TODAY) == number


def test_an_area_code_newer_than_the_birth_year_is_accepted_though_stdnum_rejects_it() -> None:
    number = with_check_digit("37010219450101001")
    assert not ric.is_valid(number)
    assert check_resident_id(number, today=TODAY) == number


def test_a_lowercase_x_check_digit_is_accepted_and_upper_cased() -> None:
    assert check_resident_id(X_BODY + "x", today=TODAY) == X_BODY + "X"


@pytest.mark.parametrize(
    "raw",
    [
        " {n} ",
        "{a} {b} {c}",
        "{fw}",
        "{a}-{b}-{c}",
    ],
)
def test_spaces_dashes_and_full_width_digits_are_normalised_away(raw: str) -> None:
    number = with_check_digit("11010119900307123")
    text = raw.format(n=number, a=number[:6], b=number[6:14], c=number[14:], fw=full_width(number))
    assert check_resident_id(text, today=TODAY) == number


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (with_wrong_check_digit("11010119900307123"), "check digit"),
        (with_wrong_check_digit(X_BODY), "check digit"),
        (with_check_digit("11010120250101001"), "birth date"),  # after TODAY
        (with_check_digit("11010120240602001"), "birth date"),  # tomorrow
        (with_check_digit("11010119900230001"), "birth date"),  # 30 February
        (with_check_digit("11010119901301001"), "birth date"),  # month 13
        (with_check_digit("11010118991231001"), "birth date"),  # before 1900
        (with_check_digit("11010100000101001"), "birth date"),  # year zero
        (with_check_digit("11010119900307123")[:17], "18 characters"),
        (with_check_digit("11010119900307123") + "1", "18 characters"),
        ("11010119900307123A", "18 characters"),
        ("1101011990030712A4", "18 characters"),
        ("ABCDEFGHIJKLMNOPQR", "18 characters"),
        ("110101900307123", "18 characters"),  # first-generation 15-digit card
        ("", "18 characters"),
        ("1" * 100, "18 characters"),
    ],
)
def test_a_bad_resident_id_is_rejected_with_the_reason(number: str, reason: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_resident_id(number, today=TODAY)
    assert caught.value.code == INVALID_ID_NUMBER
    assert reason in caught.value.message
    assert caught.value.message_zh
    assert isinstance(caught.value, ValueError)


def test_a_birth_date_after_today_in_china_is_rejected_without_a_given_day() -> None:
    with pytest.raises(InvalidValue):
        check_resident_id(with_check_digit("11010121000101001"))


@pytest.mark.parametrize(
    ("id_type", "raw", "expected"),
    [
        ("resident_id", with_check_digit("42010119800101003"), None),
        ("passport", "E12345678", None),
        ("passport", "g12345678", "G12345678"),
        ("passport", "EA1234567", None),
        ("passport", "X1234", None),
        ("passport", "AB 123 456 78", "AB12345678"),
        ("passport", "A" * 17, None),
        ("hk_macao_permit", "H12345678", None),
        ("hk_macao_permit", "M1234567890", None),
        ("hk_macao_permit", "C01234567", None),
        ("hk_macao_permit", "ca1234567", "CA1234567"),
        ("taiwan_permit", "12345678", None),
        ("taiwan_permit", "1234567890", None),
        ("taiwan_permit", "A123456789", None),
        ("foreign_permanent_residence", "USA123456789012", None),
        ("foreign_permanent_residence", "usa123456789012", "USA123456789012"),
        ("foreign_permanent_residence", with_check_digit("93184019850101001"), None),
    ],
)
def test_a_well_formed_document_is_accepted_and_normalised(
    id_type: str, raw: str, expected: str | None
) -> None:
    assert check_document(id_type, raw, today=TODAY) == (expected or raw)


@pytest.mark.parametrize(
    ("id_type", "raw"),
    [
        ("resident_id", with_wrong_check_digit("42010119800101003")),
        ("passport", "E123"),
        ("passport", "A" * 18),
        ("passport", "E1234567!"),
        ("passport", "护照12345"),
        ("hk_macao_permit", "W12345678"),
        ("hk_macao_permit", "H1234567"),
        ("hk_macao_permit", "H123456789012"),
        ("taiwan_permit", "1234567"),
        ("taiwan_permit", "123456789"),
        ("taiwan_permit", "AB12345678"),
        ("foreign_permanent_residence", "US1234567890123"),
        ("foreign_permanent_residence", with_wrong_check_digit("93184019850101001")),
        ("foreign_permanent_residence", with_check_digit("93184019850230001")),
        ("foreign_permanent_residence", with_check_digit("13184019850101001")),
    ],
)
def test_a_malformed_document_is_rejected_as_an_invalid_id_number(id_type: str, raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_document(id_type, raw, today=TODAY)
    assert caught.value.code == INVALID_ID_NUMBER


@pytest.mark.parametrize("id_type", ["driving_licence", "", "RESIDENT_ID", "passport "])
def test_an_unknown_document_type_is_rejected(id_type: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_document(id_type, "E12345678", today=TODAY)
    assert caught.value.code == INVALID_ID_TYPE


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("370102", "370102"),
        ("370100", "370100"),
        ("370000", "370000"),
        ("110101", "110101"),
        ("460100", "460100"),
        (" 420100 ", "420100"),
        ("810000", "810000"),
    ],
)
def test_a_current_region_code_is_accepted(code: str, expected: str) -> None:
    assert check_region_code(code) == expected


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("999999", "Unknown"),
        ("000000", "Unknown"),
        ("370199", "Unknown"),
        ("37010", "Unknown"),
        ("3701021", "Unknown"),
        ("abcdef", "Unknown"),
        (full_width("370102"), "Unknown"),
        ("", "Unknown"),
        ("110103", "no longer"),  # 崇文区, merged into 东城区 in 2010
    ],
)
def test_an_unknown_malformed_or_abolished_region_code_is_rejected(code: str, reason: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_region_code(code)
    assert caught.value.code == INVALID_REGION_CODE
    assert reason in caught.value.message


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("370000", "山东省"),
        ("370100", "山东省济南市"),
        ("370102", "山东省济南市历下区"),
        ("370101", "山东省济南市"),
        ("110101", "北京市东城区"),
        ("110100", "北京市"),
        ("500101", "重庆市万州区"),
        ("810000", "香港特别行政区"),
        ("130502", "河北省邢台市襄都区"),
        ("110103", "北京市崇文区"),
        ("999999", None),
        ("abcdef", None),
        ("37010", None),
    ],
)
def test_a_region_is_named_in_chinese_with_its_newest_names(
    code: str, expected: str | None
) -> None:
    assert region_name(code) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+8613800138000",
        "+86 138 0013 8000",
        "8613800138000",
        "008613800138000",
        "138-0013-8000",
        " 138 0013 8000 ",
        full_width("+86 13800138000"),
    ],
)
def test_a_mainland_mobile_number_is_normalised_to_eleven_digits(raw: str) -> None:
    assert normalize_phone(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw",
    [
        "12800138000",
        "1380013800",
        "138001380001",
        "+8512800138000",
        "+4413800138000",
        "02112345678",
        "1380013800a",
        "",
        "+86",
        "861380013800",
    ],
)
def test_anything_but_a_mainland_mobile_number_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_phone(raw)
    assert caught.value.code == INVALID_PHONE


@pytest.mark.parametrize(
    ("raw", "alpha_3"),
    [("CN", "CHN"), ("CHN", "CHN"), ("cn", "CHN"), ("ＣＮ", "CHN"), ("MO", "MAC"), ("TW", "TWN")],
)
def test_a_nationality_is_an_iso_3166_code_stored_as_alpha_3(raw: str, alpha_3: str) -> None:
    assert check_nationality(raw) == alpha_3


@pytest.mark.parametrize("raw", ["", "C", "XX", "XXX", "CHNA", "中国", "C N X"])
def test_a_nationality_that_is_no_country_code_is_invalid(raw: str) -> None:
    with pytest.raises(InvalidValue) as bad:
        check_nationality(raw)
    assert bad.value.code == "invalid_nationality" and bad.value.message_zh


def test_the_country_list_is_the_librarys_not_a_hand_made_one() -> None:
    codes = country_codes()
    assert len(codes) >= 2 * 249 and {"CN", "CHN", "HK", "HKG"} <= set(codes)
