"""Derive a tuple's normalized fields from its spans and their context (GUIDELINES §3-§4, §7).

The linker decides which VAL, UNIT and IND belong together; everything else a tuple needs
(``value_norm`` with its sign, ``unit_norm``, the governing period, ``town``, ``measure``,
``status``, ``approx``) comes from :func:`derive_fields`, so that gold checking, the pipeline and
the evaluation normalize in exactly one place.

Run ``python -m govie.fields --gold corpora/gold`` for the per-field agreement with a gold corpus.
"""

from __future__ import annotations

import argparse
import bisect
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal

from govie.cues import approx_cue, change_cue, clause_start, status_cue
from govie.document import Document, Span
from govie.numbers import NumberError, parse_number
from govie.periods import normalize_period, period_year
from govie.units import normalize_unit

__all__ = ["TupleFields", "derive_fields", "DocumentContext", "compare_with_gold", "main"]

logger = logging.getLogger(__name__)

_SENTENCE_END = "。！!？?\n"
_FORWARD_HEADING = re.compile(
    r"(目标任务|工作安排|工作打算|工作思路|工作计划|主要目标|预期目标|工作部署|主要任务|下步工作|下一步工作"
    r"|重点工作|重点任务|工作任务|发展目标|今后|展望|总体要求|新的一年)")
_REVIEW_HEADING = re.compile(r"(回顾|总结|过去|成绩|成效|取得|完成情况|主要工作$)")
_PLAN_YEAR_LEAD = re.compile(r"^(\d{4})年(?:是|，|,|我们|全[镇乡县区市州盟])")
_TOP_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分)")
_OTHER_TOWN = re.compile(r"([\u4e00-\u9fa5]{2,4}(?:街道|镇|乡|县|区|旗))(?:连续|共|累计|有|的)?$")
_PREPOSITIONS = "对在为和与及向把将使让给于从"
_NOT_IN_NAME = "全本我该各城市园社片景治辖矿街牧村港业心发"
_BASE_BEFORE = re.compile(r"(?:比|较|是|由|从|同比|相比|为)\s*$")


@dataclass
class TupleFields:
    """Everything a tuple needs besides its links to IND/UNIT spans (§3)."""

    value_norm: int | float | None
    unit_norm: str | None
    period: int | None
    period_norm: str | None
    town: str | None
    measure: str
    status: str
    approx: str | None


@dataclass
class _Part:
    start: int
    end: int
    period_norm: str | None
    forward: bool


class DocumentContext:
    """Per-document indexes reused for every value: PER spans, paragraphs and plan parts."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.text = doc.text
        meta = doc.meta
        self.reference_month = meta.reference_month
        self.default_period = meta.default_period
        self.year = period_year(meta.default_period) or period_year(meta.reference_month)
        self.pers = sorted((s for s in doc.spans if s.label == "PER"), key=lambda s: s.start)
        self._per_starts = [s.start for s in self.pers]
        self._norm_cache: dict[tuple[int, int | None, str | None], str | None] = {}
        self.parts = self._find_parts()

    # -- periods -------------------------------------------------------------------------
    def normalize(self, span: Span, *, year: int | None = None, passage: str | None = None) -> str | None:
        year = self.year if year is None else year
        key = (span.id, year, passage)
        if key not in self._norm_cache:
            self._norm_cache[key] = normalize_period(
                span.text, year=year, reference_month=self.reference_month,
                period=passage or self.default_period)
        return self._norm_cache[key]

    def part_at(self, pos: int) -> _Part | None:
        for part in self.parts:
            if part.start <= pos < part.end:
                return part
        return None

    def _find_parts(self) -> list[_Part]:
        """Forward-looking parts (§4): from a plan heading to the next top-level heading."""
        parts: list[_Part] = []
        offset = 0
        current: _Part | None = None
        for line in self.text.split("\n"):
            start, end = offset, offset + len(line)
            offset = end + 1
            stripped = line.strip()
            is_heading = 0 < len(stripped) <= 40 and not stripped.endswith(("。", "；", ";"))
            if current is not None and is_heading and _TOP_HEADING.match(stripped) \
                    and not _FORWARD_HEADING.search(stripped):
                current.end = start
                parts.append(current)
                current = None
            if current is None and self._starts_plan(stripped, is_heading):
                current = _Part(start, len(self.text), self._heading_period(start, end), True)
        if current is not None:
            parts.append(current)
        return parts

    def _starts_plan(self, line: str, is_heading: bool) -> bool:
        """A plan heading (``下半年目标任务``) or a lead naming a later year (``2023年是…``)."""
        if is_heading:
            if _REVIEW_HEADING.search(line):
                return False
            later_year = _TOP_HEADING.match(line) and (m := re.search(r"(\d{4})年", line)) \
                and self.year and int(m.group(1)) > self.year
            return bool(_FORWARD_HEADING.search(line) or later_year)
        m = _PLAN_YEAR_LEAD.match(line)
        return bool(m and self.year and int(m.group(1)) > self.year)

    def _heading_period(self, start: int, end: int) -> str | None:
        """The period a plan part names: its first PER, else the words of its heading/lead."""
        pers = [s for s in self.pers if start <= s.start < end]
        if pers:
            return self.normalize(pers[0])
        line = self.text[start:end]
        if m := re.match(r"\s*(\d{4})年", line):
            return m.group(1)
        if self.year is None:
            return None
        if "下半年" in line:
            return f"{self.year}-H2"
        reviews_full_year = bool(self.default_period and re.fullmatch(r"\d{4}", self.default_period))
        if "新的一年" in line or "明年" in line:
            return str(self.year + 1) if reviews_full_year else str(self.year)
        if "今年" in line and self.reference_month:
            return self.reference_month[:4]
        return None

    def pers_between(self, start: int, end: int) -> list[Span]:
        lo = bisect.bisect_left(self._per_starts, start)
        hi = bisect.bisect_left(self._per_starts, end)
        return self.pers[lo:hi]

    def governing(self, value: Span, measure: str = "level") -> tuple[Span | None, str | None]:
        """The PER span that scopes a value (§4, §7.12) and its norm; ``(None, norm)`` from context."""
        text = self.text
        part = self.part_at(value.start)
        passage_norm = part.period_norm if part and part.period_norm else self.default_period
        passage_year = period_year(passage_norm) or self.year
        sent_start = _sentence_start(text, value.start)
        # 1. clause/sentence: the last PER before the value in its sentence that is not a base
        for per in reversed(self.pers_between(sent_start, value.start)):
            if _is_name(text, per, sent_start):
                continue
            if _is_base(text, per):
                # '由2011年的9.2调整为…': a from-base scopes the values it introduces
                if re.search(r"(?:由|从)\s*$", text[max(0, per.start - 2):per.start]) and \
                        re.fullmatch(r"的[^，,；;。到至为]*", text[per.end:value.start]):
                    return per, self.normalize(per, year=passage_year, passage=passage_norm)
                continue
            return per, self._range_side(per, value, passage_year, passage_norm, measure)
        # 2. paragraph lead sentence or a heading above the value
        para_start = text.rfind("\n", 0, value.start) + 1
        while para_start > 0 and not text[para_start:value.start].strip():
            para_start = text.rfind("\n", 0, para_start - 1) + 1
        lead_end = _sentence_end(text, para_start)
        if lead_end < sent_start:
            for per in self.pers_between(para_start, lead_end):
                if not _is_base(text, per):
                    return None, self.normalize(per, year=passage_year, passage=passage_norm)
        heading = self._heading_before(value.start, part)
        if heading is not None:
            return None, heading
        return None, passage_norm

    def _heading_before(self, pos: int, part: _Part | None) -> str | None:
        """A short heading line above ``pos`` (within its part) that carries a PER."""
        floor = part.start if part else 0
        end = self.text.rfind("\n", 0, pos)
        checked = 0
        while end > floor and checked < 30:
            start = self.text.rfind("\n", 0, end) + 1
            line = self.text[start:end].strip()
            if line and len(line) <= 30 and not line.endswith(("。", "；", ";", "，", ",")):
                if _TOP_HEADING.match(line):
                    return None  # a top-level section title names the report's own period
                pers = self.pers_between(start, end)
                if pers:
                    return self.normalize(pers[0])
            end = start - 1
            checked += 1
        return None

    def _range_side(self, per: Span, value: Span, year: int | None, passage: str | None,
                    measure: str = "level") -> str | None:
        """``2003年到2023年,…由X增加到Y,扩大了N倍``: X takes 2003, Y 2023, the change both.

        A level value in a later clause of the sentence is a state at the end of the span.
        """
        norm = self.normalize(per, year=year, passage=passage)
        if not norm or "/" not in norm or not re.search(r"\d{4}.*[到至—-].*\d{4}", per.text):
            return norm
        first, _, last = norm.partition("/")
        clause = self.text[clause_start(self.text, value.start):value.start]
        from_to = re.search(r"(?:由|从)([^，,；;。]*)$", clause)
        if from_to and measure == "level":
            return last if re.search(r"(?:到|至)", from_to.group(1)) else first
        if measure == "change":
            return norm
        if re.search(r"[，,；;。]", self.text[per.end:value.start]):
            return last
        return norm


def _sentence_start(text: str, pos: int) -> int:
    for i in range(pos - 1, max(-1, pos - 400), -1):
        if text[i] in _SENTENCE_END:
            return i + 1
    return max(0, pos - 400)


def _sentence_end(text: str, pos: int) -> int:
    for i in range(pos, min(len(text), pos + 400)):
        if text[i] in _SENTENCE_END:
            return i
    return min(len(text), pos + 400)


def _is_name(text: str, per: Span, sent_start: int) -> bool:
    """Years inside names (§7.10: ``“2020中国民营企业500强”``, ``2024全民健身运动会``) scope nothing."""
    left = text[sent_start:per.start]
    if left.count("“") > left.count("”") or left.count("《") > left.count("》") or left.count('"') % 2:
        return True
    following = text[per.end:per.end + 1]
    return bool(re.fullmatch(r"\d{4}", per.text.strip()) and re.match(r"[\u4e00-\u9fa5]", following))


def _is_base(text: str, per: Span) -> bool:
    """A PER used as a comparison base (``比2011年``, ``是2011年的``) does not scope values."""
    before = text[max(0, per.start - 3):per.start]
    after = text[per.end:per.end + 1]
    return bool(_BASE_BEFORE.search(before)) and after in ("的", "增", "提", "下", "减", "翻", "")


def _town_for(doc: Document, value: Span, indicator: Span | None) -> str | None:
    """§3/§7.25: the reporting town unless a named town/county stands right before the value."""
    town = doc.meta.town
    anchor = value.start
    if indicator is not None and indicator.end <= value.start and value.start - indicator.end <= 4:
        anchor = indicator.start
    window = doc.text[max(0, anchor - 12):anchor]
    m = _OTHER_TOWN.search(window)
    if m is None:
        return town
    name = m.group(1)
    while name and name[0] in _PREPOSITIONS:
        name = name[1:]
    stem = name[:-2] if name.endswith("街道") else name[:-1]
    if len(stem) < 2 or any(c in stem for c in _NOT_IN_NAME) or (town and (name in town or stem in town)):
        return town
    return name


def derive_fields(doc: Document, value: Span, *, unit: Span | None, indicator: Span | None,
                  period: Span | None | Literal["auto"] = "auto",
                  context: DocumentContext | None = None) -> TupleFields:
    """Normalize a value's tuple fields from the document (§3-§4).

    ``period`` is the tuple's PER span, None for "no explicit PER" (the passage/default period
    applies) or ``"auto"`` to find the governing PER by §4/§7.12.  Pass a shared ``context``
    when deriving many values of one document.
    """
    ctx = context if context is not None and context.doc is doc else DocumentContext(doc)
    text = doc.text
    try:
        number = parse_number(value.text)
        value_norm: int | float | None = number.value
    except NumberError as exc:
        logger.debug("%s: VAL at %d-%d: %s", doc.id, value.start, value.end, exc)
        value_norm = None
    value_norm = _apply_split_magnitude(text, value, value_norm)
    measure, sign = change_cue(text, value.start, value.end)
    if value_norm is not None and sign < 0:
        value_norm = -abs(value_norm) if value_norm > 0 else value_norm
    unit_end = unit.end if unit is not None else None
    approx = approx_cue(text, value.start, value.end, unit_end)

    part = ctx.part_at(value.start)
    passage_norm = part.period_norm if part and part.period_norm else ctx.default_period
    passage_year = period_year(passage_norm) or ctx.year
    if period == "auto":
        per_span, period_norm = ctx.governing(value, measure)
        period_id = per_span.id if per_span is not None else None
    elif period is None:
        period_id = None
        period_norm = passage_norm
    else:
        period_id = period.id
        period_norm = ctx._range_side(period, value, passage_year, passage_norm, measure)

    status = status_cue(text, value.start, value.end, forward_looking=part is not None and part.forward)
    return TupleFields(value_norm=value_norm, unit_norm=normalize_unit(unit.text) if unit else None,
                       period=period_id, period_norm=period_norm, town=_town_for(doc, value, indicator),
                       measure=measure, status=status, approx=approx)


_SPLIT_MAGNITUDE = re.compile(r"\s*[余多]\s*(万亿|亿|万|千)")


def _apply_split_magnitude(text: str, value: Span, value_norm: int | float | None) -> int | float | None:
    """§7.6: ``600余万元`` has VAL ``600`` and its magnitude after ``余`` (6000000)."""
    if value_norm is None or value.text.rstrip()[-1:] in "十百千万亿":
        return value_norm
    m = _SPLIT_MAGNITUDE.match(text, value.end)
    if m is None:
        return value_norm
    from decimal import Decimal
    from govie.numbers import MAGNITUDES, to_plain
    return to_plain(Decimal(str(value_norm)) * MAGNITUDES[m.group(1)])


# -- gold comparison ------------------------------------------------------------------------------

FIELDS = ("value_norm", "unit_norm", "approx", "sign", "period_norm|gold", "measure", "status", "town",
          "period_norm|auto", "period|auto")


@dataclass
class Mismatch:
    doc_id: str
    field: str
    gold: object
    pred: object
    context: str


def _same_number(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    return a == b


def compare_with_gold(docs: Iterable[Document]) -> tuple[dict[str, tuple[int, int]], list[Mismatch]]:
    """Derive every gold tuple's fields from its gold spans; per-field (correct, total) and misses."""
    counts = {f: [0, 0] for f in FIELDS}
    misses: list[Mismatch] = []
    for doc in docs:
        ctx = DocumentContext(doc)
        by_id = doc.span_by_id()
        for t in doc.tuples:
            value = by_id[t.value]
            unit = by_id.get(t.unit) if t.unit is not None else None
            ind = by_id.get(t.indicator)
            gold_per = by_id.get(t.period) if t.period is not None else None
            given = derive_fields(doc, value, unit=unit, indicator=ind, period=gold_per, context=ctx)
            auto = derive_fields(doc, value, unit=unit, indicator=ind, period="auto", context=ctx)
            gold_sign = (t.value_norm > 0) - (t.value_norm < 0) if isinstance(t.value_norm, (int, float)) else 0
            pred_sign = ((given.value_norm or 0) > 0) - ((given.value_norm or 0) < 0)
            pairs = {
                "value_norm": (t.value_norm, given.value_norm), "unit_norm": (t.unit_norm, given.unit_norm),
                "approx": (t.approx, given.approx), "sign": (gold_sign, pred_sign),
                "period_norm|gold": (t.period_norm, given.period_norm), "measure": (t.measure, given.measure),
                "status": (t.status, given.status), "town": (t.town, given.town),
                "period_norm|auto": (t.period_norm, auto.period_norm), "period|auto": (t.period, auto.period),
            }
            for name, (g, p) in pairs.items():
                counts[name][1] += 1
                if _same_number(g, p):
                    counts[name][0] += 1
                else:
                    ctx_text = doc.text[max(0, value.start - 25):value.end + 8].replace("\n", "⏎")
                    misses.append(Mismatch(doc.id, name, g, p, f"{ctx_text} [VAL {value.text}]"))
    return {k: (v[0], v[1]) for k, v in counts.items()}, misses


def main(argv: list[str] | None = None) -> int:
    """``python -m govie.fields --gold DIR``: per-field agreement of derive_fields with gold tuples."""
    from govie.document import read_documents

    parser = argparse.ArgumentParser(prog="python -m govie.fields", description=main.__doc__)
    parser.add_argument("--gold", type=Path, required=True, help="gold .json/.jsonl file or folder")
    parser.add_argument("--show", default="", help="comma-separated fields whose mismatches to list ('all')")
    args = parser.parse_args(argv)
    paths = sorted(args.gold.glob("*.json*")) if args.gold.is_dir() else [args.gold]
    if not paths:
        print(f"error: no .json/.jsonl files in {args.gold}", file=sys.stderr)
        return 2
    try:
        docs = [d for p in paths for d in read_documents(p)]
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts, misses = compare_with_gold(docs)
    print(f"{'field':18} {'correct':>8} {'total':>6} {'accuracy':>9}")
    for name, (ok, total) in counts.items():
        print(f"{name:18} {ok:8d} {total:6d} {ok / max(total, 1):9.2%}")
    show = set(FIELDS) if args.show == "all" else {s for s in args.show.split(",") if s}
    for m in misses:
        if m.field in show:
            print(f"{m.doc_id}\t{m.field}\tgold={m.gold!r}\tpred={m.pred!r}\t{m.context}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
