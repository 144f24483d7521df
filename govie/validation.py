"""Check annotated documents against the rules of GUIDELINES.md (§2-§5).

The checks are those of the shared ``annotation/validate.py`` (same problems, same count, so the two
agree on every file), with messages that also name the span's label, offsets and text.
:func:`validate_path` adds what a file can get wrong before it is a document: a line that is not
JSON, a document without text or id, a field of the wrong type. Each is one :class:`Problem` naming
the file and line; the other lines are still checked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from govie.document import APPROX, LABELS, MEASURES, STATUSES, Document, FormatError

_POINT = r"\d{4}(?:-H[12]|-Q[1-4]|-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?"
PERIOD_PATTERN = re.compile(rf"^{_POINT}(?:/{_POINT})?$")
MONTH_PATTERN = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one document: ``where`` is ``path`` or ``path:line`` (may be empty)."""

    document_id: str | None
    where: str
    message: str

    def __str__(self) -> str:
        prefix = f"{self.where} " if self.where else ""
        return f"{prefix}[{self.document_id}]: {self.message}"


def validate_document(doc: Document, *, where: str = "") -> list[Problem]:
    """All problems of one document (an empty list when it follows the guidelines)."""
    return [Problem(doc.id, where, message) for message in check_dict(doc.to_dict())]


def validate_path(path: str | Path, *, skipped: list[str] | None = None) -> list[Problem]:
    """Problems of every document in a ``.json`` file, a ``.jsonl`` corpus or a folder of them.

    A line that is not JSON, or a document whose structure cannot be checked, is one problem with
    its line number; checking goes on with the next line. With ``skipped``, a folder's JSON files
    that are no documents are named there instead (see :func:`iter_documents`).
    """
    problems: list[Problem] = []
    records = iter_records(path) if skipped is None else iter_documents(path, skipped)
    for where, data, error in records:
        if error is not None:
            problems.append(Problem(None, where, error))
            continue
        doc_id = data.get("id") if isinstance(data, dict) else None
        try:
            messages = check_dict(data)
        except FormatError as err:
            messages = [str(err)]
        problems.extend(Problem(doc_id, where, m) for m in messages)
    return problems


def iter_records(path: str | Path) -> Iterator[tuple[str, Any, str | None]]:
    """Yield ``(where, parsed_json, error)`` for each document of a file or folder, never raising.

    ``error`` is a message (and ``parsed_json`` None) for an unreadable file or a line that is not JSON.
    """
    path = Path(path)
    if path.is_dir():
        files = _record_files(path)
        if not files:
            yield str(path), None, "no .json or .jsonl files in this folder"
        for file in files:
            yield from iter_records(file)
        return
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        yield str(path), None, "no such file"
        return
    except UnicodeDecodeError as err:
        yield str(path), None, f"not UTF-8 ({err.reason} at byte {err.start})"
        return
    except OSError as err:
        yield str(path), None, f"cannot read ({err.strerror})"
        return
    if path.suffix == ".jsonl":
        for number, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                yield f"{path}:{number}", json.loads(line), None
            except json.JSONDecodeError as err:
                yield f"{path}:{number}", None, f"bad JSON ({err.msg} at column {err.colno})"
        return
    try:
        yield str(path), json.loads(raw), None
    except json.JSONDecodeError as err:
        yield f"{path}:{err.lineno}", None, f"bad JSON ({err.msg} at column {err.colno})"


def is_document(data: Any) -> bool:
    """Whether parsed JSON is meant as a §5 document (an object with ``text`` or ``spans``), so
    that a broken document is told from the other JSON a corpus folder holds (``splits.json``)."""
    return isinstance(data, dict) and ("text" in data or "spans" in data)


def iter_documents(path: str | Path, skipped: list[str]) -> Iterator[tuple[str, Any, str | None]]:
    """:func:`iter_records`, except that a folder scan skips the JSON that is no document and
    appends one line per such file to ``skipped``; a file given by name is read as a document."""
    path = Path(path)
    if not path.is_dir():
        yield from iter_records(path)
        return
    files = _record_files(path)
    if not files:
        yield str(path), None, "no .json or .jsonl files in this folder"
    for file in files:
        others = []
        for where, data, error in iter_records(file):
            if error is None and not is_document(data):
                others.append(where)
            else:
                yield where, data, error
        if others:
            what = "no §5 document" if others == [str(file)] else \
                f"{len(others)} line(s) are no §5 documents (first: {others[0]})"
            skipped.append(f"{file}: {what} (no 'text'); skipped")


def _record_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".json", ".jsonl") and p.is_file())


def check_dict(doc: Any) -> list[str]:
    """Problem messages for one parsed §5 document (the rules of the shared validate.py).

    Raises :class:`FormatError` only when the structure is too broken to check at all (a document,
    span or tuple that is not an object, a list field that is not a list, an unhashable span id).
    """
    if not isinstance(doc, dict):
        raise FormatError(f"expected a JSON object, got {type(doc).__name__}")
    problems: list[str] = []
    say = problems.append
    text = doc.get("text")
    if not isinstance(text, str):
        return ["no text"]
    if not text.strip():  # the prediction for an empty input: valid with nothing annotated in it (§5)
        return [] if not doc.get("spans") and not doc.get("tuples") else ["spans or tuples in an empty text"]
    meta = doc.get("meta") or {}
    if not isinstance(meta, dict):
        raise FormatError("'meta' must be an object")
    for key in ("town", "default_period", "reference_month"):
        # a prediction may give the town as an explicit null when its text does not name its unit (§5)
        if not meta.get(key) and not (key == "town" and key in meta and meta[key] is None):
            say(f"meta.{key} missing")
    if meta.get("default_period") and not PERIOD_PATTERN.match(str(meta["default_period"])):
        say(f"meta.default_period {meta['default_period']!r} is not a period (§4)")
    if meta.get("reference_month") and not MONTH_PATTERN.match(str(meta["reference_month"])):
        say(f"meta.reference_month {meta['reference_month']!r} is not YYYY-MM")

    spans: dict[Any, dict] = {}
    for index, s in enumerate(_objects(doc, "spans")):
        sid = s.get("id")
        try:
            repeated = sid in spans
        except TypeError:
            raise FormatError(f"span #{index}: id {sid!r} is not a number") from None
        if repeated:
            say(f"span id {sid} repeated")
        spans[sid] = s
        if s.get("label") not in LABELS:
            say(f"span {sid}: unknown label {s.get('label')!r} (expected one of {', '.join(LABELS)})")
        start, end = s.get("start"), s.get("end")
        if not (_is_int(start) and _is_int(end) and 0 <= start < end <= len(text)):
            say(f"span {sid}: bad offsets {start}-{end} (need 0 <= start < end <= {len(text)}, the text length)")
            continue
        if text[start:end] != s.get("text"):
            say(f"span {sid} ({s.get('label')} {start}-{end}): text {s.get('text')!r} "
                f"but offsets hold {text[start:end]!r}")
        if text[start:end] != text[start:end].strip():
            say(f"span {sid} ({s.get('label')} {start}-{end}): leading or trailing white space")
    ordered = sorted((s for s in spans.values() if _is_int(s.get("start"))), key=lambda s: s["start"])
    for a, b in zip(ordered, ordered[1:]):
        if _is_int(a.get("end")) and b["start"] < a["end"]:
            say(f"spans {a['id']} ({a.get('label')} {a['start']}-{a.get('end')}) and "
                f"{b['id']} ({b.get('label')} {b['start']}-{b.get('end')}) overlap")

    used: dict[Any, int] = {}
    for t in _objects(doc, "tuples"):
        problems.extend(_check_tuple(t, spans, meta))
        value = t.get("value")
        try:
            used[value] = used.get(value, 0) + 1
        except TypeError:
            raise FormatError(f"tuple value {value!r} is not a span id") from None
    for sid, s in spans.items():
        if s.get("label") == "VAL" and used.get(sid, 0) != 1:
            where = f"{s.get('start')}-{s.get('end')}"
            say(f"VAL span {sid} {s.get('text')!r} at {where} is in {used.get(sid, 0)} tuples, not 1")
    return problems


def _check_tuple(t: dict, spans: dict[Any, dict], meta: dict) -> list[str]:
    problems: list[str] = []
    head = f"tuple of value {t.get('value')}"
    say = problems.append

    def ref(field: str, label: str, nullable: bool) -> dict | None:
        sid = t.get(field)
        if sid is None:
            if not nullable:
                say(f"{head}: {field} missing")
            return None
        try:
            s = spans.get(sid)
        except TypeError:
            s = None
        if s is None:
            say(f"{head}: {field} {sid!r} is no span")
        elif s.get("label") != label:
            say(f"{head}: {field} {sid} is {s.get('label')}, not {label}")
        return s

    ref("value", "VAL", False)
    ref("unit", "UNIT", True)
    ind = ref("indicator", "IND", False)
    ref("period", "PER", True)
    if ind and t.get("indicator_text") != ind.get("text"):
        say(f"{head}: indicator_text {t.get('indicator_text')!r} differs from its span {ind.get('text')!r}")
    value_norm = t.get("value_norm")
    if not isinstance(value_norm, (int, float)) or isinstance(value_norm, bool):
        say(f"{head}: value_norm {value_norm!r} is not a number")
    if not PERIOD_PATTERN.match(str(t.get("period_norm"))):
        say(f"{head}: period_norm {t.get('period_norm')!r} is not a period (§4)")
    if not t.get("town") and not ("town" in t and t["town"] is None and meta.get("town") is None):
        say(f"{head}: town missing")
    for field, allowed in (("measure", MEASURES), ("status", STATUSES), ("approx", APPROX)):
        if t.get(field) not in allowed:
            say(f"{head}: {field} {t.get(field)!r} is not one of {', '.join(map(str, allowed))}")
    if t.get("unit") is not None and not t.get("unit_norm"):
        say(f"{head}: unit_norm missing")
    return problems


def _objects(doc: dict, key: str) -> list[dict]:
    items = doc.get(key, [])
    if not isinstance(items, list):
        raise FormatError(f"'{key}' must be a list, got {type(items).__name__}")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise FormatError(f"{key} #{index}: expected an object, got {type(item).__name__}")
    return items


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
