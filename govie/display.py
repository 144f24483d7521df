"""displaCy views of govie spans, one colour per label, for notebooks and HTML reports.

>>> import govie                                        # doctest: +SKIP
>>> from govie.display import render                    # doctest: +SKIP
>>> html = render(govie.load()("上半年,实现财政总收入17.03亿元"))   # shows itself in a notebook  # doctest: +SKIP

``render`` takes a govie ``Extraction`` (or a §5 ``Document``, or anything with ``text`` and
``spans`` of ``label``/``start``/``end``) or a spaCy ``Doc`` processed by the ``govie`` component.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

#: one colour per govie label (displaCy takes upper-case label names)
LABEL_COLORS: dict[str, str] = {
    "IND": "#7aecec",   # indicator: cyan
    "VAL": "#feca74",   # value: orange
    "UNIT": "#bfe1d9",  # unit: green-grey
    "PER": "#c887fb",   # period: violet
    "TOWN": "#ff9561",  # town: red-orange
}
STYLES: tuple[str, ...] = ("ent", "span")


def render(obj: Any, *, style: str = "ent", jupyter: bool | None = None, spans_key: str = "govie",
           page: bool = False, title: str | None = None) -> str:
    """HTML of ``obj``'s spans with displaCy; in a notebook (``jupyter=None`` detects it) it is also shown.

    ``style="ent"`` highlights spans inline at their exact characters; ``style="span"`` underlines them
    token by token (displaCy puts a space after each token, which shows in Chinese text).
    """
    try:
        from spacy import displacy
        from spacy.tokens import Doc
        from spacy.util import is_in_jupyter
    except ImportError:
        raise ImportError("govie.display.render needs spaCy: pip install 'govie[spacy]'") from None

    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {', '.join(STYLES)}")
    options: dict[str, Any] = {"colors": LABEL_COLORS, "ents": list(LABEL_COLORS), "spans_key": spans_key}
    if isinstance(obj, Doc):
        data = _from_doc(obj, style, spans_key)
    elif hasattr(obj, "text") and hasattr(obj, "spans"):
        data = _from_ranges(obj.text, [(s.label, s.start, s.end) for s in obj.spans], style)
    else:
        raise TypeError(f"render() takes a govie Extraction/Document or a spaCy Doc, not {type(obj).__name__}")
    if title is not None:
        data["title"] = title
    html = displacy.render(data, style=style, manual=True, options=options, page=page, jupyter=False)
    if jupyter or (jupyter is None and is_in_jupyter()):
        from IPython.display import HTML, display

        display(HTML(html))
    return html


def _from_doc(doc: Any, style: str, spans_key: str) -> dict[str, Any]:
    spans = list(doc.spans[spans_key]) if spans_key in doc.spans else list(doc.ents)
    if not spans:
        logger.info("doc has no spans under %r and no entities; rendering plain text", spans_key)
    if style == "ent":
        return {"text": doc.text, "ents": [{"start": s.start_char, "end": s.end_char, "label": s.label_}
                                           for s in spans]}
    return {"text": doc.text, "tokens": [t.text for t in doc],
            "spans": [{"start_token": s.start, "end_token": s.end, "label": s.label_} for s in spans]}


def _from_ranges(text: str, ranges: list[tuple[str, int, int]], style: str) -> dict[str, Any]:
    ranges = sorted(ranges, key=lambda r: (r[1], r[2]))
    for label, start, end in ranges:
        if not 0 <= start < end <= len(text):
            raise ValueError(f"span {label} {start}-{end} lies outside a text of {len(text)} characters")
    if style == "ent":
        return {"text": text, "ents": [{"start": s, "end": e, "label": label} for label, s, e in ranges]}
    # span style needs tokens: cut the text at every span boundary
    cuts = sorted({0, len(text), *(o for _, s, e in ranges for o in (s, e))})
    tokens = [text[a:b] for a, b in zip(cuts, cuts[1:])]
    index = {offset: i for i, offset in enumerate(cuts)}
    return {"text": text, "tokens": tokens,
            "spans": [{"start_token": index[s], "end_token": index[e], "label": label} for label, s, e in ranges]}
