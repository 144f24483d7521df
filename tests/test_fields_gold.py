"""derive_fields reproduces the gold tuples' normalized fields from the gold spans (GUIDELINES §3-§4).

Bars: on the eleven documents the normalizers were written with, 100% for value_norm, unit_norm,
approx, sign and period_norm given the gold PER span. Over the whole corpus (annotators overrode
derived fields by hand wherever they were wrong) every field is held to the level measured on
2026-12-03, so that a regression shows (``python -m govie.fields --gold corpora/gold --show all``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govie.document import Document, Meta, Span, read_documents
from govie.fields import compare_with_gold, derive_fields

SHARED_GOLD = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "gold"
SEED_IDS = ("guali-2023h1", "xieqiao-2024h1", "guali-2024q1-news", "suoqian-2022", "yaqian-2020", "chongzuo-2023",
            "jincheng-2023", "jian-2023", "xilingol-2023", "qiandongnan-2023", "gaoyang-2016")

EXACT = ("value_norm", "unit_norm", "approx", "sign", "period_norm|gold")
# measured over the 53 documents on 2026-12-03 (4,929 tuples): 99.94, 99.98, 99.72, 99.94, 99.09, 99.41,
# 99.47, 99.72, 97.97, 98.11 %
FLOORS = {"value_norm": 0.999, "unit_norm": 0.999, "approx": 0.996, "sign": 0.999, "period_norm|gold": 0.99,
          "measure": 0.993, "status": 0.994, "town": 0.996, "period_norm|auto": 0.978, "period|auto": 0.98}


@pytest.fixture(scope="module")
def documents(request):
    docs = request.getfixturevalue("gold_documents")
    if not docs and SHARED_GOLD.is_dir():  # before the corpus engineer copies corpora/gold
        docs = [d for p in sorted(SHARED_GOLD.glob("*.json")) for d in read_documents(p)]
    if not docs:
        pytest.skip("no gold corpus found")
    return docs


@pytest.fixture(scope="module")
def gold(documents):
    return compare_with_gold(documents)


@pytest.fixture(scope="module")
def seed_gold(documents):
    return compare_with_gold([d for d in documents if d.id in SEED_IDS])


@pytest.mark.parametrize("field", EXACT)
def test_exact_fields_on_the_seed_documents(seed_gold, field):
    counts, misses = seed_gold
    wrong = [m for m in misses if m.field == field]
    assert not wrong, "\n".join(f"{m.doc_id}: gold={m.gold!r} pred={m.pred!r} {m.context}" for m in wrong[:10])
    assert counts[field][1] > 800


@pytest.mark.parametrize("field, floor", FLOORS.items())
def test_fields_over_the_corpus(gold, field, floor):
    counts, _ = gold
    ok, total = counts[field]
    assert ok / total >= floor, f"{field}: {ok}/{total}"


def _doc(text: str, meta: Meta, spans: list[tuple[str, str]]) -> tuple[Document, dict[str, Span]]:
    out, named, pos = [], {}, 0
    for i, (label, piece) in enumerate(spans):
        start = text.index(piece, pos)
        span = Span(i, label, start, start + len(piece), piece)
        out.append(span)
        named[f"{label}:{piece}"] = span
        pos = start + len(piece)
    return Document("t", text, meta, out), named


def test_auto_period_forward_part_and_heading():
    text = ("一、上半年工作\n上半年,全镇地区生产总值30.5亿元,增长7.9%。\n"
            "二、下半年目标任务\n完成4家礼堂书屋建设,全年粮食种植面积4.8万亩。")
    meta = Meta("斜桥镇", "2024-08-29", "2024-H1", "2024-08")
    doc, s = _doc(text, meta, [("PER", "上半年"), ("PER", "上半年"), ("IND", "地区生产总值"), ("VAL", "30.5亿"),
                               ("UNIT", "元"), ("VAL", "7.9"), ("UNIT", "%"), ("PER", "下半年"), ("VAL", "4"),
                               ("UNIT", "家"), ("PER", "全年"), ("VAL", "4.8万"), ("UNIT", "亩")])
    vals = [sp for sp in doc.spans if sp.label == "VAL"]
    f = [derive_fields(doc, v, unit=None, indicator=None) for v in vals]
    assert (f[0].period, f[0].period_norm, f[0].value_norm, f[0].status) == (1, "2024-H1", 3050000000, "actual")
    assert (f[1].measure, f[1].value_norm) == ("change", 7.9)
    assert (f[2].period, f[2].period_norm, f[2].status) == (None, "2024-H2", "target")
    assert (f[3].period, f[3].period_norm, f[3].status) == (10, "2024", "target")


def test_named_sub_unit_takes_the_town():
    text = "对晋庄镇24个行政村派驻驻村工作组。"
    doc, s = _doc(text, Meta("高阳县", None, "2016", "2017-02"), [("VAL", "24"), ("UNIT", "个"), ("IND", "行政村")])
    assert derive_fields(doc, s["VAL:24"], unit=s["UNIT:个"], indicator=s["IND:行政村"]).town == "晋庄镇"


def test_bad_value_text_gives_none_not_crash():
    text = "完成若干项。"
    doc, s = _doc(text, Meta("斜桥镇", None, "2024", "2024-12"), [("VAL", "若干")])
    assert derive_fields(doc, s["VAL:若干"], unit=None, indicator=None).value_norm is None
