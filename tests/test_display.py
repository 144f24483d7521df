"""displaCy rendering of govie spans with a colour per label."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from govie.display import LABEL_COLORS, render  # noqa: E402
from govie.document import Document, Span  # noqa: E402

TEXT = "瓜沥镇上半年实现财政总收入17.03亿元"
SPANS = [("TOWN", 0, 3), ("PER", 3, 6), ("IND", 8, 13), ("VAL", 13, 19), ("UNIT", 19, 20)]


def _document(spans=SPANS) -> Document:
    return Document(id="t", text=TEXT, spans=[Span(id=i, label=label, start=s, end=e, text=TEXT[s:e])
                                             for i, (label, s, e) in enumerate(spans)])


def test_ent_style_marks_every_span_with_its_label_colour():
    html = render(_document(), jupyter=False)
    assert isinstance(html, str)
    for label, start, end in SPANS:
        assert TEXT[start:end] in html
        assert LABEL_COLORS[label] in html
    assert html.count("<mark") == len(SPANS)
    assert "实现" in html  # untagged text is kept


def test_span_style_from_ranges():
    html = render(_document(), style="span", jupyter=False)
    for label in LABEL_COLORS:
        assert LABEL_COLORS[label] in html
    assert "17.03亿" in html


@pytest.mark.parametrize("style", ["ent", "span"])
def test_renders_a_spacy_doc_from_the_component(style):
    from spacy.tokens import Doc

    nlp = spacy.blank("zh")
    doc = Doc(nlp.vocab, words=list(TEXT), spaces=[False] * len(TEXT))
    doc.spans["govie"] = [doc.char_span(s, e, label=label) for label, s, e in SPANS]
    html = render(doc, style=style, jupyter=False)
    assert LABEL_COLORS["VAL"] in html and LABEL_COLORS["TOWN"] in html


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="VAL 13-99 lies outside a text of 20 characters"):
        render(_document([("VAL", 13, 99)]), jupyter=False)
    with pytest.raises(ValueError, match="unknown style 'dep'"):
        render(_document(), style="dep", jupyter=False)
    with pytest.raises(TypeError, match="not str"):
        render(TEXT, jupyter=False)
