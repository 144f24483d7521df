"""Indicator codes: the shipped list, matching beyond exact aliases, unit vetoes, compounds, stock vs new."""

from __future__ import annotations

import importlib.util
import json
from types import SimpleNamespace

import pytest

from govie.indicator_codes import (CodeBook, CodeListError, IndicatorCode, assign_codes, code_for,
                                   default_codebook, normalize_indicator)

from conftest import ROOT


def test_the_shipped_list_has_at_least_sixty_named_codes():
    book = default_codebook()
    assert len(book) >= 60
    for code in book.codes.values():
        assert code.zh and code.en and code.aliases and code.units, code.code
        assert code.growth in (None, "real", "nominal"), code.code


@pytest.mark.parametrize("name, code", [
    ("地区生产总值", "GDP"), ("GDP", "GDP"), ("生产总值", "GDP"), ("全县地区生产总值", "GDP"),
    ("全市实现地区生产总值", "GDP"), ("（下同）全市地区生产总值", "GDP"), ("GDP总量", "GDP"),
    ("规上工业增加值", "VA_INDUSTRY_ADS"), ("规模以上工业增加值", "VA_INDUSTRY_ADS"), ("规模工业增加值", "VA_INDUSTRY_ADS"),
    ("一般公共预算收入", "GENERAL_BUDGET_REVENUE"), ("地方一般公共预算收入", "GENERAL_BUDGET_REVENUE"),
    ("公共财政预算收入", "GENERAL_BUDGET_REVENUE"), ("财政总收入", "FISCAL_REVENUE_TOTAL"),
    ("全部财政收入", "FISCAL_REVENUE_TOTAL"), ("地方财政收入", "LOCAL_FISCAL_REVENUE"), ("财政收入", "FISCAL_REVENUE"),
    ("全年实现财政总收入", "FISCAL_REVENUE_TOTAL"), ("财政总收入力争", "FISCAL_REVENUE_TOTAL"),
    ("国家级专精特新“小巨人”企业", "LITTLE_GIANTS"), ("细颗粒物（PM2.5）浓度", "PM25"),
    ("村（社区）集体经济收入", "VILLAGE_COLLECTIVE_INCOME"), ("社会消费品零售总额", "RETAIL_SALES"),
    ("外贸进出口总额", "TRADE_TOTAL"), ("实际使用外资", "FDI_ACTUAL"), ("农民人均纯收入", "NET_INCOME_RURAL_PC"),
    ("农村居民人均可支配收入", "DISPOSABLE_INCOME_RURAL_PC"), ("全社会固定资产投资", "FAI"),
])
def test_names_get_their_code(name, code):
    assert code_for(name) == code


@pytest.mark.parametrize("name", ["总投资", "投资", "项目", "镇街地方财政收入", "前海地区生产总值", "一般公共预算收入同口径",
                                  "城乡居民人均可支配收入", "", "全县"])
def test_names_that_fit_no_code_get_none(name):
    assert code_for(name) is None


def test_normalization_drops_spaces_quotes_and_notes_and_spells_out_abbreviations():
    assert normalize_indicator("办理镇人大代表\n\n意见建议") == "办理镇人大代表意见建议"
    assert normalize_indicator("“四上”企业") == "四上企业"
    assert normalize_indicator("限上零售额") == "限额以上零售额"
    assert normalize_indicator("（PM2.5）") == "(PM2.5)"  # a name that is only a note keeps it


def test_the_unit_vetoes_a_code_it_cannot_be():
    assert code_for("地区生产总值", unit="元") == "GDP"
    assert code_for("地区生产总值", unit="%") is None  # a level in % is a share, not GDP
    assert code_for("地区生产总值", unit="%", measure="change") == "GDP"
    assert code_for("地区生产总值", unit="家") is None
    assert code_for("高新技术企业", unit="户") == "HIGH_TECH_ENTERPRISES"
    assert code_for("城镇调查失业率", unit="%") == "UNEMPLOYMENT_SURVEYED_URBAN"
    assert code_for("城镇调查失业率", unit="个百分点", measure="change") == "UNEMPLOYMENT_SURVEYED_URBAN"
    assert code_for("贷款余额", unit=None) == "LOANS"


def _tuple(indicator, value_start, unit="%", measure="change", indicator_start=0, sentence="", sentence_start=0):
    return SimpleNamespace(indicator=indicator, indicator_start=indicator_start, value_start=value_start, unit=unit,
                           measure=measure, sentence=sentence, sentence_start=sentence_start)


def test_a_compound_phrase_gives_its_parts_in_text_order_only_when_the_counts_match():
    pair = [_tuple("城乡居民人均可支配收入", 30), _tuple("城乡居民人均可支配收入", 20)]
    assert assign_codes(pair) == ["DISPOSABLE_INCOME_RURAL_PC", "DISPOSABLE_INCOME_URBAN_PC"]
    levels_and_changes = pair + [_tuple("城乡居民人均可支配收入", 5, unit="元", measure="level"),
                                 _tuple("城乡居民人均可支配收入", 10, unit="元", measure="level")]
    assert assign_codes(levels_and_changes)[2:] == ["DISPOSABLE_INCOME_URBAN_PC", "DISPOSABLE_INCOME_RURAL_PC"]
    assert assign_codes([_tuple("城乡居民人均可支配收入", 20)]) == [None]  # one value: which one is not said
    assert assign_codes(pair + [_tuple("城乡居民人均可支配收入", 40)]) == [None, None, None]
    other_span = [_tuple("城乡居民人均可支配收入", 20), _tuple("城乡居民人均可支配收入", 90, indicator_start=80)]
    assert assign_codes(other_span) == [None, None]


def test_stock_and_new_counts_follow_the_last_cue_before_the_value():
    sentence = "新增赛富特、中隧桥等2家国家级专精特新小巨人企业,总量达3家"
    new, stock = sentence.index("2家"), sentence.index("3家")
    items = [_tuple("国家级专精特新小巨人企业", new, "家", "level", sentence=sentence),
             _tuple("国家级专精特新小巨人企业", stock, "家", "level", sentence=sentence)]
    assert assign_codes(items) == [None, "LITTLE_GIANTS"]
    sentence = "新增国家高新技术企业31家,省级科技型中小企业37家,总数分别达96家、159家"
    items = [_tuple("新增国家高新技术企业", sentence.index("31"), "家", "level", sentence=sentence),
             _tuple("新增国家高新技术企业", sentence.index("96"), "家", "level", sentence=sentence)]
    assert assign_codes(items) == ["HIGH_TECH_ENTERPRISES_NEW", None]
    prefix = "上半年,我们实现了很多。"  # the sentence may start before the clause group: only the group counts
    sentence = prefix + "高新技术企业增至10家"
    assert assign_codes([_tuple("高新技术企业", 100 + sentence.index("10"), "家", "level", sentence=sentence,
                                sentence_start=100)]) == ["HIGH_TECH_ENTERPRISES"]


def test_part_of_is_transitive():
    book = default_codebook()
    assert book.contains("FAI", "FAI_MANUFACTURING") and book.contains("FAI_INDUSTRY", "FAI_MANUFACTURING")
    assert not book.contains("FAI_MANUFACTURING", "FAI") and not book.contains("GDP", "FAI")


def _write(tmp_path, codes, compounds=()):
    path = tmp_path / "codes.json"
    path.write_text(json.dumps({"codes": codes, "compounds": list(compounds)}, ensure_ascii=False), encoding="utf-8")
    return path


def _entry(code, aliases, **extra):
    return {"code": code, "zh": aliases[0], "en": code.lower(), "units": ["money"], "aliases": aliases, **extra}


def test_a_code_list_with_a_shared_alias_or_an_unknown_reference_is_refused(tmp_path):
    with pytest.raises(CodeListError, match="already an alias of A"):
        CodeBook.from_file(_write(tmp_path, [_entry("A", ["规上工业增加值"]), _entry("B", ["规模以上工业增加值"])]))
    with pytest.raises(CodeListError, match="part_of 'Z' is not a code"):
        CodeBook.from_file(_write(tmp_path, [_entry("A", ["甲"], part_of="Z")]))
    with pytest.raises(CodeListError, match=r"codes\[0\]: missing or bad field 'en'"):
        CodeBook.from_file(_write(tmp_path, [{"code": "A", "zh": "甲", "units": [], "aliases": []}]))
    with pytest.raises(CodeListError, match="unknown code"):
        CodeBook.from_file(_write(tmp_path, [_entry("A", ["甲"])], [{"text": "甲乙", "parts": ["A", "B"]}]))
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(CodeListError, match="bad.json: cannot read"):
        CodeBook.from_file(tmp_path / "bad.json")


def test_a_code_list_of_ones_own_is_used_as_given():
    book = CodeBook([IndicatorCode("X", "某指标", "some indicator", ("count",), None, None, ("某指标",))])
    assert book.code_for("全县某指标", unit="个") == "X" and book.code_for("地区生产总值") is None


def test_the_pipeline_sets_indicator_code_on_its_tuples():
    import govie

    result = govie.load("rules")("上半年,全镇实现财政总收入17.03亿元,同比增长42.87%。新增10家银行保险分支机构。",
                                 town="瓜沥镇", default_period="2023-H1", reference_month="2023-06")
    codes = {t.indicator: t.indicator_code for t in result.tuples}
    assert codes == {"财政总收入": "FISCAL_REVENUE_TOTAL", "银行保险分支机构": None}
    assert result.tuples[0].to_dict()["indicator_code"] == "FISCAL_REVENUE_TOTAL"
    assert "indicator_code" in result.to_frame().columns


def test_the_hand_checked_sample_is_up_to_date_and_precise():
    """benchmarks/indicator_codes_check.tsv: every checked row still gets its code, and precision >= 0.97."""
    spec = importlib.util.spec_from_file_location("codes_check", ROOT / "benchmarks" / "indicator_codes_check.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    rows, total, _, _ = check.coded_tuples(ROOT / "corpora" / "gold")
    checks = check.read_checks()
    stale = check.stale_rows(checks, rows)
    assert not stale, f"{len(stale)} checked rows no longer get the code they were checked with, e.g. {stale[0]}"
    verdicts = [c["verdict"] for c in checks]
    assert set(verdicts) <= {"correct", "incorrect"} and len(checks) >= 300
    assert verdicts.count("correct") / len(verdicts) >= 0.97 and len(rows) / total > 0.15
