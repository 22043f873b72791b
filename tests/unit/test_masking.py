"""Masking of names, document numbers and phone numbers for display."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from chalicelib.domain import masking
from chalicelib.domain.masking import mask_id, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("李四", "李*"),
        ("张三明", "张*明"),
        ("王小明华", "王**华"),
        ("张 三 明", "张*明"),
        ("  李四\u3000", "李*"),
        ("欧阳锋", "欧阳*"),
        ("欧阳小锋", "欧阳*锋"),
        ("司马相如", "司马*如"),
        ("诸葛孔明亮", "诸葛**亮"),
        ("欧阳", "欧*"),
        ("单于飞", "单*飞"),  # 单 is a common surname: 单于 is not treated as compound
        ("买买提·艾力", "买**·*力"),
        ("阿依古丽·买买提", "阿***·**提"),
        ("买买提•艾力", "买**·*力"),
        ("买买提・艾力", "买**·*力"),
        ("买买提‧艾力", "买**·*力"),
        ("买买提･艾力", "买**·*力"),
        ("买买提.艾力", "买**·*力"),
        ("买买提 · 艾力", "买**·*力"),
        ("努尔·买买提·艾力", "努*·***·*力"),
        ("买·力", "买·*"),
        ("John Smith", "J*** S****"),
        ("  John   Smith ", "J*** S****"),
        ("Madonna", "M******"),
        ("J Smith", "J S****"),
        ("J K", "J *"),
        ("Jean·Luc", "J***·**c"),
        ("李", "*"),
        ("J", "*"),
        ("", "*"),
        ("   ", "*"),
    ],
)
def test_a_name_is_masked_by_its_script_and_shape(name: str, expected: str) -> None:
    assert mask_name(name) == expected


@pytest.mark.parametrize(
    "name",
    ["李四", "欧阳", "买·力", "A B", "J K", "Al", "欧阳锋", "张三明", "John Smith", "A·B"],
)
def test_a_masked_name_never_equals_a_name_longer_than_one_character(name: str) -> None:
    masked = mask_name(name)
    assert "*" in masked
    assert masked != name


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("37010219450101001X", "370*************1X"),
        ("110101199001011234", "110*************34"),
        ("ABC123456789012", "ABC**********12"),
        ("E12345678", "E******78"),
        ("H1234567890", "H********90"),
        ("1234567", "1****67"),
        ("123456", "*****6"),
        ("AB", "*B"),
        ("A", "*"),
        ("", "*"),
        (" 370102 19450101 001X ", "370*************1X"),
    ],
)
def test_a_document_number_keeps_only_a_few_characters(number: str, expected: str) -> None:
    assert mask_id(number) == expected


def test_a_masked_resident_id_has_thirteen_stars() -> None:
    assert mask_id("37010219450101001X").count("*") == 13


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("13800000000", "138****0000"),
        ("138 0000 1234", "138****1234"),
        ("138-0000-1234", "138****1234"),
        ("+8613800001234", "+86*******1234"),
        ("1234567", "*****67"),
        ("12345", "***45"),
        ("1234", "****"),
        ("1", "*"),
        ("", "*"),
    ],
)
def test_a_phone_number_keeps_the_first_three_and_last_four_digits(
    phone: str, expected: str
) -> None:
    assert mask_phone(phone) == expected


def test_the_masking_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(masking.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
