"""Units of measurement (GUIDELINES §2 UNIT, §3 unit_norm): canonical table and magnitude split.

``unit_norm`` is the unit as written except for width variants (``％`` → ``%``), so the table
here does not rename units; it classifies them (money, percent, count…) for users and the
tagger, and lets the magnitude (``亿元`` → ×1e8, ``元``) be separated from the unit.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Mapping

from govie.numbers import MAGNITUDES

__all__ = ["UNITS", "normalize_unit", "split_magnitude", "split_unit_magnitude", "unit_category",
           "UNIT_PATTERN"]

_CATEGORIES: dict[str, tuple[str, ...]] = {
    "money": ("元", "美元", "港元", "欧元", "元/斤", "元/吨", "元/平方米", "元/人"),
    "percent": ("%",),
    "percentage_point": ("个百分点", "百分点"),
    "ratio": ("倍", "番", "成"),
    "people": ("人", "人次", "名", "位", "户", "家庭", "户次"),
    "area": ("平方米", "平方公里", "平方千米", "亩", "公顷"),
    "length": ("公里", "千米", "米", "延米"),
    "mass": ("吨", "斤", "公斤", "千克", "克"),
    "volume": ("立方米", "方", "升"),
    "energy": ("千瓦", "千瓦时", "度", "兆瓦", "千伏安"),
    "concentration": ("微克/立方米", "毫克/升"),
    "time": ("年", "个月", "月", "天", "日", "小时", "分钟", "个榨季", "季"),
    "count": ("个", "家", "项", "宗", "件", "起", "场", "场次", "次", "处", "块", "条", "所", "套",
              "台", "座", "辆", "只", "头", "批", "种", "眼", "支", "部", "张", "轮", "列", "份",
              "村", "家次", "所次", "篇", "本", "册", "棵", "株", "间", "栋", "幢", "口", "户数",
              "期", "届", "匹", "架", "艘", "门", "枚", "类", "组", "队", "个村", "盏"),
}
#: Canonical unit → category (read-only).
UNITS: Mapping[str, str] = MappingProxyType(
    {unit: category for category, units in _CATEGORIES.items() for unit in units})

_WIDTH = str.maketrans({"％": "%", "／": "/", "　": "", " ": ""})

#: Regex alternation of all known units, longest first (for cue scanning around values).
UNIT_PATTERN: str = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))


def normalize_unit(text: str | None) -> str | None:
    """``unit_norm`` of a UNIT span: width variants folded (``％`` → ``%``), whitespace dropped."""
    if text is None:
        return None
    out = text.translate(_WIDTH).strip()
    return out or None


def unit_category(unit: str | None) -> str | None:
    """The category of a normalized unit (``'元'`` → ``'money'``), None when unknown."""
    if unit is None:
        return None
    return UNITS.get(normalize_unit(unit) or "")


def split_magnitude(text: str) -> tuple[str, int]:
    """Split trailing magnitude characters off a number: ``'17.03亿'`` → ``('17.03', 10**8)``.

    ``'1.2万亿'`` → ``('1.2', 10**12)``; a text without magnitude gives factor 1.  Only 万/亿
    (and 千 after digits, ``3千``) are split: ``十``/``百`` inside Chinese numerals are digits.
    """
    s = text.strip()
    if s.endswith("万亿") and len(s) > 2:
        return s[:-2].strip(), MAGNITUDES["万亿"]
    if s[-1:] in ("万", "亿") and len(s) > 1:
        return s[:-1].strip(), MAGNITUDES[s[-1]]
    if s[-1:] == "千" and len(s) > 1 and s[-2].isdigit():
        return s[:-1].strip(), 1000
    return s, 1


def split_unit_magnitude(text: str) -> tuple[int, str]:
    """Split a leading magnitude off a unit as written: ``'亿元'`` → ``(10**8, '元')``."""
    s = normalize_unit(text) or ""
    if s in UNITS:  # '千米', '千瓦' are units, not magnitude + unit
        return 1, s
    for prefix in ("万亿", "亿", "万", "千", "百"):
        rest = s[len(prefix):]
        if s.startswith(prefix) and rest and rest in UNITS:
            return MAGNITUDES[prefix], rest
    return 1, s
