"""Linking tagged spans into §3 tuples: which IND and UNIT each VAL belongs to.

The heuristic linker here is the baseline (nearest indicator to the left in the clause, a noun
phrase right after a counted value, ``分别`` lists, implied indicators); the learned relation
layer (:mod:`govie.relation_model`) scores the same candidates and shares :func:`build_tuples`,
so both differ only in *which* IND and UNIT they pick. All other fields (normalized value,
period, measure, status, approximation, town) come from :func:`govie.fields.derive_fields`.

Linking always works over the whole document, never per tagger window.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass
from typing import Any, Sequence

from govie.document import Document, IndicatorTuple, Span

logger = logging.getLogger(__name__)

CLAUSE_BREAKS = frozenset("，,；;。！？!?\n：:")
SENTENCE_BREAKS = frozenset("。！？!?\n")
_UNIT_GAP = re.compile(r"^\s*(?:余|多)?[十百千万亿]*\s*$")
#: at most this many characters between a value's unit and a following indicator it counts
COUNTED_GAP = 1
COUNTED_GAP_CHARS = frozenset("的")


@dataclass(frozen=True)
class Link:
    """The IND and UNIT chosen for one VAL, with the linker's confidence in the IND."""

    value: Span
    indicator: Span
    unit: Span | None = None
    confidence: float = 1.0


class TextLayout:
    """Clause and sentence boundaries of a text and its spans by label, for fast neighbour look-ups."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        text = doc.text
        self.clause_breaks = [i for i, ch in enumerate(text) if ch in CLAUSE_BREAKS]
        self.sentence_breaks = [i for i, ch in enumerate(text) if ch in SENTENCE_BREAKS]
        self.by_label: dict[str, list[Span]] = {}
        for span in sorted(doc.spans, key=lambda s: s.start):
            self.by_label.setdefault(span.label, []).append(span)
        self._starts = {label: [s.start for s in spans] for label, spans in self.by_label.items()}
        self._all = sorted(doc.spans, key=lambda s: s.start)
        self._all_starts = [s.start for s in self._all]

    def spans(self, label: str) -> list[Span]:
        return self.by_label.get(label, [])

    def clause_of(self, pos: int) -> tuple[int, int]:
        return _segment(self.clause_breaks, pos, len(self.doc.text))

    def sentence_of(self, pos: int) -> tuple[int, int]:
        return _segment(self.sentence_breaks, pos, len(self.doc.text))

    def breaks_between(self, a: int, b: int, *, sentence: bool = False) -> int:
        """How many clause (or sentence) break characters lie in ``[min(a,b), max(a,b))``."""
        marks = self.sentence_breaks if sentence else self.clause_breaks
        lo, hi = min(a, b), max(a, b)
        return bisect.bisect_left(marks, hi) - bisect.bisect_left(marks, lo)

    def between(self, label: str | None, a: int, b: int) -> list[Span]:
        """Spans of ``label`` (any label if None) that lie wholly in ``[a, b)``."""
        spans = self._all if label is None else self.spans(label)
        starts = self._all_starts if label is None else self._starts.get(label, [])
        i = bisect.bisect_left(starts, a)
        out = []
        while i < len(spans) and spans[i].start < b:
            if spans[i].end <= b:
                out.append(spans[i])
            i += 1
        return out


def _segment(breaks: list[int], pos: int, length: int) -> tuple[int, int]:
    i = bisect.bisect_left(breaks, pos)
    start = breaks[i - 1] + 1 if i > 0 else 0
    end = breaks[i] if i < len(breaks) else length
    return start, end


def unit_after(layout: TextLayout, value: Span) -> Span | None:
    """The UNIT right after a value; only approximation words, and the magnitude that follows
    them (``600余万元``, §7.6), may sit between."""
    text = layout.doc.text
    units = layout.spans("UNIT")
    i = bisect.bisect_left(layout._starts.get("UNIT", []), value.end)
    if i < len(units) and units[i].start - value.end <= 4 and _UNIT_GAP.match(text[value.end:units[i].start]):
        return units[i]
    return None


def candidates_for(layout: TextLayout, value: Span, *, window: int = 200) -> list[Span]:
    """IND spans a value may link to: those of its sentence and the previous one, within ``window`` characters."""
    s_start, s_end = layout.sentence_of(value.start)
    prev_start, _ = layout.sentence_of(max(s_start - 2, 0)) if s_start > 0 else (s_start, s_end)
    lo = max(prev_start, value.start - window)
    hi = min(s_end, value.end + window)
    return layout.between("IND", lo, hi)


class SpanLinker:
    """A linker chooses, for each VAL, its IND and UNIT (:meth:`link_spans`); the tuple fields
    then come from the normalizers, the same for every linker."""

    name = "linker"

    def link(self, doc: Document) -> list[IndicatorTuple]:
        return build_tuples(doc, self.link_spans(doc))

    def link_spans(self, doc: Document) -> list[Link]:
        raise NotImplementedError


class HeuristicLinker(SpanLinker):
    """Rule baseline: counted noun after the value, else nearest IND to the left in the clause, ...

    Order of preference for a VAL's indicator:

    1. an IND starting right after the value (and its unit): ``114项重大项目开工建设``;
    2. in a ``分别`` clause, the k-th IND before ``分别`` for the k-th value after it;
    3. the nearest IND to the left in the clause, then in the sentence (implied indicator:
       ``地区生产总值30.5亿元、增长7.9%``);
    4. the nearest IND to the right in the sentence, then anywhere in the document.
    """

    name = "heuristic"

    def link_spans(self, doc: Document) -> list[Link]:
        layout = TextLayout(doc)
        links = []
        for value in layout.spans("VAL"):
            unit = unit_after(layout, value)
            chosen = self.choose_indicator(layout, value, unit)
            if chosen is not None:
                links.append(Link(value, chosen[0], unit, chosen[1]))
        return links

    def choose_indicator(self, layout: TextLayout, value: Span, unit: Span | None) -> tuple[Span, float] | None:
        text = layout.doc.text
        inds = layout.spans("IND")
        if not inds:
            return None
        c_start, c_end = layout.clause_of(value.start)
        s_start, s_end = layout.sentence_of(value.start)
        anchor = unit.end if unit is not None else value.end
        after = layout.between("IND", anchor, c_end)
        if after and after[0].start - anchor <= COUNTED_GAP and (unit is not None or after[0].start == anchor) \
                and all(ch in COUNTED_GAP_CHARS for ch in text[anchor:after[0].start]):
            return after[0], 0.9
        respectively = _respectively(layout, value, c_start, s_start)
        if respectively is not None:
            return respectively, 0.7
        left_clause = layout.between("IND", c_start, value.start)
        if left_clause:
            return left_clause[-1], 0.9
        left_sentence = layout.between("IND", s_start, value.start)
        if left_sentence:
            return left_sentence[-1], 0.6
        right_clause = layout.between("IND", anchor, c_end)
        if right_clause:
            return right_clause[0], 0.6
        right_sentence = layout.between("IND", anchor, s_end)
        if right_sentence:
            return right_sentence[0], 0.4
        nearest = min(inds, key=lambda s: min(abs(s.start - value.end), abs(value.start - s.end)))
        return nearest, 0.2


def _respectively(layout: TextLayout, value: Span, c_start: int, s_start: int) -> Span | None:
    """``A 1亿元，B 2亿元，分别增长3%、4%``: the k-th value after 分别 takes the k-th IND before it."""
    text = layout.doc.text
    marker = text.rfind("分别", s_start, value.start)
    if marker < 0:
        return None
    # the values of the list: those after 分别 in the same clause chain (until the sentence ends
    # or a new IND appears)
    _, s_end = layout.sentence_of(value.start)
    if layout.between("IND", marker, value.start):
        return None
    listed = [v for v in layout.between("VAL", marker, s_end)]
    stop = next((i.start for i in layout.between("IND", marker, s_end)), s_end)
    listed = [v for v in listed if v.start < stop]
    if value not in listed:
        return None
    k = listed.index(value)
    before = layout.between("IND", s_start, marker)
    if len(before) < len(listed):
        return None
    return before[len(before) - len(listed) + k]


def build_tuples(doc: Document, links: Sequence[Link], *, period: Any = "auto") -> list[IndicatorTuple]:
    """§3 tuples from chosen links; the remaining fields come from :func:`govie.fields.derive_fields`.

    VALs that got no link (a document without any IND) are skipped and counted in one log line.
    """
    from govie.fields import DocumentContext, derive_fields

    context = DocumentContext(doc)
    tuples: list[IndicatorTuple] = []
    linked = {link.value.id for link in links}
    missing = sum(1 for s in doc.spans if s.label == "VAL" and s.id not in linked)
    if missing:
        logger.warning("%s: %d value(s) left without a tuple (no indicator in the document)", doc.id, missing)
    for link in sorted(links, key=lambda l: l.value.start):
        fields = derive_fields(doc, link.value, unit=link.unit, indicator=link.indicator, period=period,
                                context=context)
        tuples.append(IndicatorTuple(
            value=link.value.id, indicator=link.indicator.id, unit=link.unit.id if link.unit else None,
            period=fields.period, indicator_text=link.indicator.text, value_norm=fields.value_norm,
            unit_norm=fields.unit_norm, period_norm=fields.period_norm, town=fields.town,
            measure=fields.measure, status=fields.status, approx=fields.approx,
            extra={"confidence": round(link.confidence, 4)},
        ))
    return tuples
