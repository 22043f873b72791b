"""Masking of names, document numbers and phone numbers for display (standard library only).

Every function is total: it never raises and never returns its input unchanged when the input is
longer than one character, so a caller cannot leak a full value by passing something unexpected.
"""

from __future__ import annotations

import re

MASK = "*"

# The common two-character (compound) surnames; the whole surname stays visible. Rare ones
# whose first character is also a common single surname (单于, 宗政, 钟离 ...) are left out: a
# wrong guess there would show the first character of the given name.
_COMPOUND_SURNAMES_TEXT = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 "
    "宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 澹台 "
    "万俟 闻人 申屠 濮阳 淳于 太叔 公羊 赫连 呼延 百里 "
    "东郭 第五 左丘 拓跋 仲孙 司空 司寇 亓官 漆雕 壤驷 "
    "公良 宰父 巫马 鲜于 羊舌 微生 东门 公冶 公西"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND_SURNAMES_TEXT.split())

# Separators between the parts of transliterated names (买买提·艾力); shown as U+00B7.
_NAME_DOTS = "\u00b7\u2022\u30fb\u2027\uff65\u2219\u22c5"
# In a name written in Han characters an ASCII or full-width full stop is a separator too.
_HAN_NAME_DOTS = _NAME_DOTS + ".\uff0e"
_DISPLAY_DOT = "\u00b7"

_HAN = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f]"
)
_WHITESPACE = re.compile(r"\s+")


def _is_han_name(name: str) -> bool:
    return _HAN.search(name) is not None


def _mask_han(name: str) -> str:
    """One run of characters without separators: 李*, 张*明, 王**华, 欧阳*, 欧阳*锋."""
    n = len(name)
    if n <= 1:
        return MASK
    if n == 2:
        return name[0] + MASK
    if name[:2] in COMPOUND_SURNAMES:
        if n == 3:
            return name[:2] + MASK
        return name[:2] + MASK * (n - 3) + name[-1]
    return name[0] + MASK * (n - 2) + name[-1]


def _mask_dotted(parts: list[str]) -> str:
    """买买提·艾力 -> 买**·*力: first character of the first part, last of the last part."""
    masked = []
    last = len(parts) - 1
    for index, part in enumerate(parts):
        chars = [MASK] * len(part)
        if index == 0:
            chars[0] = part[0]
        if index == last:
            chars[-1] = part[-1]
        masked.append("".join(chars))
    return _DISPLAY_DOT.join(masked)


def _mask_words(words: list[str]) -> str:
    """John Smith -> J*** S****: the first letter of each word."""
    return " ".join(word[0] + MASK * (len(word) - 1) for word in words)


def _ensure_masked(masked: str) -> str:
    """Mask the last visible character when the rules above left nothing masked (A·B, J K)."""
    if MASK in masked:
        return masked
    for index in range(len(masked) - 1, 0, -1):
        if masked[index] not in (" ", _DISPLAY_DOT):
            return masked[:index] + MASK + masked[index + 1 :]
    return MASK


def mask_name(name: str) -> str:
    """A person's name as checkers see it: 李*, 张*明, 欧阳*锋, 买**·*力, J*** S****.

    Han names lose their spaces; names with a middle dot (any of its look-alikes) keep the dots;
    other scripts keep the first letter of each word. One character or nothing gives "*".
    """
    stripped = name.strip()
    if _is_han_name(stripped):
        compact = _WHITESPACE.sub("", stripped)
        parts = [part for part in re.split(f"[{re.escape(_HAN_NAME_DOTS)}]", compact) if part]
        if len(parts) >= 2:
            return _ensure_masked(_mask_dotted(parts))
        return _mask_han("".join(parts))
    parts = [part for part in re.split(f"[{re.escape(_NAME_DOTS)}]", stripped) if part.strip()]
    if len(parts) >= 2:
        return _ensure_masked(_mask_dotted([_WHITESPACE.sub("", part) for part in parts]))
    words = stripped.split()
    if not words:
        return MASK
    if len(words) == 1 and len(words[0]) == 1:
        return MASK
    return _ensure_masked(_mask_words(words))


def mask_id(id_number: str) -> str:
    """A document number for display: 370*************1X (18 chars: first 3, last 2).

    15+ characters keep the first 3 and the last 2; 7-14 (passports, permits) keep the first 1
    and the last 2 (E******78); 2-6 keep only the last one; one character or nothing gives "*".
    """
    number = _WHITESPACE.sub("", id_number)
    n = len(number)
    if n <= 1:
        return MASK
    if n <= 6:
        return MASK * (n - 1) + number[-1]
    if n <= 14:
        return number[0] + MASK * (n - 3) + number[-2:]
    return number[:3] + MASK * (n - 5) + number[-2:]


def mask_phone(phone: str) -> str:
    """A phone number for display: 138****0000 (first 3, last 4).

    Spaces and dashes are dropped first. 8+ characters keep the first 3 and the last 4 (a
    +86 prefix is then all that shows in front); 5-7 keep the last 2; shorter is all stars.
    """
    number = re.sub(r"[\s\-]", "", phone)
    n = len(number)
    if n >= 8:
        return number[:3] + MASK * (n - 7) + number[-4:]
    if n >= 5:
        return MASK * (n - 2) + number[-2:]
    return MASK * max(n, 1)
