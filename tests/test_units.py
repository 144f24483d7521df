"""Unit normalization and magnitude splitting (GUIDELINES §3 unit_norm)."""

from __future__ import annotations

import pytest

from govie.units import UNITS, normalize_unit, split_magnitude, split_unit_magnitude, unit_category


@pytest.mark.parametrize("raw, norm", [("％", "%"), ("%", "%"), ("元", "元"), ("个百分点", "个百分点"),
                                       (" 人次 ", "人次"), ("微克／立方米", "微克/立方米"), (None, None), ("", None)])
def test_normalize_unit(raw, norm):
    assert normalize_unit(raw) == norm


@pytest.mark.parametrize("text, expected", [("17.03亿", ("17.03", 10**8)), ("1.2万亿", ("1.2", 10**12)),
                                            ("6万", ("6", 10**4)), ("3千", ("3", 1000)), ("42.87", ("42.87", 1)),
                                            ("三十", ("三十", 1))])
def test_split_magnitude(text, expected):
    assert split_magnitude(text) == expected


@pytest.mark.parametrize("text, expected", [("亿元", (10**8, "元")), ("万平方米", (10**4, "平方米")),
                                            ("千米", (1, "千米")), ("千瓦", (1, "千瓦")), ("元", (1, "元"))])
def test_split_unit_magnitude(text, expected):
    assert split_unit_magnitude(text) == expected


def test_categories():
    assert unit_category("％") == "percent"
    assert unit_category("元") == "money"
    assert unit_category("个百分点") == "percentage_point"
    assert unit_category("不存在") is None
    assert all(isinstance(v, str) for v in UNITS.values())
