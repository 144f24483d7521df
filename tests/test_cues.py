"""Cue words around a value: approx (§3, §7.6-7), measure and sign (§7.19, §7.21), status (§7.24)."""

from __future__ import annotations

import pytest

from govie.cues import approx_cue, change_cue, status_cue


def locate(text: str, value: str, unit: str | None = None) -> tuple[int, int, int | None]:
    start = text.index(value)
    end = start + len(value)
    unit_end = text.index(unit, end) + len(unit) if unit else None
    return start, end, unit_end


@pytest.mark.parametrize("text, value, unit, expected", [
    ("接待游客近10万人次", "10万", "人次", "approx"), ("排查6万余处", "6万", "处", "more_than"),
    ("投资超20亿元", "20亿", "元", "more_than"), ("举办300余场", "300", "场", "more_than"),
    ("上涨50%以上", "50", "%", "more_than"), ("资金600余万元", "600", "元", "more_than"),
    ("落地2-3个项目", "2-3", "个", "more_than"), ("不足5%", "5", "%", "less_than"),
    ("约3亿元", "3亿", "元", "approx"), ("100人左右", "100", "人", "approx"),
    ("现场签约102亿元", "102亿", "元", None), ("完成签约27户", "27", "户", None),
    ("地区生产总值30.5亿元", "30.5亿", "元", None), ("300多家企业", "300", "家", "more_than"),
])
def test_approx(text, value, unit, expected):
    assert approx_cue(text, *locate(text, value, unit)) == expected


@pytest.mark.parametrize("text, value, expected", [
    ("同比增长42.87%", "42.87", ("change", 1)), ("下降47.2%", "47.2", ("change", -1)),
    ("增长-8.7%", "-8.7", ("change", 1)), ("提高2个百分点", "2", ("change", 1)),
    ("地区生产总值30.5亿元、增长7.9%", "30.5亿", ("level", 1)),
    ("规上工业增加值30亿元", "30亿", ("level", 1)), ("新增企业31家", "31", ("level", 1)),
    ("分别增长5%、6.2%", "6.2", ("change", 1)), ("是2011年的1.1倍", "1.1", ("change", 1)),
    ("分别是2011年的1.75倍和1.8倍", "1.8", ("change", 1)), ("提高到80%", "80", ("level", 1)),
    ("累计减少申请材料1338项", "1338", ("level", 1)), ("精简办事材料36.5%", "36.5", ("change", -1)),
    ("降低融资成本3.7亿元", "3.7亿", ("change", -1)), ("比2011年增加8129元", "8129", ("change", 1)),
    ("带动脱贫人口增收59.25万人次", "59.25万", ("level", 1)), ("压减一半以上", "一半", ("change", -1)),
    ("营业收入增长34.6%、达526.1亿元", "526.1亿", ("level", 1)),
    ("增长3.1%、高于全省0.8个百分点", "0.8", ("level", 1)), ("增长86.6%、占全国14.9%", "14.9", ("level", 1)),
    ("精简办事材料36.5%、办事环节35.2%", "35.2", ("change", -1)),
])
def test_change(text, value, expected):
    start, end, _ = locate(text, value)
    assert change_cue(text, start, end) == expected


@pytest.mark.parametrize("text, value, forward, expected", [
    ("预计全年实现地区生产总值95亿元,实现规上工业总产值288.5亿元;财政总收入6.6亿元。", "6.6亿", False, "forecast"),
    ("初步核算，地区生产总值增长5%。", "5", False, "actual"),
    ("2024年年度目标是:地区生产总值65亿元、增长6%,财政总收入5.9亿元。", "5.9亿", False, "target"),
    ("力争各村集体经营性收入增长7%。", "7", False, "target"),
    ("创新实施“归雁计划”，新增返乡创业实体5253个。", "5253", False, "actual"),
    ("超额完成年度目标任务，45个重大产业项目建成。", "45", False, "actual"),
    ("完成4家礼堂书屋建设。", "4", True, "target"),
    ("新增企业12家。", "12", False, "actual"),
])
def test_status(text, value, forward, expected):
    start, end, _ = locate(text, value)
    assert status_cue(text, start, end, forward_looking=forward) == expected
