"""The Python API: load(), calling a pipeline, §5 output, DataFrame, batches, offsets."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from govie.document import Document, Span
from govie.labels import LabeledRange
from govie.linker import HeuristicLinker
from govie.pipeline import Extraction, Pipeline, add_town_mentions, load, town_short_form

from conftest import ROOT, SHARED_VALIDATOR

TEXT = "上半年,瓜沥实现财政总收入17.03亿元,同比增长42.87%。新增10家银行保险分支机构。"
META = {"town": "瓜沥镇", "default_period": "2023-H1", "reference_month": "2023-06"}


@pytest.fixture(scope="module")
def nlp():
    return load("rules")


@pytest.fixture(scope="module")
def result(nlp) -> Extraction:
    return nlp(TEXT, **META)


def test_short_text_gives_the_expected_tuples(result):
    got = [(t.indicator, t.value, t.unit, t.period, t.town, t.measure, t.status, t.approx) for t in result.tuples]
    assert got[:2] == [
        ("财政总收入", 1703000000, "元", "2023-H1", "瓜沥镇", "level", "actual", None),
        ("财政总收入", 42.87, "%", "2023-H1", "瓜沥镇", "change", "actual", None),
    ]
    assert got[2][1:3] == (10, "家") and "银行保险分支机构" in got[2][0]


def test_offsets_point_at_the_text_they_name(result):
    text = result.text
    assert result.tuples
    for t in result.tuples:
        assert text[t.value_start:t.value_end] == t.value_text
        assert t.indicator in text[t.indicator_start:t.indicator_end]
        assert text[t.indicator_start:t.indicator_end] == t.indicator
        if t.unit_start is not None:
            assert text[t.unit_start:t.unit_end] in (t.unit, "％")
        if t.period_start is not None:
            assert text[t.period_start:t.period_end]
        assert text[t.sentence_start:t.sentence_start + len(t.sentence)] == t.sentence
        assert t.value_start >= t.sentence_start and t.value_end <= t.sentence_start + len(t.sentence)
        assert 0.0 <= t.confidence <= 1.0
    for span in result.spans:
        assert text[span.start:span.end] == span.text


def test_offsets_survive_messy_text(nlp):
    """Stray spaces, CRLF line ends and a BOM-like character: offsets still index the raw text."""
    messy = "\ufeff  上半年 ,\r\n实现财政总收入 17.03亿元 ,\u3000同比增长42.87%"
    out = nlp(messy, **META)
    assert out.tuples
    for t in out.tuples:
        assert messy[t.value_start:t.value_end] == t.value_text
        assert messy[t.indicator_start:t.indicator_end] == t.indicator


def test_metadata_given_is_reported_as_given(result):
    assert result.meta.town == "瓜沥镇" and result.meta.default_period == "2023-H1"
    assert result.metadata_sources["town"]["how"] == "given"


def test_metadata_is_inferred_when_not_given(nlp):
    if importlib.util.find_spec("govie.metadata") is None:
        pytest.fail("govie.metadata (infer_metadata) is missing")
    text = "瓜沥镇2023年上半年工作报告\n上半年,瓜沥实现财政总收入17.03亿元,同比增长42.87%。"
    out = nlp(text)
    assert out.meta.town == "瓜沥镇"
    assert out.meta.default_period == "2023-H1"
    assert out.metadata_sources["town"]["how"] != "given"


def test_to_dict_is_valid_section5(result, tmp_path):
    data = result.to_dict("short", "short.txt")
    assert data["id"] == "short" and data["source"] == "short.txt"
    doc = Document.from_dict(data)
    values = [s.id for s in doc.spans if s.label == "VAL"]
    assert sorted(t.value for t in doc.tuples) == sorted(values)
    if SHARED_VALIDATOR.exists():
        path = tmp_path / "short.json"
        path.write_text(__import__("json").dumps(data, ensure_ascii=False), encoding="utf-8")
        run = subprocess.run([sys.executable, str(SHARED_VALIDATOR), str(path)], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout


class _FixedTagger:
    def __init__(self, ranges):
        self.ranges = ranges

    def predict_batch(self, texts, *, towns=None, show_progress=False):
        return [list(self.ranges) for _ in texts]


def test_values_without_a_tuple_are_dropped_from_the_document(caplog):
    """A VAL that cannot be normalized gets no tuple and leaves the §5 output valid."""
    text = "财政总收入17.03亿元,另有某某项。"
    ranges = [LabeledRange("IND", 0, 5), LabeledRange("VAL", 5, 11), LabeledRange("UNIT", 11, 12),
              LabeledRange("VAL", 15, 17)]  # '某某' is no number
    out = Pipeline(_FixedTagger(ranges), HeuristicLinker())(text, **META)
    doc = out.to_document("x")
    vals = [s for s in doc.spans if s.label == "VAL"]
    assert [s.text for s in vals] == ["17.03亿"]
    assert [t.value for t in doc.tuples] == [vals[0].id]


def test_to_frame_has_one_row_per_tuple(result):
    pytest.importorskip("pandas")
    frame = result.to_frame()
    assert len(frame) == len(result.tuples)
    assert list(frame.columns[:4]) == ["indicator", "value", "unit", "period"]


def test_pipe_processes_many_texts_in_order(nlp):
    texts = [TEXT, "全年实现地区生产总值30.5亿元、增长7.9%。"]
    outs = list(nlp.pipe(texts, town="瓜沥镇", default_period=["2023-H1", "2023"],
                         reference_month=["2023-06", "2023-12"], doc_ids=["a", "b"], show_progress=False))
    assert [o.doc_id for o in outs] == ["a", "b"]
    assert [t.value for t in outs[1].tuples] == [3050000000, 7.9]
    assert {t.indicator for t in outs[1].tuples} == {"地区生产总值"}


def test_pipe_checks_lengths(nlp):
    with pytest.raises(ValueError, match="town has 1 entries for 2 texts"):
        list(nlp.pipe(["a", "b"], town=["瓜沥镇"]))


def test_town_mentions_full_and_short_name():
    text = "瓜沥镇召开会议,瓜沥一中,全镇"
    ranges = add_town_mentions(text, [LabeledRange("IND", 8, 10)], "瓜沥镇")
    towns = sorted((r.start, r.end) for r in ranges if r.label == "TOWN")
    assert towns == [(0, 3)]  # 瓜沥 inside 瓜沥一中 is covered by the IND span here
    assert town_short_form("黔东南苗族侗族自治州") == "黔东南"
    assert town_short_form("斜桥镇") == "斜桥" and town_short_form("乡") is None


def test_load_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a govie model folder"):
        load(tmp_path)
    with pytest.raises(FileNotFoundError, match="no learned linker"):
        load("rules", linker=tmp_path)


def test_learned_and_heuristic_linkers_are_selectable():
    assert load("rules", linker="heuristic").linker.name == "heuristic"
    from govie.pipeline import PACKAGE_MODELS

    if (PACKAGE_MODELS / "linker" / "config.json").exists():
        assert load("rules").linker.name == "learned"


def test_top_level_api_is_lazy():
    code = "import sys, govie; assert 'torch' not in sys.modules and 'pandas' not in sys.modules; govie.load"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(ROOT))


def test_town_mentions_of_an_autonomous_prefecture():
    text = "黔东南州地区生产总值增长,黔东南苗族侗族自治州,黔东南"
    ranges = add_town_mentions(text, [], "黔东南苗族侗族自治州")
    assert sorted(text[r.start:r.end] for r in ranges) == ["黔东南", "黔东南州", "黔东南苗族侗族自治州"]


def test_missing_metadata_falls_back_to_valid_values(nlp, caplog):
    """No town and no year in the text: logged period fallbacks, the town left None (never a
    placeholder), and the §5 output still valid (guidelines v1.4)."""
    import logging

    from govie.validation import check_dict

    with caplog.at_level(logging.WARNING, logger="govie.pipeline"):
        out = nlp("上半年,实现财政总收入17.03亿元。")
    assert out.meta.default_period and out.meta.reference_month
    assert out.metadata_sources["default_period"]["how"].startswith("fallback")
    assert "default_period not found" in caplog.text and "town not found" in caplog.text
    assert out.meta.town is None and out.metadata_sources["town"] == {
        "value": None, "how": "no reporting-unit name found", "confidence": 0.0}
    assert out.tuples and all(t.town is None and t.period for t in out.tuples)
    doc = out.to_dict("x")
    assert doc["meta"]["town"] is None and check_dict(doc) == []


def test_empty_text_gives_an_empty_valid_document(nlp, caplog):
    """Nothing to infer from a blank text, so nothing is made up (and nothing is logged)."""
    import logging

    from govie.validation import check_dict

    with caplog.at_level(logging.WARNING, logger="govie.pipeline"):
        results = list(nlp.pipe(["", " \n\t", "上半年,实现财政总收入17.03亿元。"], town=[None, "瓜沥镇", None],
                                show_progress=False))
    assert "document-0" not in caplog.text and "document-1" not in caplog.text
    for result in results[:2]:
        assert result.spans == [] and result.tuples == [] and check_dict(result.to_dict()) == []
    assert results[0].meta.town is None and results[0].metadata_sources["town"]["how"].startswith("empty text")
    assert results[1].meta.town == "瓜沥镇" and results[1].metadata_sources["town"]["how"] == "given"
    assert results[2].tuples


def test_tagger_sees_cleaned_text_and_spans_map_back_to_raw():
    class RecordingTagger:
        """Tags every '万' run; records what text it was given."""

        seen: list[str] = []

        def predict_batch(self, texts, *, towns=None, show_progress=False):
            self.seen.extend(texts)
            return [[LabeledRange("VAL", i - 2, i + 1) for i, ch in enumerate(t) if ch == "万"] for t in texts]

    raw = "新增就业 岗位\u00a0１２万个。"
    nlp = Pipeline(RecordingTagger(), HeuristicLinker())
    result = nlp(raw, town="斜桥镇", default_period="2024", reference_month="2024-12")
    assert RecordingTagger.seen == ["新增就业岗位12万个。"]  # stray spaces gone, digits folded
    assert [(s.label, raw[s.start:s.end]) for s in result.spans if s.label == "VAL"] == [("VAL", "１２万")]
