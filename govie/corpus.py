"""The annotated corpus: loading, the train/dev split, statistics, and the import side shared by
the annotation-tool converters.

Annotation tools (doccano, Label Studio) hold spans and relations but not the normalized tuple
fields; converters store those fields beside the document and, on import, :func:`assemble_tuples`
reuses them where the links are unchanged and recomputes them with :func:`govie.fields.derive_fields`
where they are missing or stale, saying which fields were recomputed (:class:`ImportResult`).
"""

from __future__ import annotations

import gzip
import json
import logging
import lzma
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from govie.document import LABELS, MEASURES, STATUSES, Document, FormatError, IndicatorTuple, Meta, Span

logger = logging.getLogger(__name__)

DEFAULT_ROOT = Path("corpora")
#: tuple fields that annotation tools cannot hold; they travel in a per-document metadata record
TOOL_FIELDS: tuple[str, ...] = ("value_norm", "unit_norm", "period_norm", "town", "measure", "status", "approx")
#: relation types from a VAL span to the spans of its tuple
RELATION_TYPES: tuple[str, ...] = ("indicator", "unit", "period")
_RELATION_LABEL = {"indicator": "IND", "unit": "UNIT", "period": "PER"}
_STAT_FIELDS: tuple[str, ...] = ("measure", "status", "approx", "unit_norm", "town", "period_norm")


# ---------------------------------------------------------------------------------------- loading

def load_corpus(path: str | Path) -> list[Document]:
    """All documents of a ``.json`` file, a ``.jsonl`` corpus or a folder (see :func:`read_corpus`;
    the JSON files of a folder that are no documents are logged as warnings)."""
    result = read_corpus(path)
    for warning in result.warnings:
        logger.warning("%s", warning)
    return result.documents


def read_corpus(path: str | Path) -> "ImportResult":
    """The documents of a ``.json`` file, a ``.jsonl`` corpus or a folder of them.

    A folder also holds JSON that is no document (``corpora/splits.json``): each such file is named
    in ``warnings`` and skipped, so that scanning a folder never stops on it. A record that is meant
    as a document but cannot be read raises :class:`FormatError`, one line per such record (file and
    line), after all records were read.
    """
    from govie.validation import iter_documents

    result, errors = ImportResult(documents=[]), []
    places: dict[str, list[str]] = {}
    for where, data, error in iter_documents(path, result.warnings):
        if error is not None:
            errors.append(f"{where}: {error}")
            continue
        try:
            doc = Document.from_dict(data, where=where)
        except FormatError as err:
            errors.append(str(err))
            continue
        result.documents.append(doc)
        places.setdefault(doc.id, []).append(where)
    if errors:
        raise FormatError("\n".join(errors))
    repeated = {doc_id: wheres for doc_id, wheres in places.items() if len(wheres) > 1}
    if repeated:  # e.g. corpora/ holds gold/ and the annotators' first passes: all are read, and said so
        doc_id, wheres = next(iter(repeated.items()))
        result.warnings.append(f"{path}: {len(repeated)} document id(s) occur in more than one place, all read "
                               f"(first: {doc_id!r} in {', '.join(wheres)})")
    return result


def load_split(root: str | Path = DEFAULT_ROOT) -> dict[str, list[Document]]:
    """``{"train": [...], "dev": [...]}`` from ``root/gold`` and ``root/splits.json`` (split by document).

    Every gold document must be in exactly one split, and every listed id must exist.
    """
    root = Path(root)
    split_path = root / "splits.json"
    try:
        splits = json.loads(split_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FormatError(f"{split_path}: no such file") from None
    except json.JSONDecodeError as err:
        raise FormatError(f"{split_path}:{err.lineno}: bad JSON ({err.msg})") from None
    documents = {doc.id: doc for doc in load_corpus(root / "gold")}
    names = [key for key, value in splits.items() if isinstance(value, list)]
    seen: dict[str, str] = {}
    out: dict[str, list[Document]] = {}
    for name in names:
        out[name] = []
        for doc_id in splits[name]:
            if doc_id not in documents:
                raise FormatError(f"{split_path}: split {name!r} lists {doc_id!r}, which is not in {root / 'gold'}")
            if doc_id in seen:
                raise FormatError(f"{split_path}: {doc_id!r} is in both {seen[doc_id]!r} and {name!r}")
            seen[doc_id] = name
            out[name].append(documents[doc_id])
    missing = sorted(set(documents) - set(seen))
    if missing:
        raise FormatError(f"{split_path}: gold documents in no split: {', '.join(missing)}")
    return out


@dataclass(frozen=True)
class UnlabeledReport:
    """One unlabeled report: no annotation, used for pretraining and weak labels."""

    id: str
    source: str
    text: str


def iter_unlabeled(path: str | Path = DEFAULT_ROOT / "unlabeled" / "reports.jsonl.xz") -> Iterator[UnlabeledReport]:
    """The unlabeled reports (``id``, ``source``, ``text`` per line; ``.jsonl``, ``.jsonl.xz`` or ``.jsonl.gz``)."""
    path = Path(path)
    opener = {".xz": lzma.open, ".gz": gzip.open}.get(path.suffix, open)
    with opener(path, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                yield UnlabeledReport(str(data["id"]), str(data.get("source", "")), data["text"])
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise FormatError(f"{path}:{number}: not an unlabeled report ({err})") from None


# ------------------------------------------------------------------------------------- statistics

@dataclass
class DocumentStats:
    """The counts of one document (a row of the corpus table)."""

    id: str
    town: str | None
    default_period: str | None
    characters: int
    spans: dict[str, int]
    tuples: int
    status: dict[str, int] = field(default_factory=dict)
    measure: dict[str, int] = field(default_factory=dict)


CATALOGUE_FILE = "documents.tsv"
CATALOGUE_GROUPS = ("split", "province", "level", "genre")


def read_catalogue(path: str | Path) -> dict[str, dict[str, str]]:
    """The document catalogue (``corpora/documents.tsv``: id, split, province, level, genre, source,
    cut, annotation; tab-separated with a header) by document id."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("id\t"):
        raise FormatError(f"{path}:1: expected a tab-separated header starting with 'id'")
    header = lines[0].split("\t")
    out = {}
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise FormatError(f"{path}:{number}: {len(cells)} columns, the header has {len(header)}")
        out[cells[0]] = dict(zip(header, cells))
    return out


def find_catalogue(path: str | Path) -> Path | None:
    """``documents.tsv`` in the corpus folder or beside it (``corpora/gold`` → ``corpora/documents.tsv``)."""
    path = Path(path)
    for folder in ((path,) if path.is_dir() else ()) + (path.parent,):
        if (folder / CATALOGUE_FILE).is_file():
            return folder / CATALOGUE_FILE
    return None


@dataclass
class GroupStats:
    """Documents, characters, spans by label and tuples of one value of a catalogue column."""

    documents: int = 0
    characters: int = 0
    spans: dict[str, int] = field(default_factory=dict)
    tuples: int = 0


@dataclass
class CorpusStats:
    """Counts over a corpus: documents, characters, spans by label, tuples by each field value and,
    with a catalogue, by split, province, level and genre."""

    documents: int
    characters: int
    spans: dict[str, int]
    tuples: int
    tuple_fields: dict[str, dict[str, int]]
    per_document: list[DocumentStats] = field(default_factory=list)
    groups: dict[str, dict[str, GroupStats]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "characters": self.characters, "spans": self.spans,
                "tuples": self.tuples, "tuple_fields": self.tuple_fields,
                "per_document": [vars(d) for d in self.per_document],
                "groups": {column: {value: vars(g) for value, g in values.items()}
                           for column, values in self.groups.items()}}

    def format_table(self, *, fields: Iterable[str] = ("measure", "status", "approx", "unit_norm"),
                     top: int = 12) -> str:
        """Markdown tables: per document (spans by label, tuples by status and measure), then tuples
        by the ``top`` most frequent values of each of ``fields``."""
        lines = ["| id | town | default period | characters | " + " | ".join(LABELS) + " | tuples | "
                 + " | ".join(STATUSES + MEASURES) + " |",
                 "|---|---|---|---:|" + "---:|" * (len(LABELS) + 1 + len(STATUSES) + len(MEASURES))]
        for d in self.per_document:
            counts = " | ".join(str(d.spans.get(label, 0)) for label in LABELS)
            fields_ = " | ".join([str(d.status.get(v, 0)) for v in STATUSES] + [str(d.measure.get(v, 0)) for v in MEASURES])
            lines.append(f"| {d.id} | {d.town} | {d.default_period} | {d.characters:,} | {counts} | {d.tuples} | {fields_} |")
        total = " | ".join(str(self.spans.get(label, 0)) for label in LABELS)
        fields_ = " | ".join([str(self.tuple_fields["status"].get(v, 0)) for v in STATUSES]
                             + [str(self.tuple_fields["measure"].get(v, 0)) for v in MEASURES])
        lines.append(f"| **all {self.documents}** | | | {self.characters:,} | {total} | {self.tuples} | {fields_} |")
        for name in fields:
            values = self.tuple_fields.get(name, {})
            shown = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            lines += ["", f"| {name} | tuples |", "|---|---:|"]
            lines += [f"| {value} | {count} |" for value, count in shown]
            if len(values) > top:
                rest = sum(values.values()) - sum(count for _, count in shown)
                lines.append(f"| ({len(values) - top} more values) | {rest} |")
        for column, values in self.groups.items():
            lines += ["", f"| {column} | documents | characters | " + " | ".join(LABELS) + " | tuples |",
                      "|---|---:|---:|" + "---:|" * (len(LABELS) + 1)]
            for value, g in sorted(values.items(), key=lambda kv: (-kv[1].tuples, kv[0])):
                counts = " | ".join(str(g.spans.get(label, 0)) for label in LABELS)
                lines.append(f"| {value} | {g.documents} | {g.characters:,} | {counts} | {g.tuples} |")
        return "\n".join(lines)


def corpus_stats(docs: Iterable[Document], catalogue: dict[str, dict[str, str]] | None = None) -> CorpusStats:
    """Count documents, characters, spans by label and tuples by field value (``None`` shown as ``null``);
    with a ``catalogue`` (:func:`read_catalogue`) also by split, province, level and genre (documents
    the catalogue does not list count as ``unlisted``)."""
    docs = list(docs)
    spans: Counter[str] = Counter()
    fields: dict[str, Counter[str]] = {name: Counter() for name in _STAT_FIELDS}
    per_document = []
    for doc in docs:
        labels = Counter(span.label for span in doc.spans)
        spans.update(labels)
        for t in doc.tuples:
            for name in _STAT_FIELDS:
                value = getattr(t, name)
                fields[name]["null" if value is None else str(value)] += 1
        per_document.append(DocumentStats(doc.id, doc.meta.town, doc.meta.default_period, len(doc.text),
                                          dict(labels), len(doc.tuples),
                                          status=dict(Counter(t.status for t in doc.tuples)),
                                          measure=dict(Counter(t.measure for t in doc.tuples))))
    groups: dict[str, dict[str, GroupStats]] = {}
    for column in CATALOGUE_GROUPS if catalogue else ():
        groups[column] = {}
        for doc in docs:
            value = catalogue.get(doc.id, {}).get(column) or "unlisted"
            group = groups[column].setdefault(value, GroupStats())
            group.documents += 1
            group.characters += len(doc.text)
            group.tuples += len(doc.tuples)
            for span in doc.spans:
                group.spans[span.label] = group.spans.get(span.label, 0) + 1
    return CorpusStats(documents=len(docs), characters=sum(len(d.text) for d in docs),
                       spans=dict(spans), tuples=sum(len(d.tuples) for d in docs),
                       tuple_fields={name: dict(counter) for name, counter in fields.items()},
                       per_document=per_document, groups=groups)


# ---------------------------------------------------------------- import/export for annotation tools

@dataclass
class ImportResult:
    """Documents read from an annotation tool; ``recomputed[doc_id]`` names the tuple fields (and
    ``meta`` when the metadata was inferred) that the tool could not hold and govie recomputed."""

    documents: list[Document]
    recomputed: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def govie_record(doc: Document) -> dict[str, Any]:
    """What a tool cannot hold: id, source, metadata, extra keys and each tuple's normalized fields.

    Tuples are keyed by the offsets of their spans, not span ids, because tools renumber ids.
    """
    spans = doc.span_by_id()

    def offsets(span_id: int | None) -> list[int] | None:
        span = spans.get(span_id) if span_id is not None else None
        return [span.start, span.end] if span else None

    tuples = []
    for t in doc.tuples:
        record = {"value": offsets(t.value), "value_text": spans[t.value].text if t.value in spans else None,
                  "unit": offsets(t.unit), "period": offsets(t.period)}
        record.update({name: getattr(t, name) for name in TOOL_FIELDS})
        if t.extra:
            record["extra"] = t.extra
        tuples.append(record)
    out: dict[str, Any] = {"id": doc.id, "source": doc.source, "meta": doc.meta.to_dict(), "tuples": tuples}
    if doc.extra:
        out["extra"] = doc.extra
    return out


def document_from_tool(*, doc_id: str, text: str, spans: list[Span], links: list[tuple[int, int, str]],
                       record: dict[str, Any] | None, where: str, result: ImportResult) -> Document:
    """Build a document from a tool's spans and VAL→X relations plus the stored govie record.

    Appends the document to ``result`` and records recomputed fields and warnings there.
    """
    record = record if isinstance(record, dict) else {}
    recomputed: set[str] = set()
    meta_data = record.get("meta")
    if isinstance(meta_data, dict):
        known = ("town", "published", "default_period", "reference_month")
        meta = Meta(**{k: meta_data.get(k) for k in known},
                    extra={k: v for k, v in meta_data.items() if k not in known})
    else:
        meta = _infer_meta(text, where, result)
        if meta is not None:
            recomputed.add("meta")
        else:
            meta = Meta()
    extra = record.get("extra") if isinstance(record.get("extra"), dict) else {}
    doc = Document(id=str(record.get("id", doc_id)), text=text, meta=meta, spans=spans,
                   source=record.get("source"), extra=dict(extra))
    doc.tuples = assemble_tuples(doc, links, record.get("tuples"), where=where, result=result, recomputed=recomputed)
    result.documents.append(doc)
    if recomputed:
        result.recomputed[doc.id] = sorted(recomputed)
    return doc


def assemble_tuples(doc: Document, links: list[tuple[int, int, str]], stored: Any, *, where: str,
                    result: ImportResult, recomputed: set[str]) -> list[IndicatorTuple]:
    """One tuple per VAL that has an ``indicator`` link; stored fields are reused when the value
    text and the unit and period spans are those they were computed for, else recomputed."""
    spans = doc.span_by_id()
    chosen: dict[int, dict[str, int]] = {}
    for source, target, kind in links:
        value, other = spans.get(source), spans.get(target)
        if value is None or other is None:
            result.warnings.append(f"{where} [{doc.id}]: relation {source}->{target} names a missing span; skipped")
            continue
        if kind not in _RELATION_LABEL:
            result.warnings.append(f"{where} [{doc.id}]: relation type {kind!r} is not one of "
                                   f"{', '.join(RELATION_TYPES)}; skipped")
            continue
        if value.label != "VAL" and other.label == "VAL":
            value, other = other, value
        if value.label != "VAL" or other.label != _RELATION_LABEL[kind]:
            result.warnings.append(f"{where} [{doc.id}]: relation {kind!r} from {value.label} span {value.id} "
                                   f"to {other.label} span {other.id}; expected VAL -> {_RELATION_LABEL[kind]}; skipped")
            continue
        slot = chosen.setdefault(value.id, {})
        if kind in slot and slot[kind] != other.id:
            result.warnings.append(f"{where} [{doc.id}]: VAL span {value.id} has several {kind!r} relations; "
                                   f"kept the first ({slot[kind]})")
            continue
        slot[kind] = other.id

    by_offsets: dict[tuple[int, int], dict] = {}
    order: list[tuple[int, int]] = []
    for item in stored if isinstance(stored, list) else []:
        if isinstance(item, dict) and isinstance(item.get("value"), list):
            key = tuple(item["value"])
            by_offsets[key] = item
            order.append(key)
    val_by_offsets = {(s.start, s.end): s for s in doc.spans if s.label == "VAL"}
    ordered_vals = [val_by_offsets[key] for key in order if key in val_by_offsets]
    ordered_ids = {s.id for s in ordered_vals}
    ordered_vals += [s for s in doc.spans if s.label == "VAL" and s.id not in ordered_ids]

    tuples = []
    for value in ordered_vals:
        slot = chosen.get(value.id, {})
        if "indicator" not in slot:
            result.warnings.append(f"{where} [{doc.id}]: VAL span {value.id} {value.text!r} at "
                                   f"{value.start}-{value.end} has no 'indicator' relation; no tuple made")
            continue
        indicator = spans[slot["indicator"]]
        unit = spans.get(slot["unit"]) if "unit" in slot else None
        period = spans.get(slot["period"]) if "period" in slot else None
        item = by_offsets.get((value.start, value.end))
        fields = _stored_fields(item, value, unit, period)
        if fields is None:
            try:
                fields = _derive(doc, value, unit, indicator, period)
            except (ValueError, TypeError, KeyError) as err:
                raise FormatError(f"{where} [{doc.id}]: cannot recompute the fields of VAL span {value.id} "
                                  f"{value.text!r} at {value.start}-{value.end}: {err}") from None
            recomputed.update(TOOL_FIELDS)
        tuples.append(IndicatorTuple(
            value=value.id, indicator=indicator.id, unit=unit.id if unit else None,
            period=period.id if period else None, indicator_text=indicator.text,
            extra=dict(item.get("extra") or {}) if item else {}, **fields))
    return tuples


def _stored_fields(item: dict | None, value: Span, unit: Span | None, period: Span | None) -> dict | None:
    if not item or any(name not in item for name in TOOL_FIELDS):
        return None

    def same(stored: Any, span: Span | None) -> bool:
        return (stored is None and span is None) or (span is not None and stored == [span.start, span.end])

    if item.get("value_text") != value.text or not same(item.get("unit"), unit) or not same(item.get("period"), period):
        return None
    return {name: item[name] for name in TOOL_FIELDS}


def _derive(doc: Document, value: Span, unit: Span | None, indicator: Span, period: Span | None) -> dict:
    from govie.fields import derive_fields  # the normalizers; imported only when a field is missing

    f = derive_fields(doc, value, unit=unit, indicator=indicator, period=period)
    return {name: getattr(f, name) for name in TOOL_FIELDS}


def _infer_meta(text: str, where: str, result: ImportResult) -> Meta | None:
    """Metadata inferred from the text, or None (with a warning) when govie.metadata is not there."""
    try:
        from govie.metadata import infer_metadata
    except ImportError:
        result.warnings.append(f"{where}: no govie metadata stored and govie.metadata is unavailable; meta left empty")
        return None
    return infer_metadata(text).meta
