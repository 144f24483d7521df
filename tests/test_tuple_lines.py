"""Tuple lines: spans found by text in numbered segments, fields derived, errors that name the line."""

from __future__ import annotations

import pytest

from conftest import GOLD_DIR, ROOT
from govie.tuple_lines import TupleLinesError, compile_file, compile_text, main, review_table, segment_text

TEXT = "一、上半年工作\n上半年，瓜沥镇实现财政总收入17.03亿元，同比增长42.87%；新增企业31家。瓜沥镇投资超20亿元。"
HEADER = "id: t\ntown: 瓜沥镇\ndefault_period: 2023-H1\nreference_month: 2023-07\n\n"


def test_segments_end_at_sentence_marks_and_line_breaks():
    segments = segment_text(TEXT)
    assert [TEXT[s.start:s.end] for s in segments][:3] == ["一、上半年工作\n", "上半年，瓜沥镇实现财政总收入17.03亿元，同比增长42.87%；",
                                                          "新增企业31家。"]
    assert [s.number for s in segments] == [1, 2, 3, 4]


def test_compile_finds_spans_links_and_derives_fields():
    doc = compile_text(HEADER + "@1\nPER 上半年\n@2\nT 财政总收入 | 17.03亿 | 元 | 上半年\nT < | 42.87 | %\n"
                                "@3\nT 新增企业 | 31 | 家\n@4\nT 投资 | 20亿 | 元\n", TEXT)
    spans = doc.span_by_id()
    got = [(spans[t.indicator].text, spans[t.value].text, t.value_norm, t.unit_norm, t.period_norm, t.measure,
            t.approx, t.town) for t in doc.tuples]
    assert got == [("财政总收入", "17.03亿", 1703000000, "元", "2023-H1", "level", None, "瓜沥镇"),
                   ("财政总收入", "42.87", 42.87, "%", "2023-H1", "change", None, "瓜沥镇"),
                   ("新增企业", "31", 31, "家", "2023-H1", "level", None, "瓜沥镇"),
                   ("投资", "20亿", 2000000000, "元", "2023-H1", "level", "more_than", "瓜沥镇")]
    towns = [s for s in doc.spans if s.label == "TOWN"]
    assert [TEXT[s.start:s.end] for s in towns] == ["瓜沥镇", "瓜沥镇"]
    assert sum(s.label == "PER" for s in doc.spans) == 2


def test_overrides_and_occurrences():
    doc = compile_text(HEADER + "@2\nT 财政总收入 | 17.03亿 | 元 | - | s=forecast vn=1.7e9 a=approx\n"
                                "T < | 42.87 | % | | m=level\n-TOWN 瓜沥镇\n", TEXT)
    first, second = doc.tuples
    assert (first.status, first.value_norm, first.approx, first.period) == ("forecast", 1.7e9, "approx", None)
    assert second.measure == "level"
    assert [s.start for s in doc.spans if s.label == "TOWN"] == [TEXT.rindex("瓜沥镇")]


@pytest.mark.parametrize("body, message", [
    ("@2\nT 财政收入 | 17.03亿 | 元\n", "IND '财政收入' not found in segment @2"),
    ("@2\nT 财政总收入 | 99 | 元\n", "VAL '99' not found in segment @2"),
    ("@2\nT 财政总收入 | 7.03亿 | 元\n", "VAL '7.03亿' not found"),  # never inside another number
    ("@9\nPER 上半年\n", "segment @9 does not exist"),
    ("@2\nT 财政总收入 | 17.03亿 | 元\nIND 政总收\n", "overlaps"),
    ("@2\nT 财政总收入 | 17.03亿 | 元 | | x=1\n", "override 'x=1'"),
    ("@2\nX 财政\n", "unknown line kind 'X'"),
    ("@2\nIND 财政总收入\nT 财政总收入 | 17.03亿 | 亿元\n", "UNIT '亿元' not found"),
])
def test_errors_name_the_line_and_what_was_expected(body, message):
    with pytest.raises(TupleLinesError, match=message) as info:
        compile_text(HEADER + body, TEXT, where="doc.tl")
    assert str(info.value).startswith("doc.tl")


def test_every_val_needs_a_tuple_and_the_header_its_town():
    with pytest.raises(TupleLinesError, match="'id:' and 'town:'"):
        compile_text("id: t\n\n@1\nPER 上半年\n", TEXT)


def test_review_table_lists_uncovered_numbers():
    doc = compile_text(HEADER + "@2\nT 财政总收入 | 17.03亿 | 元 | 上半年\nT < | 42.87 | %\n", TEXT)
    table = review_table(doc)
    assert "财政总收入 | 17.03亿 元" in table
    assert "number '31' not in any span" in table and "number '20' not in any span" in table


def test_a_committed_source_rebuilds_its_gold_file_byte_for_byte(tmp_path):
    source = ROOT / "corpora" / "tuple_lines" / "nanjing-2024-plan.tl"
    doc = compile_file(source)
    assert main(["build", str(source), "-o", str(tmp_path)]) == 0
    assert (tmp_path / f"{doc.id}.json").read_bytes() == (GOLD_DIR / f"{doc.id}.json").read_bytes()
