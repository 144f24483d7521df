"""Indicator codes: the shipped list, matching beyond exact aliases, unit vetoes, compounds, lists, shares,
context words, stock vs new."""

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
        if code.share_of is not None:  # a share is a rate of its own, never a level of its part
            assert code.units == ("percent",) and code.growth is None and code.part_of is None, code.code


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


@pytest.mark.parametrize("name, code", [
    ("地方财政总收入", "LOCAL_FISCAL_REVENUE_TOTAL"), ("一般公共预算总收入", "FISCAL_REVENUE_TOTAL"),
    ("出口", "EXPORTS"), ("进口", "IMPORTS"), ("旅游总花费", "TOURISM_REVENUE"), ("普惠小微贷款", "LOANS_INCLUSIVE_SME"),
    ("新增减税降费及退税缓费", "TAX_FEE_RELIEF"), ("新增减税降费", "TAX_FEE_CUTS"), ("新增贷款", "LOANS_NEW"),
    ("餐饮业营业额", "CATERING_TURNOVER"), ("限上餐饮业营业额", "CATERING_TURNOVER"), ("住宿业营业额", "ACCOMMODATION_TURNOVER"),
    ("农产品加工产值", "OUTPUT_AGRICULTURAL_PROCESSING"), ("“新三样”出口", "EXPORTS_NEW_THREE"), ("经济增速", "GDP"),
    ("生产安全事故起数", "SAFETY_ACCIDENTS"), ("安全生产事故起数", "SAFETY_ACCIDENTS"), ("存贷比", "LOAN_DEPOSIT_RATIO"),
    # trailing status words a tagger left (预 is 预计 cut), leading ones and 各类 in front
    ("全社会研发投入强度预", "RD_INTENSITY"), ("城镇化率仅", "URBANIZATION_RATE"), ("城镇登记失业率控制", "UNEMPLOYMENT_REGISTERED_URBAN"),
    ("预计全年地区生产总值", "GDP"), ("全州各类生产安全事故起数", "SAFETY_ACCIDENTS"),
])
def test_new_statistics_get_their_code(name, code):
    assert code_for(name) == code


@pytest.mark.parametrize("name", [
    "利润总额", "主营业务收入", "资产总额",  # bare: a firm's, a sector's or the region's
    "农民人均收入", "新增减税降费及留抵退税", "产值", "高技术制造业", "个体工商户",
    "办复率", "满意率",  # what they measure is in the words around the value only
])
def test_names_left_uncoded_on_purpose(name):
    assert code_for(name) is None


@pytest.mark.parametrize("name, code", [
    ("民生支出占一般公共预算支出的比重", "LIVELIHOOD_SHARE_EXPENDITURE"),
    ("财政民生支出占公共财政预算支出比重", "LIVELIHOOD_SHARE_EXPENDITURE"),  # any aliases of part and whole
    ("民生支出占比", "LIVELIHOOD_SHARE_EXPENDITURE"), ("民生领域支出占比", "LIVELIHOOD_SHARE_EXPENDITURE"),
    ("税收占比", "TAX_SHARE_BUDGET_REVENUE"), ("全社会研发经费投入占比", "RD_INTENSITY"),
    ("全社会研发经费支出相当于全市生产总值的比例", "RD_INTENSITY"), ("全社会研发投入占GDP比重", "RD_INTENSITY"),
    ("服务业增加值占GDP的比重", "SERVICES_SHARE_GDP"), ("工业投资占比", "FAI_INDUSTRY_SHARE"),
    ("高新技术产业增加值占规上工业比重", "HIGH_TECH_SHARE_VA_INDUSTRY_ADS"),
    ("高新技术产业产值占规上工业比重", "HIGH_TECH_SHARE_OUTPUT_INDUSTRY_ADS"),
])
def test_a_share_is_a_code_of_its_own(name, code):
    assert code_for(name, unit="%") == code


@pytest.mark.parametrize("name", [
    "战略性新兴产业增加值占比",  # the part of two shares (of GDP, of industry): which one is not said
    "高新技术产业占规上工业比重",  # value added or output
    "民生支出占全省比重", "上市企业占比", "占地区生产总值比重",
])
def test_a_share_whose_part_or_whole_is_not_said_gets_none(name):
    assert code_for(name, unit="%") is None


def test_normalization_drops_spaces_quotes_and_notes_and_spells_out_abbreviations():
    assert normalize_indicator("办理镇人大代表\n\n意见建议") == "办理镇人大代表意见建议"
    assert normalize_indicator("“四上”企业") == "四上企业"
    assert normalize_indicator("限上零售额") == "限额以上零售额"
    assert normalize_indicator("（PM2.5）") == "(PM2.5)"  # a name that is only a note keeps it


def test_the_unit_vetoes_a_code_it_cannot_be():
    assert code_for("地区生产总值", unit="元") == "GDP"
    assert code_for("地区生产总值", unit="%") is None  # a level in % is a share, not GDP
    assert code_for("民生支出", unit="%") is None  # nor the share whose part it is
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
    assert assign_codes([_tuple("高新技术企业", 100 + sentence.index("10"), "家", "level",
                                indicator_start=100 + len(prefix), sentence=sentence,
                                sentence_start=100)]) == ["HIGH_TECH_ENTERPRISES"]


def _at(sentence, indicator, value, unit="%", measure="change"):
    """A tuple of ``sentence``: the first ``indicator`` and the first ``value`` after it."""
    start = sentence.index(indicator)
    return _tuple(indicator, sentence.index(value, start + len(indicator)), unit, measure, indicator_start=start,
                  sentence=sentence)


def test_a_value_is_coded_only_in_the_clause_group_of_its_name():
    sentence = "地区生产总值增长6%；规上工业增加值增长8%"
    assert assign_codes([_at(sentence, "地区生产总值", "6"), _at(sentence, "地区生产总值", "8")]) == ["GDP", None]
    assert assign_codes([_tuple("地区生产总值", 50)]) == ["GDP"]  # no sentence: nothing against it


def test_a_list_with_respectively_gives_each_value_the_name_at_its_place():
    sentence = "规上工业增加值、固定资产投资、社会消费品零售总额分别增长6.6%、4.3%、8.6%"
    linked_to_last = [_at(sentence, "社会消费品零售总额", v) for v in ("6.6", "4.3", "8.6")]
    assert assign_codes(linked_to_last) == ["VA_INDUSTRY_ADS", "FAI", "RETAIL_SALES"]
    sentence = "城镇、农村居民人均可支配收入分别增长4.0%、7.3%"  # a name the list shortened is completed
    assert assign_codes([_at(sentence, "城镇", "4.0"), _at(sentence, "农村居民人均可支配收入", "7.3")]) == \
        ["DISPOSABLE_INCOME_URBAN_PC", "DISPOSABLE_INCOME_RURAL_PC"]
    sentence = "全市生产安全事故起数、死亡人数分别下降24%和21.2%"  # with the beginning of the first name
    assert assign_codes([_at(sentence, "生产安全事故起数", "24"), _at(sentence, "死亡人数", "21.2")]) == \
        ["SAFETY_ACCIDENTS", "SAFETY_ACCIDENT_DEATHS"]
    sentence = "电动载人汽车、锂电池、太阳能电池等“新三样”出口分别增长43.9%、50.5%和0.9%"  # 等X names the whole list
    assert assign_codes([_at(sentence, "“新三样”出口", v) for v in ("43.9", "50.5", "0.9")]) == [None] * 3
    sentence = "制造业贷款、绿色贷款分别增长21.9%"  # not as many numbers as names: links are kept
    assert assign_codes([_at(sentence, "绿色贷款", "21.9")]) == ["LOANS_GREEN"]


def test_the_values_linked_to_the_last_name_of_a_list_without_respectively():
    sentence = "战略性新兴产业、高新技术产业产值占规上工业比重达41.8%、51.8%"
    items = [_at(sentence, "高新技术产业产值占规上工业比重", v, measure="level") for v in ("41.8", "51.8")]
    assert assign_codes(items) == ["STRATEGIC_EMERGING_SHARE_OUTPUT_INDUSTRY_ADS",
                                   "HIGH_TECH_SHARE_OUTPUT_INDUSTRY_ADS"]
    sentence = "带动制造业、战略性新兴产业增加值增长14.9%、33.4%、5%"  # as many values as names or the last only
    assert assign_codes([_at(sentence, "战略性新兴产业增加值", v) for v in ("14.9", "33.4", "5")]) == \
        [None, None, "VA_STRATEGIC_EMERGING"]
    sentence = "社会消费品零售总额、工业增加值由19亿元增加到334.6亿元"  # a range: both are the name's
    assert assign_codes([_at(sentence, "工业增加值", v, "元", "level") for v in ("19", "334.6")]) == ["VA_INDUSTRY"] * 2


def test_an_enumeration_in_one_span_gives_its_completed_names_in_order():
    sentence = "住宿业、餐饮业营业额分别增长14.3%、14.9%"
    assert assign_codes([_at(sentence, "住宿业、餐饮业营业额", v) for v in ("14.3", "14.9")]) == \
        ["ACCOMMODATION_TURNOVER", "CATERING_TURNOVER"]
    sentence = "金融机构本外币存、贷款余额分别增长13.1%和12.1%"
    assert assign_codes([_at(sentence, "金融机构本外币存、贷款余额", v) for v in ("13.1", "12.1")]) == ["DEPOSITS", "LOANS"]
    sentence = "发放告知书、签订承诺书各99份"  # one value for both (guidelines §7.8)
    assert assign_codes([_at(sentence, "发放告知书、签订承诺书", "99", "份", "level")]) == [None]


def test_a_compound_takes_its_parts_by_place_when_a_value_is_linked_elsewhere():
    sentence = "三次产业分别增长3.9%、7.9%、6.3%"
    assert assign_codes([_at(sentence, "三次产业", "7.9"), _at(sentence, "三次产业", "6.3")]) == \
        ["VA_SECONDARY", "VA_TERTIARY"]
    sentence = "城乡居民人均可支配收入分别增长4.5%、8.2%；金融机构人民币存贷款余额分别增长9.9%、12.8%"
    values = [_at(sentence, "城乡居民人均可支配收入", v) for v in ("4.5", "8.2", "9.9")]
    assert assign_codes(values) == ["DISPOSABLE_INCOME_URBAN_PC", "DISPOSABLE_INCOME_RURAL_PC", None]


def test_a_value_in_percent_after_zhan_takes_the_share_of_its_name():
    sentence = "民生支出1041亿元，占一般公共预算支出的87.2%"
    level, share = _at(sentence, "民生支出", "1041", "元", "level"), _at(sentence, "民生支出", "87.2", "%", "level")
    assert assign_codes([level, share]) == ["LIVELIHOOD_EXPENDITURE", "LIVELIHOOD_SHARE_EXPENDITURE"]
    whole = _at(sentence, "占一般公共预算支出", "87.2", "%", "level")  # the span names the whole only
    assert assign_codes([level, whole]) == ["LIVELIHOOD_EXPENDITURE", "LIVELIHOOD_SHARE_EXPENDITURE"]
    sentence = "战略性新兴产业增加值增长8.8%，占地区生产总值比重提高到41.9%"
    assert assign_codes([_at(sentence, "战略性新兴产业增加值", "41.9", "%", "level")]) == ["STRATEGIC_EMERGING_SHARE_GDP"]
    sentence = "民生支出1041亿元，教育支出200亿元，占一般公共预算支出的20%"  # another name stands between
    other = _at(sentence, "教育支出", "200", "元", "level")
    assert assign_codes([_at(sentence, "民生支出", "20", "%", "level"), other]) == [None, None]
    sentence = "上市企业总量33户、占全省82.5%"
    assert assign_codes([_at(sentence, "上市企业", "82.5", "%", "level")]) == [None]
    sentence = "全社会研发投入占GDP比重达1.76%，首次进入全省第一方阵，预计高新技术产业、战略性新兴产业占规模工业比重分别为59.5%和36%"
    far = [_at(sentence, "全社会研发投入占GDP比重", "1.76", "%", "level"),
           _at(sentence, "预计高新技术产业、战略性新兴产业占规模工业比重", "59.5", "%", "level")]
    assert assign_codes(far) == ["RD_INTENSITY", None]  # the part is two clauses away (and a share itself)


def test_a_generic_name_needs_the_words_that_say_what_it_measures():
    sentence = "办理人大代表建议106件、政协提案448件，办复率100%"
    assert assign_codes([_at(sentence, "办复率", "100", "%", "level")]) == ["PROPOSALS_REPLY_RATE"]
    sentence = "受理群众来信来电、网络留言16万余件，办复率100%"
    assert assign_codes([_at(sentence, "办复率", "100", "%", "level")]) == [None]
    sentence = "办理政协提案448件。热线满意率99%"  # the words must be in the value's clause group
    assert assign_codes([_at(sentence, "满意率", "99", "%", "level")]) == [None]


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
    with pytest.raises(CodeListError, match="share_of .* is not two codes"):
        CodeBook.from_file(_write(tmp_path, [_entry("A", ["甲"], share_of=["A", "Z"])]))
    with pytest.raises(CodeListError, match="is already S's"):
        CodeBook.from_file(_write(tmp_path, [_entry("A", ["甲"]), _entry("S", ["甲占A"], share_of=["A", "A"]),
                                             _entry("T", ["乙占A"], share_of=["A", "A"])]))
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
