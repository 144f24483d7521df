"""infer_metadata on crafted texts and on the gold corpus (GUIDELINES §1); never a guessed year."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govie.document import read_documents
from govie.metadata import infer_metadata

SHARED_GOLD = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "gold"
UNLABELED = Path(__file__).resolve().parents[1] / "corpora" / "unlabeled" / "reports.jsonl.xz"


def test_web_page_header_and_half_year_title():
    text = ("索  引:001008004003055/2024-86681 发文机关:斜桥镇\n公开形式:主动公开 发布时间:2024-08-29 15:04\n"
            "2024年上半年工作报告\n一、上半年政府工作\n今年以来,斜桥镇坚持……斜桥镇地区生产总值30.5亿元。")
    r = infer_metadata(text)
    assert (r.meta.town, r.meta.published, r.meta.default_period, r.meta.reference_month) == \
        ("斜桥镇", "2024-08-29", "2024-H1", "2024-08")
    assert r.missing == []
    assert r.sources["published"].confidence > 0.9


def test_lunar_masthead_date():
    text = "瓜沥镇\n农历甲辰年三月廿二\n本报讯 4月18日,瓜沥镇召开复盘会。瓜沥镇党委书记……瓜沥2024年"
    r = infer_metadata(text)
    assert r.meta.published == "2024-04-30"
    assert r.meta.default_period == "2024-04"
    assert r.meta.reference_month == "2024-04"


def test_party_congress_report_reviews_previous_year():
    r = infer_metadata("xxx镇2021年党代会报告\n回顾2020,我们负重前行\n2020年,是极不平凡的一年。")
    assert r.meta.default_period == "2020"
    assert r.meta.reference_month == "2020-12"


def test_government_report_delivery_date():
    text = "政府工作报告\n（2024年1月31日在黔东南州第十五届人民代表大会第四次会议上）\n各位代表：\n我代表州人民政府……"
    r = infer_metadata(text)
    assert r.meta.reference_month == "2024-01"
    assert r.meta.default_period == "2023"


def test_city_report_bare_name_with_unit_type():
    text = "各位代表：\n现在，我代表市人民政府向大会报告工作。\n一、2023年工作回顾\n" + "晋城经济稳步发展，晋城模式推广。" * 4
    r = infer_metadata(text)
    assert r.meta.town == "晋城市"
    assert r.sources["town"].confidence < 0.9


def test_never_invents_a_year():
    r = infer_metadata("赛马扬鞭 实干争先\n瓜沥交出半年考精彩答卷\n瓜沥今年上半年的答卷成绩依然精彩。瓜沥镇……")
    assert r.meta.default_period is None and r.meta.reference_month is None and r.meta.published is None
    assert {"published", "default_period", "reference_month"} <= set(r.missing)


def test_given_values_are_kept():
    r = infer_metadata("随便一段文字", town="所前镇", default_period="2022", reference_month="2023-02")
    assert r.meta.town == "所前镇" and r.sources["town"].how == "given"
    assert r.missing == ["published"]


def test_empty_text():
    r = infer_metadata("")
    assert set(r.missing) == {"town", "published", "default_period", "reference_month"}


FIELDS = ("town", "published", "default_period", "reference_month")


SEED_IDS = ("guali-2023h1", "xieqiao-2024h1", "guali-2024q1-news", "suoqian-2022", "yaqian-2020", "chongzuo-2023",
            "jincheng-2023", "jian-2023", "xilingol-2023", "qiandongnan-2023", "gaoyang-2016")


def _gold_hits(docs) -> dict[str, int]:
    hits = {k: 0 for k in FIELDS}
    for doc in docs:
        meta = infer_metadata(doc.text).meta
        for k in hits:
            hits[k] += getattr(meta, k) == getattr(doc.meta, k)
    return hits


def _city_rows() -> list[dict]:
    with lzma.open(UNLABELED, "rt", encoding="utf-8") as f:
        return [row for row in map(json.loads, f) if row["id"].startswith("city-")]


def _city_hits(rows) -> int:
    """Reports whose inferred town starts with the name in their id ('city-三亚-2024' → 三亚市)."""
    towns = (infer_metadata(row["text"]).meta.town for row in rows)
    return sum(town is not None and town.startswith(row["id"].split("-")[1]) for town, row in zip(towns, rows))


def test_gold_accuracy(gold_documents):
    docs = gold_documents or [d for p in sorted(SHARED_GOLD.glob("*.json")) for d in read_documents(p)]
    if not docs:
        pytest.skip("no gold corpus")
    seed = [d for d in docs if d.id in SEED_IDS]
    hits = _gold_hits(seed)
    # measured 2026-11-23 on the 11 seed documents: 11/11 for all but reference_month 10/11: qiandongnan-2023's
    # gold says 2023-12, GUIDELINES §1 gives the delivery month 2024-01 ('（2024年1月31日在黔东南州…会议上）')
    assert len(seed) == 11
    assert hits["town"] == hits["published"] == hits["default_period"] == len(seed)
    assert hits["reference_month"] >= len(seed) - 1
    # measured 2026-12-03 on all 53: town 51, published 53, default_period 53, reference_month 52. The town misses
    # are plan sections cut from a report's middle that name their province more often than their city: pass
    # --town for such cuts.
    hits = _gold_hits(docs)
    assert hits["published"] == len(docs)
    assert hits["town"] >= len(docs) - 2 and hits["default_period"] == len(docs)
    assert hits["reference_month"] >= len(docs) - 1


def test_a_plan_section_takes_the_year_its_heading_names():
    r = infer_metadata("二、2024年重点工作\n\n今年是新中国成立75周年，是实现“十四五”规划目标任务的关键一年。")
    assert r.meta.default_period == "2024" and "plan section" in r.sources["default_period"].how
    assert infer_metadata("二、主要工作\n全年完成投资5亿元。").meta.default_period != "2024"


# -- reporting unit: the division table gives full official names -----------------------------------

def test_short_form_in_the_delivery_line_gives_the_full_official_name():
    r = infer_metadata("政府工作报告\n（2024年1月31日在黔东南州第十五届人民代表大会第四次会议上）\n各位代表：")
    assert r.meta.town == "黔东南苗族侗族自治州"
    assert "congress" in r.sources["town"].how and r.sources["town"].confidence >= 0.9


def test_league_report_named_by_its_bare_name():
    text = ("各位主任、委员：\n下面，我代表行署作工作报告。\n一、2023年工作回顾\n锡林郭勒草原……"
            "锡林浩特市、二连浩特市……锡林郭勒经济……")
    assert infer_metadata(text).meta.town == "锡林郭勒盟"


def test_city_report_that_names_its_province_and_other_cities():
    text = ("各位代表：\n我代表市人民政府向大会报告工作。\n2023年，在省委省政府坚强领导下，全市……四川省、四川。"
            "成都市、成都。全市……绵阳市……绵阳……绵阳经济……绵阳发展……绵阳人民。")
    assert infer_metadata(text).meta.town == "绵阳市"


def test_prefecture_report_that_often_says_the_province():
    text = "2023年工作回顾\n刚刚过去的2023年，是我州经济蝶变之年。" + "阿坝经济向好，居全省前列，在全省开展试点，全州……" * 6
    assert infer_metadata(text).meta.town == "阿坝藏族羌族自治州"


def test_district_outside_the_table_written_in_full():
    text = "各位代表：\n我代表区人民政府向大会报告工作。\n2023年是黄山区发展史上极不寻常的一年……黄山市、黄山区……黄山区经济……"
    r = infer_metadata(text)
    assert r.meta.town == "黄山区" and "not in the division table" in r.sources["town"].how


def test_town_report_keeps_the_town_not_its_district():
    text = "所前:坚持深度融合\n刚刚过去的2022年,所前发展……全镇上下……萧山区……全区第一……所前镇……所前镇工业……萧山"
    assert infer_metadata(text).meta.town == "所前镇"


def test_words_of_time_are_not_a_town_name():
    text = ("全镇上下交出半年考答卷。上半年，瓜沥经济稳中有进，半年目标过半。项目落在瓜沥，半年签约12个；"
            "瓜沥镇村联动，半年新增企业9家。走进瓜沥，半年变化明显；看瓜沥夜景，半年游客增加。下半年，全镇……")
    assert infer_metadata(text).meta.town == "瓜沥镇"


def test_state_council_report_has_no_local_unit():
    r = infer_metadata("各位代表：\n现在，我代表国务院，向大会报告政府工作。\n一、2023年工作回顾\n国内生产总值……")
    assert r.meta.town is None and "town" in r.missing


def test_unit_named_once_as_the_subject_under_the_leadership_of_the_level_above():
    text = ("…在区委、区政府的坚强领导下,东城街道深入贯彻落实区委全会精神,上半年实现规上工业总产值12.5亿元,"
            "同比增长8.3%。\n一、经济运行稳中向好\n全街道新增市场主体326家。")
    r = infer_metadata(text)
    assert r.meta.town == "东城街道" and "leadership" in r.sources["town"].how
    # the subject must be a name: a common word before 镇/乡 is none, and 全镇 names no unit
    for other in ("在县委的坚强领导下,全镇上下凝心聚力。", "在市委的坚强领导下,打造城乡融合发展新格局。"):
        assert infer_metadata(other).meta.town is None


def test_pipeline_gives_the_unit_named_once_to_every_tuple():
    import govie

    text = "今年上半年,在区委、区政府的坚强领导下,东城街道深入贯彻落实区委全会精神,实现规上工业总产值12.5亿元,同比增长8.3%。"
    result = govie.load("rules")(text, published="2025-07-20")
    assert result.meta.town == "东城街道" and result.tuples
    assert {t.town for t in result.tuples} == {"东城街道"}


@pytest.mark.parametrize("title, published, period", [
    ("上半年 我县经济运行稳中向好", "2025-08-01", "2025-H1"),  # the case: not the publication month
    ("下半年全县经济发展亮点纷呈", "2026-01-15", "2025-H2"),  # a half that ends after publication: the year before
    ("2024年1-9月全区经济运行情况", "2025-03-02", "2024-01/2024-09"),  # the year the title writes
    ("前三季度 我市经济稳步回升", "2025-10-28", "2025-Q1/2025-Q3"),
])
def test_the_part_of_the_year_a_title_names(title, published, period):
    text = f"{title}\n本报记者 王明 通讯员 李华\n今年以来,全县实现地区生产总值100亿元,同比增长6.1%。"
    r = infer_metadata(text, published=published)
    assert r.meta.default_period == period and "title" in r.sources["default_period"].how


def test_a_newspaper_page_without_a_period_in_its_title_keeps_the_month():
    text = "瓜沥新闻\n本报讯 记者 王明 上半年,全镇实现财政总收入17.03亿元。"
    assert infer_metadata(text, published="2024-04-30").meta.default_period == "2024-04"


# -- year from the text's own evidence ---------------------------------------------------------------

def test_half_year_report_takes_the_latest_year_it_writes_not_a_target():
    text = "瓜沥交出半年考答卷\n瓜沥今年上半年的答卷成绩依然精彩……成功创建为2023年全区首个……到2025年力争……2022年以来"
    r = infer_metadata(text)
    assert (r.meta.default_period, r.meta.reference_month) == ("2023-H1", "2023-06")
    assert r.sources["default_period"].confidence <= 0.5


def test_review_that_opens_with_its_year():
    r = infer_metadata("各位代表：\n我代表市人民政府报告工作。\n\n2023年，在市委坚强领导下……2024年是……")
    assert r.meta.default_period == "2023" and r.meta.reference_month == "2023-12"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(list("我代表市州县区镇人民政府在第十届人民代表大会今年上半年2023黔东南锡林郭勒盟全省:：\n，。")), max_size=80))
def test_never_raises(text):
    r = infer_metadata(text)
    assert set(r.missing) == {k for k, v in vars(r.meta).items() if v is None} & set(r.sources)


def test_town_accuracy_on_the_city_reports():
    """142 city reports whose ids name the city; 3 of them hold the State Council's report instead."""
    if not UNLABELED.exists():
        pytest.skip("no unlabeled corpus")
    rows = _city_rows()
    # measured 2026-11-23: 139/142 (before the division table: 102/142)
    assert _city_hits(rows) >= len(rows) - 4


if __name__ == "__main__":  # the figures: python tests/test_metadata.py
    gold = [d for p in sorted((Path(__file__).resolve().parents[1] / "corpora" / "gold").glob("*.json"))
            for d in read_documents(p)]
    print(f"gold ({len(gold)} documents):", _gold_hits(gold))
    city = _city_rows()
    print(f"town right on city reports: {_city_hits(city)}/{len(city)}")
