"""Linking VALs to IND/UNIT: the heuristic baseline and the learned relation layer."""

from __future__ import annotations

import logging

import pytest

from govie.document import Document, Meta, Span
from govie.linker import HeuristicLinker, TextLayout, unit_after
from govie.model_files import ModelLoadError
from govie.relation_model import LearnedLinker, RelationConfig
from govie.windows import plan_windows


def make_doc(text: str, marks: list[tuple[str, str]], *, doc_id: str = "t") -> Document:
    """Spans from (label, substring) pairs, found left to right in ``text``."""
    spans, pos = [], 0
    for i, (label, part) in enumerate(marks):
        start = text.index(part, pos)
        spans.append(Span(i, label, start, start + len(part), part))
        pos = start + len(part)
    meta = Meta(town="瓜沥镇", published=None, default_period="2023-H1", reference_month="2023-06")
    return Document(id=doc_id, text=text, meta=meta, spans=spans)


def links_by_text(linker, doc: Document) -> list[tuple[str, str, str | None]]:
    return [(l.value.text, l.indicator.text, l.unit.text if l.unit else None) for l in linker.link_spans(doc)]


def test_implied_indicator_takes_the_ind_on_the_left():
    doc = make_doc("上半年,实现财政总收入17.03亿元,同比增长42.87%,地方财政收入9.32亿元",
                   [("PER", "上半年"), ("IND", "财政总收入"), ("VAL", "17.03亿"), ("UNIT", "元"),
                    ("VAL", "42.87"), ("UNIT", "%"), ("IND", "地方财政收入"), ("VAL", "9.32亿"), ("UNIT", "元")])
    assert links_by_text(HeuristicLinker(), doc) == [
        ("17.03亿", "财政总收入", "元"), ("42.87", "财政总收入", "%"), ("9.32亿", "地方财政收入", "元")]


def test_counted_noun_after_the_value_and_lists():
    doc = make_doc("新增10家银行保险分支机构，新建成充电桩848个、5G基站1219个。",
                   [("VAL", "10"), ("UNIT", "家"), ("IND", "银行保险分支机构"), ("IND", "新建成充电桩"),
                    ("VAL", "848"), ("UNIT", "个"), ("IND", "5G基站"), ("VAL", "1219"), ("UNIT", "个")])
    assert links_by_text(HeuristicLinker(), doc) == [
        ("10", "银行保险分支机构", "家"), ("848", "新建成充电桩", "个"), ("1219", "5G基站", "个")]


def test_respectively_list_pairs_values_with_indicators_in_order():
    doc = make_doc("接待国内游客4909万人次，实现旅游收入461亿元，分别增长138.3%、120%。",
                   [("IND", "接待国内游客"), ("VAL", "4909万"), ("UNIT", "人次"), ("IND", "旅游收入"),
                    ("VAL", "461亿"), ("UNIT", "元"), ("VAL", "138.3"), ("UNIT", "%"), ("VAL", "120"), ("UNIT", "%")])
    assert [ind for _, ind, _ in links_by_text(HeuristicLinker(), doc)] == [
        "接待国内游客", "旅游收入", "接待国内游客", "旅游收入"]


def test_unit_only_right_after_the_value():
    doc = make_doc("投资600余万元，项目12 个，资金30亿，元旦",
                   [("IND", "投资"), ("VAL", "600"), ("UNIT", "元"), ("IND", "项目"), ("VAL", "12"), ("UNIT", "个"),
                    ("IND", "资金"), ("VAL", "30亿"), ("UNIT", "元")])
    layout = TextLayout(doc)
    units = [unit_after(layout, v) for v in layout.spans("VAL")]
    assert [u.text if u else None for u in units] == ["元", "个", None]  # §7.6 '600余万元'; no unit across a comma


def test_value_without_indicator_in_its_sentence_still_linked():
    doc = make_doc("财政总收入增长。\n合计30亿元。", [("IND", "财政总收入"), ("VAL", "30亿"), ("UNIT", "元")])
    assert links_by_text(HeuristicLinker(), doc) == [("30亿", "财政总收入", "元")]


def test_no_indicator_in_document_gives_no_link():
    doc = make_doc("合计30亿元。", [("VAL", "30亿"), ("UNIT", "元")])
    assert HeuristicLinker().link_spans(doc) == []


def test_link_across_a_tagger_window_edge():
    """Linking is per document: a window edge between IND and VAL does not matter."""
    filler = "各项工作稳步推进" * 30 + "。"
    text = filler + "规上工业增加值" + "在各方共同努力下" * 9 + "达到38.32亿元。"
    doc = make_doc(text, [("IND", "规上工业增加值"), ("VAL", "38.32亿"), ("UNIT", "元")])
    ind, val = doc.spans[0], doc.spans[1]
    windows = plan_windows(len(text), size=64, stride=48)
    assert not any(w.start <= ind.start and val.end <= w.end for w in windows), "test needs an edge between them"
    for linker in (HeuristicLinker(), LearnedLinker()):
        assert links_by_text(linker, doc) == [("38.32亿", "规上工业增加值", "元")]


@pytest.fixture(scope="module")
def trained(gold_documents):
    if len(gold_documents) < 3:
        pytest.skip("corpora/gold not present")
    held_out = next(d for d in gold_documents if d.id == "xieqiao-2024h1")
    train = [d for d in gold_documents if d.id != held_out.id]
    return LearnedLinker(RelationConfig(epochs=4)).fit(train), held_out


def _accuracy(linker, doc: Document) -> float:
    gold = {t.value: t.indicator for t in doc.tuples}
    links = linker.link_spans(doc)
    assert len(links) == len(gold)  # every VAL gets exactly one IND
    return sum(gold[l.value.id] == l.indicator.id for l in links) / len(gold)


def test_learned_linker_generalizes_to_a_held_out_document(trained):
    model, held_out = trained
    assert _accuracy(model, held_out) >= 0.95
    assert _accuracy(model, held_out) >= _accuracy(HeuristicLinker(), held_out)


def test_learned_linker_round_trips_without_pickle(trained, tmp_path):
    model, held_out = trained
    model.save_pretrained(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "config.json", "model.safetensors"]
    assert "hashed features only" in (tmp_path / "README.md").read_text(encoding="utf-8")
    loaded = LearnedLinker.from_pretrained(tmp_path)
    assert links_by_text(loaded, held_out) == links_by_text(model, held_out)


def test_from_pretrained_errors_name_the_file(tmp_path):
    with pytest.raises(ModelLoadError, match="config.json"):
        LearnedLinker.from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    with pytest.raises(ModelLoadError, match="govie-relation"):
        LearnedLinker.from_pretrained(tmp_path)


def test_fit_without_examples_is_an_error():
    with pytest.raises(ValueError, match="no training examples"):
        LearnedLinker().fit([make_doc("合计30亿元。", [("VAL", "30亿"), ("UNIT", "元")])])


def test_shipped_linker_loads():
    from govie.pipeline import PACKAGE_MODELS

    path = PACKAGE_MODELS / "linker"
    if not (path / "config.json").exists():
        pytest.skip("no shipped linker")
    model = LearnedLinker.from_pretrained(path)
    doc = make_doc("实现财政总收入17.03亿元,同比增长42.87%", [("IND", "财政总收入"), ("VAL", "17.03亿"), ("UNIT", "元"),
                                                   ("VAL", "42.87"), ("UNIT", "%")])
    assert [ind for _, ind, _ in links_by_text(model, doc)] == ["财政总收入", "财政总收入"]


def test_build_tuples_logs_values_left_without_indicator(caplog):
    pytest.importorskip("govie.fields")
    doc = make_doc("合计30亿元。", [("VAL", "30亿"), ("UNIT", "元")])
    with caplog.at_level(logging.WARNING, logger="govie.linker"):
        assert HeuristicLinker().link(doc) == []
    assert "1 value(s) left without a tuple" in caplog.text


def test_align_to_predicted_moves_gold_links_onto_tagger_spans():
    from govie.document import IndicatorTuple
    from govie.labels import LabeledRange
    from govie.relation_model import align_to_predicted

    gold = make_doc("实现规上工业增加值38.32亿元,工业投资13.52亿元",
                    [("IND", "规上工业增加值"), ("VAL", "38.32亿"), ("UNIT", "元"), ("IND", "工业投资"),
                     ("VAL", "13.52亿"), ("UNIT", "元")])
    gold.tuples = [IndicatorTuple(value=1, indicator=0, value_norm=3832000000, period_norm="2023-H1", town="瓜沥镇"),
                   IndicatorTuple(value=4, indicator=3, value_norm=1352000000, period_norm="2023-H1", town="瓜沥镇")]
    text = gold.text
    predicted = [LabeledRange("IND", 0, 9), LabeledRange("VAL", 9, 15),  # '实现规上工业增加值': wider IND
                 LabeledRange("VAL", text.index("13.52"), text.index("13.52") + 5)]  # VAL cut short, IND missed
    silver = align_to_predicted(gold, predicted)
    assert [(silver.spans[t.value].text, silver.spans[t.indicator].text) for t in silver.tuples] == [
        ("38.32亿", "实现规上工业增加值")]
