"""Annotated documents as a ``datasets.DatasetDict`` of character windows, for the tagger and the linker.

Each row is one window of one document, planned by :func:`govie.windows.plan_windows` with the gold
spans protected, so a window edge never cuts a span and every label of the corpus is in some row
whole. Columns:

- ``doc_id``, ``window_start``, ``window_end``: where the window lies in its document;
- ``chars``: the window's characters; ``ner_tags``: their IOB2 tags (``ClassLabel`` of
  :data:`govie.labels.BIO_TAGS`);
- ``relations``: the tuple links inside the window, ``{value_start, value_end, target_start,
  target_end, type}`` with offsets relative to the window and ``type`` one of ``indicator``, ``unit``,
  ``period``. A link whose two spans do not both lie in the window is left out of that row (the
  linker itself works on whole documents; these rows are for training a windowed relation head).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from govie.corpus import RELATION_TYPES, load_corpus, load_split
from govie.document import Document
from govie.labels import BIO_TAGS, TAG_TO_ID, spans_to_bio
from govie.windows import plan_windows

if TYPE_CHECKING:  # pragma: no cover
    import datasets

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = 256
DEFAULT_STRIDE = 192
_COLUMNS = ("doc_id", "window_start", "window_end", "chars", "ner_tags", "relations")


def features() -> "datasets.Features":
    """The column types of :func:`to_dataset_dict` rows."""
    from datasets import ClassLabel, Features, List, Value

    relation = {"value_start": Value("int32"), "value_end": Value("int32"), "target_start": Value("int32"),
                "target_end": Value("int32"), "type": Value("string")}
    return Features({"doc_id": Value("string"), "window_start": Value("int32"), "window_end": Value("int32"),
                     "chars": List(Value("string")), "ner_tags": List(ClassLabel(names=list(BIO_TAGS))),
                     "relations": List(relation)})


def document_rows(doc: Document, *, window: int = DEFAULT_WINDOW, stride: int = DEFAULT_STRIDE) -> list[dict[str, Any]]:
    """The rows of one document (plain dicts with tag ids), in window order."""
    tags = [TAG_TO_ID[tag] for tag in spans_to_bio(len(doc.text), doc.spans)]
    spans = doc.span_by_id()
    links = []
    for t in doc.tuples:
        for kind, target in zip(RELATION_TYPES, (t.indicator, t.unit, t.period)):
            if target is not None and t.value in spans and target in spans:
                links.append((spans[t.value], spans[target], kind))
    too_long = [s for s in doc.spans if s.end - s.start > window]
    if too_long:
        logger.warning("%s: %d span(s) longer than the window (%d characters) will be cut", doc.id, len(too_long), window)
    rows = []
    for w in plan_windows(len(doc.text), size=window, stride=stride,
                          protected=[(s.start, s.end) for s in doc.spans]):
        relations = [{"value_start": v.start - w.start, "value_end": v.end - w.start,
                      "target_start": o.start - w.start, "target_end": o.end - w.start, "type": kind}
                     for v, o, kind in links
                     if w.start <= min(v.start, o.start) and max(v.end, o.end) <= w.end]
        rows.append({"doc_id": doc.id, "window_start": w.start, "window_end": w.end,
                     "chars": list(doc.text[w.start:w.end]), "ner_tags": tags[w.start:w.end], "relations": relations})
    return rows


def to_dataset(docs: Sequence[Document], *, window: int = DEFAULT_WINDOW,
               stride: int = DEFAULT_STRIDE) -> "datasets.Dataset":
    """One split: the windows of ``docs``."""
    from datasets import Dataset

    columns: dict[str, list] = {name: [] for name in _COLUMNS}
    for doc in docs:
        for row in document_rows(doc, window=window, stride=stride):
            for name in _COLUMNS:
                columns[name].append(row[name])
    return Dataset.from_dict(columns, features=features())


def to_dataset_dict(train_docs: Sequence[Document], dev_docs: Sequence[Document],
                    test_docs: Sequence[Document] = (), *, window: int = DEFAULT_WINDOW,
                    stride: int = DEFAULT_STRIDE) -> "datasets.DatasetDict":
    """``DatasetDict(train=..., dev=...[, test=...])`` of character windows (see the module docstring);
    ``test`` is there when test documents are given."""
    from datasets import DatasetDict

    parts = {"train": train_docs, "dev": dev_docs, "test": test_docs}
    seen: dict[str, str] = {}
    for name, docs in parts.items():
        for doc in docs:
            if doc.id in seen:
                raise ValueError(f"document {doc.id!r} is in both {seen[doc.id]} and {name}")
            seen[doc.id] = name
    return DatasetDict({name: to_dataset(docs, window=window, stride=stride)
                        for name, docs in parts.items() if name != "test" or docs})


def load_dataset_dict(path_or_root: str | Path = "corpora", *, dev: str | Path | None = None,
                      window: int = DEFAULT_WINDOW, stride: int = DEFAULT_STRIDE) -> "datasets.DatasetDict":
    """A DatasetDict from a corpus root with ``splits.json`` (its train/dev/test split), or from a folder
    or ``.json``/``.jsonl`` path of training documents plus an optional ``dev`` path (else dev is empty).
    The test split is for scoring only: train and choose on the others."""
    root = Path(path_or_root)
    if root.is_dir() and (root / "splits.json").exists():
        splits = load_split(root)
        return to_dataset_dict(splits["train"], splits["dev"], splits.get("test", []), window=window, stride=stride)
    train_docs = load_corpus(root)
    dev_docs = load_corpus(dev) if dev is not None else []
    return to_dataset_dict(train_docs, dev_docs, window=window, stride=stride)


def decode_row(row: dict[str, Any]) -> list[tuple[str, int, int]]:
    """``(label, start, end)`` in document offsets for the tags of one row (tag ids or names)."""
    from govie.labels import bio_to_spans

    tags = [BIO_TAGS[t] if isinstance(t, int) else t for t in row["ner_tags"]]
    return [(r.label, r.start + row["window_start"], r.end + row["window_start"]) for r in bio_to_spans(tags)]
