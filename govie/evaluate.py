"""Scoring of GUIDELINES.md §6: entity scores over character BIO tags and tuple scores.

>>> report = evaluate("corpora/gold", "predictions.jsonl")     # doctest: +SKIP
>>> print(report.format_table())                               # doctest: +SKIP
>>> report.tuples.strict.f1                                    # doctest: +SKIP

Gold and prediction are paired by document ``id``. Both are validated with the rules of
``annotation/validate.py`` first, because a score of a malformed file is meaningless.

Conventions (also written into ``EvaluationReport.to_dict()['conventions']``):

* Spans: seqeval entities (``mode='strict'``, ``scheme=IOB2``) of character BIO tags, one
  sequence per document; precision, recall and F1 from the pooled counts (micro).
* Tuples: a prediction matches a gold tuple when ``value_norm`` (relative tolerance 1e-6),
  ``unit_norm``, ``measure``, ``status``, ``period_norm`` and ``town`` are equal and the IND spans
  have equal offsets (strict) or overlap by at least half of the shorter one (relaxed). Pairs are
  chosen by a maximum bipartite matching per document, so the count of true positives is the
  largest possible and does not depend on the order of tuples in the files.
* Core tuples are those with ``unit_norm`` ``元`` or ``%`` or ``measure`` ``change``.
* Field accuracy is measured on value-matched pairs: a gold and a predicted tuple whose VAL spans
  have the same offsets.
* When both gold and prediction are empty, precision, recall and F1 are 1 (nothing was missed,
  nothing was invented); otherwise an empty denominator gives 0.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence, Union

from govie.document import LABELS, Document, FormatError, IndicatorTuple, read_documents
from govie.labels import spans_to_bio

logger = logging.getLogger(__name__)

Source = Union[str, Path, Document, Sequence[Document]]

VALUE_REL_TOL = 1e-6
RELAXED_OVERLAP = 0.5
CORE_UNITS = ("元", "%")
FIELDS = ("indicator", "indicator_relaxed", "unit", "period", "value_norm", "unit_norm",
          "period_norm", "town", "measure", "status", "approx")
_MATCH_FIELDS = ("value_norm", "unit_norm", "measure", "status", "period_norm", "town")
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")


class EvaluationError(FormatError):
    """The inputs cannot be scored; the message holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# --------------------------------------------------------------------------------------------
# Result types


@dataclass
class Score:
    """Counts of one comparison and the precision, recall and F1 they give."""

    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.n_pred, empty=self.n_gold == 0)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.n_gold, empty=self.n_pred == 0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.tp + other.tp, self.n_pred + other.n_pred, self.n_gold + other.n_gold)

    def to_dict(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "tp": self.tp, "n_pred": self.n_pred, "n_gold": self.n_gold}


def _ratio(numerator: int, denominator: int, *, empty: bool) -> float:
    if denominator:
        return numerator / denominator
    return 1.0 if empty else 0.0


@dataclass
class SpanScores:
    """Entity scores per label (in ``LABELS`` order) and pooled over labels."""

    per_label: dict[str, Score]
    micro: Score

    def to_dict(self) -> dict[str, Any]:
        return {"per_label": {k: v.to_dict() for k, v in self.per_label.items()}, "micro": self.micro.to_dict()}


@dataclass
class FieldAccuracy:
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        """None when no pair was value-matched (undefined, not perfect)."""
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "correct": self.correct, "total": self.total}


@dataclass
class TupleScores:
    """Tuple scores, strict and relaxed, all tuples and core ones, and field accuracies."""

    strict: Score
    relaxed: Score
    core_strict: Score
    core_relaxed: Score
    value_matched: int
    fields: dict[str, FieldAccuracy]

    def to_dict(self) -> dict[str, Any]:
        return {"strict": self.strict.to_dict(), "relaxed": self.relaxed.to_dict(),
                "core_strict": self.core_strict.to_dict(), "core_relaxed": self.core_relaxed.to_dict(),
                "value_matched": self.value_matched,
                "fields": {k: v.to_dict() for k, v in self.fields.items()}}


@dataclass
class DocumentScores:
    id: str
    spans: Score
    strict: Score
    relaxed: Score
    core_strict: Score

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "spans": self.spans.to_dict(), "strict": self.strict.to_dict(),
                "relaxed": self.relaxed.to_dict(), "core_strict": self.core_strict.to_dict()}


@dataclass
class TupleError:
    """A gold tuple no prediction matched (``missed``) or a prediction matching no gold (``spurious``).

    ``differs`` names the fields that differ from the other side's tuple on the same VAL span, when
    there is one: it says at a glance whether the value, the indicator or a normalized field failed.
    """

    document: str
    kind: str
    indicator: str
    value: str
    value_start: int
    value_end: int
    unit: str | None
    value_norm: int | float
    unit_norm: str | None
    period_norm: str
    town: str
    measure: str
    status: str
    approx: str | None
    sentence: str
    differs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        what = (f"{self.indicator} = {self.value}{self.unit or ''} [{_fmt_number(self.value_norm)} "
                f"{self.unit_norm or '-'} {self.period_norm} {self.town} {self.measure} {self.status}"
                f"{' ' + self.approx if self.approx else ''}]")
        differs = f" (differs in: {', '.join(self.differs)})" if self.differs else ""
        return f"{self.kind:<8} {self.document} @{self.value_start}: {what}{differs}\n         in: {self.sentence}"


@dataclass
class EvaluationReport:
    """Everything :func:`evaluate` measured; ``to_dict`` is JSON-able, ``format_table`` readable."""

    spans: SpanScores
    tuples: TupleScores
    per_document: list[DocumentScores]
    errors: list[TupleError]
    documents: int
    missing_predictions: list[str] = field(default_factory=list)
    unknown_predictions: list[str] = field(default_factory=list)

    def to_dict(self, *, errors: int | None = None) -> dict[str, Any]:
        listed = self.errors if errors is None else self.errors[:errors]
        return {
            "documents": self.documents,
            "spans": self.spans.to_dict(),
            "tuples": self.tuples.to_dict(),
            "per_document": [d.to_dict() for d in self.per_document],
            "errors": [e.to_dict() for e in listed],
            "missing_predictions": self.missing_predictions,
            "unknown_predictions": self.unknown_predictions,
            "conventions": {"span_scheme": "seqeval strict IOB2 over characters, micro",
                            "value_rel_tol": VALUE_REL_TOL, "relaxed_overlap": RELAXED_OVERLAP,
                            "matching": "maximum bipartite matching per document",
                            "core": "unit_norm in 元/% or measure change",
                            "field_accuracy": "pairs with equal VAL span offsets"},
        }

    def format_table(self, *, errors: int = 0) -> str:
        """A plain-text report; ``errors`` > 0 appends that many listed errors."""
        lines = [f"govie evaluation: {self.documents} documents", "",
                 f"{'spans':<14}{'P':>8}{'R':>8}{'F1':>8}{'tp':>7}{'pred':>7}{'gold':>7}"]
        for label, score in [*self.spans.per_label.items(), ("micro", self.spans.micro)]:
            lines.append(_score_row(label, score))
        lines += ["", f"{'tuples':<14}{'P':>8}{'R':>8}{'F1':>8}{'tp':>7}{'pred':>7}{'gold':>7}"]
        for name in ("strict", "relaxed", "core_strict", "core_relaxed"):
            lines.append(_score_row(name, getattr(self.tuples, name)))
        lines += ["", f"field accuracy on {self.tuples.value_matched} value-matched pairs"]
        for name, acc in self.tuples.fields.items():
            shown = f"{acc.accuracy:.3f}" if acc.accuracy is not None else "-"
            lines.append(f"  {name:<18}{shown:>8}{acc.correct:>7}/{acc.total}")
        if len(self.per_document) > 1:
            lines += ["", f"{'document':<24}{'span F1':>9}{'strict F1':>11}{'relaxed F1':>12}{'core F1':>9}"]
            for doc in self.per_document:
                lines.append(f"{doc.id[:23]:<24}{doc.spans.f1:>9.3f}{doc.strict.f1:>11.3f}"
                             f"{doc.relaxed.f1:>12.3f}{doc.core_strict.f1:>9.3f}")
        if self.missing_predictions:
            lines += ["", "no prediction (scored as empty): " + ", ".join(self.missing_predictions)]
        if self.unknown_predictions:
            lines += ["", "predictions with no gold document (ignored): " + ", ".join(self.unknown_predictions)]
        if errors and self.errors:
            lines += ["", f"errors (strict; {len(self.errors)} in all, first {min(errors, len(self.errors))}):"]
            lines += [e.describe() for e in self.errors[:errors]]
        return "\n".join(lines)


def _score_row(name: str, score: Score) -> str:
    return (f"{name:<14}{score.precision:>8.3f}{score.recall:>8.3f}{score.f1:>8.3f}"
            f"{score.tp:>7}{score.n_pred:>7}{score.n_gold:>7}")


def _fmt_number(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# --------------------------------------------------------------------------------------------
# Loading, validation and pairing


def load_documents(source: Source, *, what: str = "input", validate: bool = True) -> list[Document]:
    """Documents from a path (.json, .jsonl or folder), a Document, or a list of Documents.

    With ``validate`` the documents must follow the guidelines (:mod:`govie.validation`, which agrees
    with ``annotation/validate.py``); otherwise :class:`EvaluationError` lists every problem.
    """
    from govie.validation import validate_document, validate_path

    if isinstance(source, (str, Path)):
        if validate:
            problems = [f"{what} {p}" for p in validate_path(source)]
            if problems:
                raise EvaluationError(problems)
        docs = list(read_documents(source))
    else:
        docs = [source] if isinstance(source, Document) else list(source)
        problems = []
        for i, doc in enumerate(docs):
            if not isinstance(doc, Document):
                problems.append(f"{what} item #{i}: expected a govie.document.Document, got {type(doc).__name__}")
            elif validate:
                try:
                    problems += [f"{what} {p}" for p in validate_document(doc)]
                except FormatError as err:
                    problems.append(f"{what} [{doc.id}]: {err}")
        if problems:
            raise EvaluationError(problems)
    counts = Counter(doc.id for doc in docs)
    repeated = [f"{what} [{doc_id}]: document id repeated {n} times" for doc_id, n in counts.items() if n > 1]
    if repeated:
        raise EvaluationError(repeated)
    return docs


@dataclass
class _Pairs:
    pairs: list[tuple[Document, Document]]
    missing: list[str]
    unknown: list[str]


def _pair(gold: Source, pred: Source, *, validate: bool) -> _Pairs:
    problems: list[str] = []
    loaded = []
    for source, what in ((gold, "gold"), (pred, "prediction")):
        try:
            loaded.append(load_documents(source, what=what, validate=validate))
        except EvaluationError as err:  # report the problems of both sides at once
            problems += err.problems
    if problems:
        raise EvaluationError(problems)
    gold_docs, pred_docs = loaded
    by_id = {doc.id: doc for doc in pred_docs}
    gold_ids = {doc.id for doc in gold_docs}
    pairs, missing = [], []
    for doc in gold_docs:
        predicted = by_id.get(doc.id)
        if predicted is None:
            missing.append(doc.id)
            predicted = Document(id=doc.id, text=doc.text, meta=doc.meta)
        elif predicted.text != doc.text:
            problems.append(f"prediction [{doc.id}]: text differs from the gold text "
                            f"({len(predicted.text)} vs {len(doc.text)} characters); offsets cannot be compared")
        pairs.append((doc, predicted))
    if problems:
        raise EvaluationError(problems)
    unknown = [doc.id for doc in pred_docs if doc.id not in gold_ids]
    if missing:
        logger.warning("%d gold documents have no prediction and count as empty: %s",
                       len(missing), ", ".join(missing))
    if unknown:
        logger.warning("%d predicted documents have no gold document and are ignored: %s",
                       len(unknown), ", ".join(unknown))
    return _Pairs(pairs, missing, unknown)


# --------------------------------------------------------------------------------------------
# Span scores


def _span_counts(pairs: list[tuple[Document, Document]]) -> list[dict[str, Score]]:
    """Per document, per label: counts of seqeval strict IOB2 entities of the character tags."""
    from seqeval.scheme import IOB2, Entities

    gold_tags = [spans_to_bio(len(g.text), g.spans) for g, _ in pairs]
    pred_tags = [spans_to_bio(len(p.text), p.spans) for _, p in pairs]
    gold_entities = Entities(gold_tags, IOB2).entities
    pred_entities = Entities(pred_tags, IOB2).entities
    counts = []
    for gold_doc, pred_doc in zip(gold_entities, pred_entities):
        per_label = {}
        for label in LABELS:
            g = {e.to_tuple() for e in gold_doc if e.tag == label}
            p = {e.to_tuple() for e in pred_doc if e.tag == label}
            per_label[label] = Score(len(g & p), len(p), len(g))
        counts.append(per_label)
    return counts


def _span_scores(counts: list[dict[str, Score]]) -> SpanScores:
    per_label = {label: sum((c[label] for c in counts), Score()) for label in LABELS}
    return SpanScores(per_label, sum(per_label.values(), Score()))


def span_scores(gold: Source, pred: Source, *, validate: bool = True) -> SpanScores:
    """Entity P/R/F1 per label and micro (seqeval, strict, IOB2, over characters)."""
    return _span_scores(_span_counts(_pair(gold, pred, validate=validate).pairs))


# --------------------------------------------------------------------------------------------
# Tuple scores


@dataclass
class _View:
    """A tuple with its span references resolved to offsets."""

    tuple: IndicatorTuple
    value: tuple[int, int]
    indicator: tuple[int, int]
    unit: tuple[int, int] | None
    period: tuple[int, int] | None

    @property
    def core(self) -> bool:
        return self.tuple.unit_norm in CORE_UNITS or self.tuple.measure == "change"


def _views(doc: Document) -> list[_View]:
    spans = doc.span_by_id()

    def offsets(sid: int | None) -> tuple[int, int] | None:
        span = spans.get(sid) if sid is not None else None
        return (span.start, span.end) if span is not None else None

    views = [_View(t, offsets(t.value) or (-1, -1), offsets(t.indicator) or (-1, -1),
                   offsets(t.unit), offsets(t.period)) for t in doc.tuples]
    return sorted(views, key=lambda v: v.value)


def _same_value(a: int | float, b: int | float) -> bool:
    return math.isclose(a, b, rel_tol=VALUE_REL_TOL)


def _fields_agree(gold: IndicatorTuple, pred: IndicatorTuple) -> bool:
    return _same_value(gold.value_norm, pred.value_norm) and all(
        getattr(gold, name) == getattr(pred, name) for name in _MATCH_FIELDS[1:])


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    shorter = min(a[1] - a[0], b[1] - b[0])
    common = min(a[1], b[1]) - max(a[0], b[0])
    return shorter > 0 and common >= RELAXED_OVERLAP * shorter


def _max_matching(candidates: list[list[int]], n_right: int) -> dict[int, int]:
    """Maximum bipartite matching by augmenting paths (iterative, so no recursion limit).

    Returns left index -> right index.
    """
    owner: list[int | None] = [None] * n_right
    for root in range(len(candidates)):
        seen: set[int] = set()
        parent: dict[int, tuple[int, int | None]] = {}  # right -> (left that reached it, right that left held)
        stack = [(root, None)]
        free = None
        while stack and free is None:
            left, via = stack.pop()
            for right in candidates[left]:
                if right in seen:
                    continue
                seen.add(right)
                parent[right] = (left, via)
                if owner[right] is None:
                    free = right
                    break
                stack.append((owner[right], right))
        right = free
        while right is not None:  # flip the path back to the root
            left, via = parent[right]
            owner[right] = left
            right = via
    return {left: right for right, left in enumerate(owner) if left is not None}


@dataclass
class _DocTuples:
    strict: Score
    relaxed: Score
    core_strict: Score
    core_relaxed: Score
    fields: dict[str, FieldAccuracy]
    value_matched: int
    errors: list[TupleError]


def _match(gold: list[_View], pred: list[_View], *, relaxed: bool) -> dict[int, int]:
    candidates = []
    for g in gold:
        row = []
        for j, p in enumerate(pred):
            if not _fields_agree(g.tuple, p.tuple):
                continue
            if g.indicator == p.indicator or (relaxed and _overlaps(g.indicator, p.indicator)):
                row.append(j)
        candidates.append(row)
    return _max_matching(candidates, len(pred))


def _score_of(matching: dict[int, int], gold: list[_View], pred: list[_View], *, core: bool) -> Score:
    if not core:
        return Score(len(matching), len(pred), len(gold))
    # matched tuples agree on unit_norm and measure, so a core gold is matched only by a core prediction
    return Score(sum(1 for i in matching if gold[i].core), sum(1 for p in pred if p.core),
                 sum(1 for g in gold if g.core))


def _differences(g: _View, p: _View) -> list[str]:
    diffs = []
    if g.indicator != p.indicator:
        diffs.append("indicator" if not _overlaps(g.indicator, p.indicator) else "indicator boundary")
    if not _same_value(g.tuple.value_norm, p.tuple.value_norm):
        diffs.append("value_norm")
    diffs += [name for name in _MATCH_FIELDS[1:] if getattr(g.tuple, name) != getattr(p.tuple, name)]
    return diffs


def _document_tuples(gold_doc: Document, pred_doc: Document) -> _DocTuples:
    gold, pred = _views(gold_doc), _views(pred_doc)
    strict = _match(gold, pred, relaxed=False)
    relaxed = _match(gold, pred, relaxed=True)

    fields = {name: FieldAccuracy() for name in FIELDS}
    pred_by_value = {p.value: p for p in pred}
    gold_by_value = {g.value: g for g in gold}
    matched = 0
    for g in gold:
        p = pred_by_value.get(g.value)
        if p is None:
            continue
        matched += 1
        checks = {
            "indicator": g.indicator == p.indicator,
            "indicator_relaxed": g.indicator == p.indicator or _overlaps(g.indicator, p.indicator),
            "unit": g.unit == p.unit,
            "period": g.period == p.period,
            "value_norm": _same_value(g.tuple.value_norm, p.tuple.value_norm),
        }
        for name in ("unit_norm", "period_norm", "town", "measure", "status", "approx"):
            checks[name] = getattr(g.tuple, name) == getattr(p.tuple, name)
        for name, ok in checks.items():
            fields[name].total += 1
            fields[name].correct += int(ok)

    errors = []
    matched_pred = set(strict.values())
    for i, g in enumerate(gold):
        if i not in strict:
            other = pred_by_value.get(g.value)
            errors.append(_error(gold_doc, g, "missed", _differences(g, other) if other else []))
    for j, p in enumerate(pred):
        if j not in matched_pred:
            other = gold_by_value.get(p.value)
            errors.append(_error(pred_doc, p, "spurious", _differences(other, p) if other else []))
    errors.sort(key=lambda e: (e.value_start, e.kind))
    return _DocTuples(_score_of(strict, gold, pred, core=False), _score_of(relaxed, gold, pred, core=False),
                      _score_of(strict, gold, pred, core=True), _score_of(relaxed, gold, pred, core=True),
                      fields, matched, errors)


def _error(doc: Document, view: _View, kind: str, differs: list[str]) -> TupleError:
    spans = doc.span_by_id()
    t = view.tuple
    unit = spans[t.unit].text if t.unit is not None and t.unit in spans else None
    value = spans[t.value].text if t.value in spans else ""
    indicator = spans[t.indicator].text if t.indicator in spans else t.indicator_text
    return TupleError(doc.id, kind, indicator, value, view.value[0], view.value[1], unit, t.value_norm,
                      t.unit_norm, t.period_norm, t.town, t.measure, t.status, t.approx,
                      sentence_around(doc.text, view.value[0]), differs)


def sentence_around(text: str, position: int, *, limit: int = 200) -> str:
    """The sentence (up to 。！？；or a line break) holding ``position``, trimmed to ``limit`` characters."""
    start = position
    while start > 0 and not _SENTENCE_END.match(text[start - 1]) and position - start < limit:
        start -= 1
    found = _SENTENCE_END.search(text, position)
    end = found.end() if found else len(text)
    end = min(end, position + limit)
    return text[start:end].strip()


def _tuple_scores(results: list[_DocTuples]) -> TupleScores:
    fields = {name: FieldAccuracy() for name in FIELDS}
    for r in results:
        for name, acc in r.fields.items():
            fields[name].correct += acc.correct
            fields[name].total += acc.total
    return TupleScores(
        strict=sum((r.strict for r in results), Score()),
        relaxed=sum((r.relaxed for r in results), Score()),
        core_strict=sum((r.core_strict for r in results), Score()),
        core_relaxed=sum((r.core_relaxed for r in results), Score()),
        value_matched=sum(r.value_matched for r in results),
        fields=fields,
    )


def tuple_scores(gold: Source, pred: Source, *, validate: bool = True) -> TupleScores:
    """Tuple P/R/F1 (strict, relaxed, core) and field accuracy on value-matched pairs."""
    pairs = _pair(gold, pred, validate=validate).pairs
    return _tuple_scores([_document_tuples(g, p) for g, p in pairs])


# --------------------------------------------------------------------------------------------
# The whole report


def evaluate(gold: Source, pred: Source, *, by_document: bool = True, validate: bool = True) -> EvaluationReport:
    """Score predicted documents against gold ones as GUIDELINES.md §6 defines.

    ``gold`` and ``pred`` are a §5 ``.json`` file, a ``.jsonl`` corpus, a folder of them, or
    Documents; they are paired by ``id``. A gold document with no prediction counts as an empty
    prediction (with a warning); predictions with no gold document are listed and ignored.
    Invalid inputs raise :class:`EvaluationError` with one line per problem (``validate=False``
    skips the guideline checks, e.g. for span-only predictions without tuples).
    """
    paired = _pair(gold, pred, validate=validate)
    span_counts = _span_counts(paired.pairs)
    tuple_results = [_document_tuples(g, p) for g, p in paired.pairs]
    per_document = []
    if by_document:
        per_document = [
            DocumentScores(g.id, sum(counts.values(), Score()), r.strict, r.relaxed, r.core_strict)
            for (g, _), counts, r in zip(paired.pairs, span_counts, tuple_results)
        ]
    return EvaluationReport(
        spans=_span_scores(span_counts),
        tuples=_tuple_scores(tuple_results),
        per_document=per_document,
        errors=[e for r in tuple_results for e in r.errors],
        documents=len(paired.pairs),
        missing_predictions=paired.missing,
        unknown_predictions=paired.unknown,
    )
