"""The rule tagger on targeted cases of GUIDELINES.md §2 and §7, plus its CV and silver entry points."""

from __future__ import annotations

import json
import lzma
import sys
from pathlib import Path

import pytest

from govie.document import Document, Meta, Span
from govie.labels import LabeledRange
from govie.rules import RuleTagger, cross_validate, gold_indicator_names, infer_town, town_short_name

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tagger() -> RuleTagger:
    return RuleTagger()


def spans(tagger: RuleTagger, text: str, town: str | None = "瓜沥镇") -> list[tuple[str, str]]:
    return [(r.label, text[r.start:r.end]) for r in tagger.predict(text, town=town)]


def labelled(tagger: RuleTagger, text: str, label: str, town: str | None = "瓜沥镇") -> list[str]:
    return [t for lab, t in spans(tagger, text, town) if lab == label]


def test_magnitude_in_val_unit_without(tagger):
    assert spans(tagger, "上半年,实现财政总收入17.03亿元,同比增长42.87%") == [
        ("PER", "上半年"), ("IND", "财政总收入"), ("VAL", "17.03亿"), ("UNIT", "元"),
        ("VAL", "42.87"), ("UNIT", "%"),
    ]
    assert spans(tagger, "完成面积4.57万平方米。")[-2:] == [("VAL", "4.57万"), ("UNIT", "平方米")]


@pytest.mark.parametrize("text, val, unit", [
    ("累计出动整治人员近10万人次。", "10万", "人次"),
    ("整改各类环境问题6万余处,有效提升", "6万", "处"),
    ("完成系列活动300余场。", "300", "场"),
    ("总投资超20亿元。", "20亿", "元"),
    ("覆盖率达50%以上。", "50", "%"),
    ("沉淀资金6000余万元的问题", "6000", "元"),  # §7.6: 余 between number and magnitude
])
def test_approximation_words_stay_outside(tagger, text, val, unit):
    assert labelled(tagger, text, "VAL") == [val]
    assert labelled(tagger, text, "UNIT") == [unit]


@pytest.mark.parametrize("text", [
    "在瓜沥镇召开的第十九届人民代表大会第四次会议上",
    "排名全省第3位。",
    "围绕三大主题,推进10大类民生实事",
    "落实\"1+4\"区域组团式发展",
    "实施地铁7号线坎山站建设",
    "坚持\"八八战略\"指引",
    "联系电话0571-82451234。",
])
def test_not_values(tagger, text):
    assert labelled(tagger, text, "VAL") == []


def test_document_numbers_are_neither_values_nor_periods(tagger):
    assert spans(tagger, "根据浙政发〔2023〕5号文件") == []


def test_structure_ratio_parts_are_values(tagger):
    assert labelled(tagger, "三次产业比重由9.2:69.5:21.3调整为9.2:63.7:27.1。", "VAL") == [
        "9.2", "69.5", "21.3", "9.2", "63.7", "27.1"]


def test_compound_period_is_one_span(tagger):
    assert labelled(tagger, "2024年上半年,斜桥镇实现地区生产总值30.5亿元", "PER", "斜桥镇") == ["2024年上半年"]
    assert labelled(tagger, "今年上半年,全镇新增企业5家", "PER") == ["今年上半年"]
    assert labelled(tagger, "近三个月来,全镇上下累计出动人员1万人次", "PER") == ["近三个月来"]
    assert labelled(tagger, "是\"十四五\"承上启下的关键之年", "PER") == ["十四五"]


def test_vague_times_are_not_periods(tagger):
    assert labelled(tagger, "日前,连日来,当前,近期,下一步工作", "PER") == []


def test_years_are_periods_streaks_are_values(tagger):
    text = "2022年,所前镇连续二十年获评平安镇"
    assert labelled(tagger, text, "PER", "所前镇") == ["2022年"]
    assert labelled(tagger, text, "VAL", "所前镇") == ["二十"]
    assert labelled(tagger, text, "UNIT", "所前镇") == ["年"]


def test_ranges_fractions_and_signs(tagger):
    assert labelled(tagger, "搭建并落地2-3个场景", "VAL") == ["2-3"]
    assert labelled(tagger, "全市2/3的村集体经济收入达到30万元", "VAL") == ["2/3", "30万"]
    assert labelled(tagger, "出口总额增长-8.7%。", "VAL") == ["-8.7"]
    assert labelled(tagger, "审批环节压减一半以上", "VAL") == ["一半"]


def test_town_full_and_short_forms(tagger):
    text = "斜桥镇召开会议,斜桥澳龙项目落地,全镇经济向好,斜桥村开展活动"
    assert labelled(tagger, text, "TOWN", "斜桥镇") == ["斜桥镇", "斜桥"]  # not 全镇, not the village
    assert labelled(tagger, "黔东南州实现旅游收入10亿元", "TOWN", "黔东南苗族侗族自治州") == ["黔东南州"]
    assert labelled(tagger, "斜桥镇新增企业5家", "TOWN", None) == []  # one mention: too little to infer


def test_town_names():
    assert town_short_name("斜桥镇") == "斜桥"
    assert town_short_name("黔东南苗族侗族自治州") == "黔东南"
    assert town_short_name("锡林郭勒盟") == "锡林郭勒"
    assert town_short_name("镇") is None
    text = "瓜沥镇召开大会。瓜沥经济稳步增长,瓜沥新区建设加快,推进乡村振兴,瓜沥镇人民政府"
    assert infer_town(text) == "瓜沥镇"


@pytest.mark.parametrize("text, ind", [
    ("新增规模以上工业企业100家。", "新增规模以上工业企业"),
    ("拆除违规广告牌292块。", "拆除违规广告牌"),
    ("上半年发放各项社会救助资金3358.92万元。", "社会救助资金"),
    ("全市共接待国内游客4909万人次。", "接待国内游客"),
    ("建成301家医保驿站,获评全省健康城市", "医保驿站"),  # the object after the value
])
def test_indicator_phrase(tagger, text, ind):
    assert labelled(tagger, text, "IND", None) == [ind]


def test_implied_indicator_gets_no_span(tagger):
    text = "地区生产总值30.5亿元、增长7.9%。"
    assert labelled(tagger, text, "IND", None) == ["地区生产总值"]


def test_lexicon_cuts_long_clauses():
    text = "坚持稳中求进工作总基调推动经济持续回升全社会固定资产投资12亿元。"
    without = RuleTagger(lexicon=[])
    with_lexicon = RuleTagger(lexicon=["固定资产投资"])
    assert labelled(with_lexicon, text, "IND", None) == ["固定资产投资"]
    assert labelled(without, text, "IND", None) != ["固定资产投资"]


def test_output_is_flat_sorted_and_in_bounds(tagger):
    text = "2023年,瓜沥镇实现财政总收入17.03亿元,同比增长42.87%,新建老年食堂2家,拆除违规广告牌292块。"
    ranges = tagger.predict(text, town="瓜沥镇")
    assert all(isinstance(r, LabeledRange) and 0 <= r.start < r.end <= len(text) for r in ranges)
    assert all(a.end <= b.start for a, b in zip(ranges, ranges[1:]))
    assert tagger.predict_batch([text, ""], towns=["瓜沥镇", None]) == [ranges, []]
    with pytest.raises(ValueError, match="towns"):
        tagger.predict_batch([text], towns=[])
    with pytest.raises(TypeError):
        tagger.predict(None)  # type: ignore[arg-type]


def _doc(doc_id: str, text: str, ind: str) -> Document:
    start = text.index(ind)
    return Document(id=doc_id, text=text, meta=Meta(town="瓜沥镇"),
                    spans=[Span(0, "IND", start, start + len(ind), ind)])


def test_from_documents_adds_gold_names_only_when_given():
    docs = [_doc("a", "坚持稳中求进工作总基调持续推动经济回升向好闲置厂房盘活面积3万平方米", "闲置厂房盘活面积")]
    assert gold_indicator_names(docs) == ["闲置厂房盘活面积"]
    assert "闲置厂房盘活面积" in RuleTagger.from_documents(docs).lexicon
    assert RuleTagger.from_documents(docs, include_builtin=False).lexicon == {"闲置厂房盘活面积"}


def test_cross_validation_holds_out_each_document():
    # The only way to find the long IND of doc "a" is a lexicon holding it; in CV it must come
    # from the other document, never from "a" itself.
    text = "坚持稳中求进工作总基调持续推动经济回升向好闲置厂房盘活面积3万平方米。"
    docs = [_doc("a", text, "闲置厂房盘活面积"), _doc("b", "今年新增企业5家。", "新增企业")]
    report = cross_validate(docs, include_builtin=False)
    assert report["IND"]["recall"] == pytest.approx(0.5)  # b found by the boundary rule, a not
    report_leaky = cross_validate([docs[0], docs[0]], include_builtin=False)
    assert report_leaky["IND"]["recall"] == pytest.approx(1.0)  # a copy in the other fold does help


def test_silver_labels_reports_and_skips_gold_overlap(tmp_path):
    sys.path.insert(0, str(ROOT / "training"))
    try:
        import silver
    finally:
        sys.path.pop(0)
    source = tmp_path / "reports.jsonl.xz"
    rows = [
        {"id": "city-崇左-2024", "source": "x", "text": "崇左市地区生产总值1117.56亿元。"},
        {"id": "city-三亚-2024", "source": "y", "text": "三亚市旅游收入增长10%。三亚新增企业5家。"},
    ]
    with lzma.open(source, "wt", encoding="utf-8") as f:
        f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    out = tmp_path / "silver.jsonl"
    assert silver.main(["--input", str(source), "--out", str(out)]) == 0
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["id"] for d in written] == ["city-三亚-2024"]
    doc = written[0]
    assert doc["meta"]["town"] == "三亚市" and doc["tuples"] == []
    assert ("TOWN", "三亚市") in [(s["label"], s["text"]) for s in doc["spans"]]
    assert all(doc["text"][s["start"]:s["end"]] == s["text"] for s in doc["spans"])
    assert silver.main(["--input", str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 2
