"""The annotation format of GUIDELINES.md §5 as typed dataclasses, with exact JSON round trips.

A gold file written back by :func:`dumps_document` is byte-identical to the file read
(``json.dumps(..., ensure_ascii=False, indent=1)``), and keys this module does not know are kept
in ``extra`` so that nothing a user or a newer format version wrote is lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

LABELS: tuple[str, ...] = ("IND", "VAL", "UNIT", "PER", "TOWN")
MEASURES: tuple[str, ...] = ("level", "change")
STATUSES: tuple[str, ...] = ("actual", "target", "forecast")
APPROX: tuple[str | None, ...] = (None, "approx", "more_than", "less_than")

_SPAN_KEYS = ("id", "label", "start", "end", "text")
_TUPLE_KEYS = (
    "value", "unit", "indicator", "period", "indicator_text", "value_norm",
    "unit_norm", "period_norm", "town", "measure", "status", "approx",
)
_META_KEYS = ("town", "published", "default_period", "reference_month")
_DOC_KEYS = ("id", "source", "meta", "text", "spans", "tuples")


class FormatError(ValueError):
    """A file or object does not follow the §5 format; the message names where and what."""


@dataclass
class Span:
    """A labelled character range ``[start, end)`` of the document text."""

    id: int
    label: str
    start: int
    end: int
    text: str
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "start": self.start, "end": self.end,
                "text": self.text, **self.extra}


@dataclass
class IndicatorTuple:
    """One (indicator, value, unit, period, town) tuple; span fields hold span ids."""

    value: int
    indicator: int
    value_norm: int | float
    period_norm: str
    town: str | None
    unit: int | None = None
    period: int | None = None
    indicator_text: str = ""
    unit_norm: str | None = None
    measure: str = "level"
    status: str = "actual"
    approx: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = {key: getattr(self, key) for key in _TUPLE_KEYS}
        out.update(self.extra)
        return out


@dataclass
class Meta:
    """Report metadata (§1)."""

    town: str | None = None
    published: str | None = None
    default_period: str | None = None
    reference_month: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = {key: getattr(self, key) for key in _META_KEYS}
        out.update(self.extra)
        return out


@dataclass
class Document:
    """One annotated (or predicted) report."""

    id: str
    text: str
    meta: Meta = field(default_factory=Meta)
    spans: list[Span] = field(default_factory=list)
    tuples: list[IndicatorTuple] = field(default_factory=list)
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def span_by_id(self) -> dict[int, Span]:
        return {span.id: span for span in self.spans}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "source": self.source}
        out["meta"] = self.meta.to_dict()
        out["text"] = self.text
        out["spans"] = [span.to_dict() for span in self.spans]
        out["tuples"] = [t.to_dict() for t in self.tuples]
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "<document>") -> "Document":
        """Build a document from parsed JSON; structural problems raise :class:`FormatError`.

        Only the shape is checked here (types a dataclass needs); the rules of the guidelines
        (offsets, overlaps, allowed values) are checked by :mod:`govie.validation`.
        """
        if not isinstance(data, dict):
            raise FormatError(f"{where}: expected a JSON object, got {type(data).__name__}")
        text = data.get("text")
        if not isinstance(text, str):
            raise FormatError(f"{where}: 'text' must be a string")
        doc_id = data.get("id")
        if doc_id is None:
            raise FormatError(f"{where}: 'id' missing")
        meta_data = data.get("meta") or {}
        if not isinstance(meta_data, dict):
            raise FormatError(f"{where} [{doc_id}]: 'meta' must be an object")
        meta = Meta(**{k: meta_data.get(k) for k in _META_KEYS},
                    extra={k: v for k, v in meta_data.items() if k not in _META_KEYS})
        spans = [_span_from_dict(s, f"{where} [{doc_id}] span #{i}")
                 for i, s in enumerate(_list(data, "spans", where, doc_id))]
        tuples = [_tuple_from_dict(t, f"{where} [{doc_id}] tuple #{i}")
                  for i, t in enumerate(_list(data, "tuples", where, doc_id))]
        extra = {k: v for k, v in data.items() if k not in _DOC_KEYS}
        return cls(id=str(doc_id) if not isinstance(doc_id, str) else doc_id, text=text, meta=meta,
                   spans=spans, tuples=tuples, source=data.get("source"), extra=extra)


def _list(data: dict, key: str, where: str, doc_id: Any) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise FormatError(f"{where} [{doc_id}]: '{key}' must be a list")
    return value


def _span_from_dict(data: Any, where: str) -> Span:
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected an object")
    for key in _SPAN_KEYS:
        if key not in data:
            raise FormatError(f"{where}: '{key}' missing")
    for key in ("start", "end"):
        if not isinstance(data[key], int) or isinstance(data[key], bool):
            raise FormatError(f"{where}: '{key}' must be an integer, got {data[key]!r}")
    return Span(id=data["id"], label=data["label"], start=data["start"], end=data["end"],
                text=data["text"], extra={k: v for k, v in data.items() if k not in _SPAN_KEYS})


def _tuple_from_dict(data: Any, where: str) -> IndicatorTuple:
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected an object")
    for key in ("value", "indicator", "value_norm", "period_norm", "town"):
        if key not in data:
            raise FormatError(f"{where}: '{key}' missing")
    return IndicatorTuple(**{k: data.get(k) for k in _TUPLE_KEYS if k in data},
                          extra={k: v for k, v in data.items() if k not in _TUPLE_KEYS})


def dumps_document(doc: Document, *, indent: int | None = 1) -> str:
    """Serialize like the gold files (``indent=1``); ``indent=None`` gives one JSONL line."""
    return json.dumps(doc.to_dict(), ensure_ascii=False, indent=indent)


def read_documents(path: str | Path) -> Iterator[Document]:
    """Yield documents from a ``.json`` file, a ``.jsonl`` corpus, or a folder of either.

    Errors name the file and, for JSONL, the line number.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl"))
        if not files:
            raise FormatError(f"{path}: no .json or .jsonl files in this folder")
        for file in files:
            yield from read_documents(file)
        return
    if not path.exists():
        raise FormatError(f"{path}: no such file")
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise FormatError(f"{path}: not UTF-8 ({err.reason} at byte {err.start})") from None
    if path.suffix == ".jsonl":
        for number, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as err:
                raise FormatError(f"{where}: bad JSON ({err.msg} at column {err.colno})") from None
            yield Document.from_dict(data, where=where)
    else:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as err:
            raise FormatError(f"{path}:{err.lineno}: bad JSON ({err.msg} at column {err.colno})") from None
        yield Document.from_dict(data, where=str(path))


def write_jsonl(documents: list[Document] | Iterator[Document], path: str | Path) -> int:
    """Write documents one per line; returns how many were written."""
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for doc in documents:
            f.write(dumps_document(doc, indent=None) + "\n")
            count += 1
    return count


def write_json(doc: Document, path: str | Path) -> None:
    Path(path).write_text(dumps_document(doc), encoding="utf-8")
