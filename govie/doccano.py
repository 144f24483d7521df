"""doccano JSONL (sequence labelling with relations) to and from govie documents.

One line per document: ``text``, ``entities`` (``id``, ``label``, ``start_offset``, ``end_offset``),
``relations`` (``id``, ``from_id``, ``to_id``, ``type``: ``indicator``/``unit``/``period``, from the
VAL to the other span) and a ``govie`` key with what doccano cannot hold (document id, source,
metadata, normalized tuple fields; see :func:`govie.corpus.govie_record`). doccano keeps unknown keys
of an imported line as metadata and writes them back on export, so a round trip is exact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from govie.corpus import ImportResult, document_from_tool, govie_record
from govie.document import Document, FormatError, Span

METADATA_KEY = "govie"
_ENTITY_KEYS = ("id", "label", "start_offset", "end_offset")


def to_doccano(doc: Document) -> dict[str, Any]:
    """One doccano JSONL record for a document."""
    entities = [{"id": s.id, "label": s.label, "start_offset": s.start, "end_offset": s.end, **s.extra}
                for s in doc.spans]
    relations = []
    for t in doc.tuples:
        for kind, target in (("indicator", t.indicator), ("unit", t.unit), ("period", t.period)):
            if target is not None:
                relations.append({"id": len(relations), "from_id": t.value, "to_id": target, "type": kind})
    return {"id": doc.id, "text": doc.text, "entities": entities, "relations": relations,
            METADATA_KEY: govie_record(doc)}


def write_doccano(documents: Iterable[Document], path: str | Path) -> int:
    """Write a doccano JSONL file; returns the number of documents."""
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for doc in documents:
            f.write(json.dumps(to_doccano(doc), ensure_ascii=False) + "\n")
            count += 1
    return count


def from_doccano(records: Iterable[tuple[str, Any]]) -> ImportResult:
    """Documents from ``(where, record)`` pairs; structural errors raise :class:`FormatError` naming ``where``."""
    result = ImportResult(documents=[])
    for index, (where, record) in enumerate(records):
        if not isinstance(record, dict):
            raise FormatError(f"{where}: expected a JSON object, got {type(record).__name__}")
        text = record.get("text")
        if not isinstance(text, str):
            raise FormatError(f"{where}: 'text' must be a string")
        spans = [_entity(e, text, f"{where} entity #{i}", i) for i, e in enumerate(_list(record, "entities", where))]
        links = [_relation(r, f"{where} relation #{i}") for i, r in enumerate(_list(record, "relations", where))]
        document_from_tool(doc_id=str(record.get("id", f"doccano-{index}")), text=text, spans=spans, links=links,
                           record=record.get(METADATA_KEY), where=where, result=result)
    return result


def read_doccano(path: str | Path) -> ImportResult:
    """Read a doccano JSONL export; errors name the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise FormatError(f"{path}: cannot read ({err})") from None

    def records():
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield f"{path}:{number}", json.loads(line)
                except json.JSONDecodeError as err:
                    raise FormatError(f"{path}:{number}: bad JSON ({err.msg} at column {err.colno})") from None

    return from_doccano(records())


def _list(record: dict, key: str, where: str) -> list:
    value = record.get(key, [])
    if not isinstance(value, list):
        raise FormatError(f"{where}: '{key}' must be a list")
    return value


def _entity(data: Any, text: str, where: str, index: int) -> Span:
    if isinstance(data, list) and len(data) == 3:  # the older doccano form [start, end, label]
        data = {"id": index, "start_offset": data[0], "end_offset": data[1], "label": data[2]}
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected an object")
    start, end = data.get("start_offset"), data.get("end_offset")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise FormatError(f"{where}: bad offsets {start}-{end} for a text of {len(text)} characters")
    if not isinstance(data.get("id"), int):
        raise FormatError(f"{where}: 'id' must be an integer, got {data.get('id')!r}")
    return Span(id=data["id"], label=str(data.get("label")), start=start, end=end, text=text[start:end],
                extra={k: v for k, v in data.items() if k not in _ENTITY_KEYS})


def _relation(data: Any, where: str) -> tuple[int, int, str]:
    if not isinstance(data, dict) or not all(k in data for k in ("from_id", "to_id", "type")):
        raise FormatError(f"{where}: expected an object with from_id, to_id and type")
    return data["from_id"], data["to_id"], str(data["type"])
