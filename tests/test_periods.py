"""normalize_period over every §4 form, with the passage year and reference month that anchor it."""

from __future__ import annotations

import pytest

from govie.periods import lunar_to_solar, normalize_period, plan_period, period_bounds, shift_period


@pytest.mark.parametrize("expr, year, ref, expected", [
    ("2022年", 2024, "2024-08", "2022"), ("2020", 2020, "2020-12", "2020"), ("全年", 2024, "2024-08", "2024"),
    ("今年", 2024, "2024-08", "2024"), ("上半年", 2024, "2024-08", "2024-H1"), ("下半年", 2024, "2024-08", "2024-H2"),
    ("一季度", 2024, None, "2024-Q1"), ("二季度", 2024, None, "2024-Q2"), ("第三季度", 2024, None, "2024-Q3"),
    ("4月", 2024, None, "2024-04"), ("4月18日", 2024, None, "2024-04-18"),
    ("4月23日-25日", 2024, None, "2024-04-23/2024-04-25"), ("今年以来", 2024, "2024-08", "2024-01/2024-08"),
    ("近三个月来", 2023, "2023-06", "2023-04/2023-06"), ("“十四五”", 2024, None, "2021/2025"),
    ("十三五", 2016, None, "2016/2020"), ("2024年上半年", None, None, "2024-H1"), ("今年上半年", 2024, "2024-08", "2024-H1"),
    ("2024年年度", None, None, "2024"), ("2022年度", None, None, "2022"), ("年度", 2024, "2024-04", "2024"),
    ("一年来", 2023, "2023-12", "2023"), ("五年来", 2016, "2017-02", "2012/2016"), ("三年", 2023, None, "2021/2023"),
    ("去年", 2016, "2017-02", "2016"), ("上年", 2016, "2017-02", "2016"), ("截至目前", 2024, "2024-04", "2024-04"),
    ("年初", 2024, None, "2024-01"), ("今年年初", 2024, "2024-04", "2024-01"),
    ("2012年以来", 2016, "2017-02", "2012-01/2017-02"), ("2003年到2023年", 2023, None, "2003/2023"),
    ("2022—2023年", 2023, None, "2022/2023"), ("2012年至2014年", 2016, None, "2012/2014"),
    ("1-6月", 2024, None, "2024-01/2024-06"), ("前三季度", 2024, None, "2024-Q1/2024-Q3"),
    ("2017年2月23日", None, None, "2017-02-23"), ("2024-08-29", None, None, "2024-08-29"),
    ("二〇二四年", None, None, "2024"), ("农历甲辰年三月廿二", None, "2024-04", "2024-04-30"),
    ("上年同期", 2024, None, "2023"), ("牧业年度", 2023, None, "2023"), ("五一", 2024, None, "2024-05-01"),
])
def test_forms(expr, year, ref, expected):
    assert normalize_period(expr, year=year, reference_month=ref) == expected


def test_same_period_last_year_shifts_the_passage_period():
    assert normalize_period("上年同期", year=2024, reference_month="2024-08", period="2024-H1") == "2023-H1"


def test_report_delivered_in_january_reviewing_last_year():
    # §4: in a report delivered in January 2019 on 2018, 去年 is 2018 and 今年 2019
    assert normalize_period("去年", year=2018, reference_month="2019-01") == "2018"
    assert normalize_period("今年", year=2018, reference_month="2019-01") == "2019"


@pytest.mark.parametrize("expr, year, ref", [("上半年", None, None), ("今年", 2024, None), ("日前", 2024, "2024-04"),
                                             ("连日来", 2024, "2024-04"), ("", 2024, None), ("13月", 2024, None),
                                             ("2月30日", 2024, None), ("农历甲子年十三月初一", None, None)])
def test_never_guesses(expr, year, ref):
    assert normalize_period(expr, year=year, reference_month=ref) is None


def test_helpers():
    assert plan_period(14) == "2021/2025" and plan_period(11) == "2006/2010"
    assert period_bounds("2024-H1") == ("2024-01", "2024-06")
    assert period_bounds("2012/2016") == ("2012-01", "2016-12")
    assert shift_period("2024-Q2", -1) == "2023-Q2"


@pytest.mark.parametrize("lunar, solar", [((2024, 1, 1), "2024-02-10"), ((2023, 1, 1), "2023-01-22"),
                                          ((2024, 3, 22), "2024-04-30"), ((2020, 4, 1, True), "2020-05-23")])
def test_lunar(lunar, solar):
    y, m, d, *leap = lunar
    assert lunar_to_solar(y, m, d, leap=bool(leap)).isoformat() == solar
