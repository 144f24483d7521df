"""parse_number: documented examples, Chinese-numeral round trips (hypothesis), and total error safety."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from govie.numbers import Number, NumberError, parse_number

DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Standard Chinese numeral for 0 <= n < 10**12 (the writer the round trip checks against)."""
    if n == 0:
        return "零"

    def section(x: int) -> str:
        out, pending_zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // unit % 10
            if d == 0:
                pending_zero = bool(out)
                continue
            if pending_zero:
                out += "零"
            pending_zero = False
            out += DIGITS[d] + name
        return out

    out, zero = "", False
    for value, name in ((n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")):
        if value == 0:
            zero = bool(out)
            continue
        if out and (zero or value < 1000):
            out += "零"
        zero = False
        out += section(value) + name
    return out[1:] if out.startswith("一十") else out


@pytest.mark.parametrize("text, expected", [
    ("17.03亿", Number(1703000000)), ("6万", Number(60000)), ("两", Number(2)), ("三十", Number(30)),
    ("一半", Number(0.5)), ("10-15", Number(10, upper=15)), ("-8.7", Number(-8.7)), ("1.2万亿", Number(1200000000000)),
    ("千亿", Number(100000000000)), ("12.56 万", Number(125600)), ("９．８", Number(9.8)), ("一百二十三", Number(123)),
    ("两万三千", Number(23000)), ("十二", Number(12)), ("三十余", Number(30)), ("〇", Number(0)), ("1,234.5", Number(1234.5)),
    ("3千", Number(3000)), ("百分之五", Number(5)), ("5％", Number(5)), ("600余万", Number(6000000)),
    ("二〇二四", Number(2024)), ("一百零五", Number(105)), ("2-3", Number(2, upper=3)), ("三点一四", Number(3.14)),
])
def test_documented_examples(text, expected):
    assert parse_number(text) == expected


def test_integral_results_are_int():
    assert type(parse_number("17.03亿").value) is int
    assert type(parse_number("42.87").value) is float


def test_fractions():
    assert math.isclose(parse_number("2/3").value, 2 / 3)
    assert math.isclose(parse_number("三分之一").value, 1 / 3)


@pytest.mark.parametrize("text", ["", "abc", "1e5", "..", "一二百", "百千", "1,23", "万万", "-", "1/0"])
def test_rejects_with_number_error(text):
    with pytest.raises(NumberError):
        parse_number(text)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_chinese_integer_round_trip(n):
    assert parse_number(to_chinese(n)).value == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**8), st.text(alphabet="0123456789", min_size=1, max_size=4))
def test_chinese_decimal_round_trip(whole, frac):
    text = to_chinese(whole) + "点" + "".join(DIGITS[int(c)] for c in frac)
    assert math.isclose(parse_number(text).value, float(f"{whole}.{frac}"), rel_tol=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False), st.sampled_from(["", "万", "亿"]))
def test_arabic_with_magnitude(value, magnitude):
    factor = {"": 1, "万": 10**4, "亿": 10**8}[magnitude]
    assert math.isclose(parse_number(f"{value}{magnitude}").value, float(value) * factor, rel_tol=1e-12)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,-/%％十百千万亿零〇一二两三四五六七八九点分之余多半 ab约")),
               max_size=12) | st.text(max_size=12))
def test_only_number_error(text):
    try:
        result = parse_number(text)
    except NumberError:
        return
    assert isinstance(result, Number)
    assert isinstance(result.value, (int, float))
