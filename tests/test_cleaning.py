"""clean_text: what it fixes, and that every cleaned span maps back to the raw text it came from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from govie.cleaning import clean_text
from govie.document import read_documents

SHARED_GOLD = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "gold"
_FOLD = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)} | {"％": "%", "．": "."})


def squash(text: str) -> str:
    """What must survive cleaning: the text without whitespace/zero-width, width-folded."""
    return re.sub(r"[\s\u00a0\u3000\u200b\u200c\u200d\ufeff\u00ad]", "", text).translate(_FOLD)


def test_fixes():
    raw = "政 府 工 作 报 告\n10大类33个镇级 民生实事项目、13 大类，风 貌样板 ABC def\u3000１２．５６％\u200b。"
    c = clean_text(raw)
    assert c.text == "政府工作报告\n10大类33个镇级民生实事项目、13大类，风貌样板 ABC def 12.56%。"


def test_fields_and_separators_stay():
    c = clean_text("发文机关:斜桥镇 公开形式:主动公开\n索  引:001")
    assert "斜桥镇 公开形式" in c.text and "索  引" in c.text


def test_furniture_lines_dropped():
    raw = "正文第一段。\n网站地图 | 联系我们 | 版权保护\n浙ICP备05003129号\n正文第二段。"
    assert clean_text(raw).text == "正文第一段。\n正文第二段。"


def test_wrapped_line_joined_but_headings_kept():
    raw = "认真办理镇人大代表提出的意见建议和政协委员\n提案28件。\n一、上半年政府工作\n二、下半年目标"
    text = clean_text(raw).text
    assert "政协委员提案28件" in text
    assert "一、上半年政府工作\n二、下半年目标" in text


def test_offsets_map_back():
    raw = "风 貌样板区１２．５６ 万件"
    c = clean_text(raw)
    start = c.text.index("12.56万")
    rs, re_ = c.span_to_raw(start, start + len("12.56万"))
    assert raw[rs:re_] == "１２．５６ 万"
    assert c.to_raw(len(c.text)) == len(raw)
    assert c.from_raw(raw.index("样")) == c.text.index("样")
    with pytest.raises(IndexError):
        c.span_to_raw(3, 3)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("瓜沥镇产值亿元 \n\u3000\u00a0１２３．％12.%，。：:、地图")), max_size=60),
       st.data())
def test_every_cleaned_span_maps_to_its_raw_substring(raw, data):
    c = clean_text(raw)
    assert len(c.origin) == len(c.text)
    assert all(a < b for a, b in zip(c.origin, c.origin[1:]))
    if not c.text:
        return
    start = data.draw(st.integers(0, len(c.text) - 1))
    end = data.draw(st.integers(start + 1, len(c.text)))
    rs, re_ = c.span_to_raw(start, end)
    assert squash(raw[rs:re_]) == squash(c.text[start:end])


def test_gold_spans_survive(gold_documents):
    docs = gold_documents or [d for p in sorted(SHARED_GOLD.glob("*.json")) for d in read_documents(p)]
    if not docs:
        pytest.skip("no gold corpus")
    for doc in docs:
        c = clean_text(doc.text)
        for span in doc.spans:
            if span.label == "TOWN":  # page headers may be furniture
                continue
            cs, ce = c.from_raw(span.start), c.from_raw(span.end)
            assert ce > cs, f"{doc.id}: span {span.id} {span.text!r} at {span.start} was removed"
            rs, re_ = c.span_to_raw(cs, ce)
            assert (rs, re_) == (span.start, span.end) or squash(doc.text[rs:re_]) == squash(span.text), \
                f"{doc.id}: span {span.id} {span.text!r} maps back to {doc.text[rs:re_]!r}"
