"""Label Studio JSON task export (labels + relations) to and from govie documents.

A file is a JSON list of tasks: ``data.text`` (plus ``data.govie``, the fields Label Studio cannot
hold, see :func:`govie.corpus.govie_record`; Label Studio keeps unknown ``data`` keys) and
``annotations[0].result`` with ``labels`` results (``value.start/end/text/labels``) and
``relation`` results (``from_id``/``to_id``/``labels``: ``indicator``/``unit``/``period``, from the VAL).
Result ids are ``s<span id>``; ids Label Studio generates itself are renumbered in text order.

A matching labeling config::

    <View><Relations><Relation value="indicator"/><Relation value="unit"/><Relation value="period"/></Relations>
    <Labels name="label" toName="text"><Label value="IND"/><Label value="VAL"/><Label value="UNIT"/>
    <Label value="PER"/><Label value="TOWN"/></Labels><Text name="text" value="$text"/></View>
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from govie.corpus import ImportResult, document_from_tool, govie_record
from govie.document import Document, FormatError, Span

METADATA_KEY = "govie"
FROM_NAME, TO_NAME = "label", "text"


def to_label_studio(doc: Document, *, task_id: int | None = None) -> dict[str, Any]:
    """One Label Studio task for a document."""
    result: list[dict[str, Any]] = []
    for s in doc.spans:
        value = {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]}
        result.append({"id": f"s{s.id}", "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
                       "value": value, **({"meta": {"govie_extra": s.extra}} if s.extra else {})})
    for t in doc.tuples:
        for kind, target in (("indicator", t.indicator), ("unit", t.unit), ("period", t.period)):
            if target is not None:
                result.append({"from_id": f"s{t.value}", "to_id": f"s{target}", "type": "relation",
                               "direction": "right", "labels": [kind]})
    task: dict[str, Any] = {"data": {"text": doc.text, METADATA_KEY: govie_record(doc)},
                            "annotations": [{"result": result}]}
    if task_id is not None:
        task["id"] = task_id
    return task


def write_label_studio(documents: Iterable[Document], path: str | Path) -> int:
    """Write a Label Studio JSON task file; returns the number of documents."""
    tasks = [to_label_studio(doc, task_id=i + 1) for i, doc in enumerate(documents)]
    Path(path).write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(tasks)


def from_label_studio(tasks: Any, *, where: str = "<label studio>") -> ImportResult:
    """Documents from a parsed task list (or one task); the first annotation of each task is used."""
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise FormatError(f"{where}: expected a JSON list of tasks, got {type(tasks).__name__}")
    result = ImportResult(documents=[])
    for index, task in enumerate(tasks):
        here = f"{where} task #{index}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise FormatError(f"{here}: expected an object with 'data'")
        text = task["data"].get("text")
        if not isinstance(text, str):
            raise FormatError(f"{here}: 'data.text' must be a string")
        annotations = task.get("annotations") or task.get("completions") or []
        if not isinstance(annotations, list) or (annotations and not isinstance(annotations[0], dict)):
            raise FormatError(f"{here}: 'annotations' must be a list of objects")
        if len(annotations) > 1:
            result.warnings.append(f"{here}: {len(annotations)} annotations; used the first")
        results = annotations[0].get("result", []) if annotations else []
        if not isinstance(results, list):
            raise FormatError(f"{here}: 'annotations[0].result' must be a list")
        spans, links = _spans_and_links(results, text, here)
        document_from_tool(doc_id=str(task.get("id", f"label-studio-{index}")), text=text, spans=spans,
                           links=links, record=task["data"].get(METADATA_KEY), where=here, result=result)
    return result


def read_label_studio(path: str | Path) -> ImportResult:
    """Read a Label Studio JSON export; errors name the file (and line for bad JSON)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise FormatError(f"{path}: cannot read ({err})") from None
    except json.JSONDecodeError as err:
        raise FormatError(f"{path}:{err.lineno}: bad JSON ({err.msg} at column {err.colno})") from None
    return from_label_studio(data, where=str(path))


def _spans_and_links(results: list, text: str, where: str) -> tuple[list[Span], list[tuple[int, int, str]]]:
    labelled, relations = [], []
    for i, r in enumerate(results):
        if not isinstance(r, dict):
            raise FormatError(f"{where} result #{i}: expected an object")
        if r.get("type") == "relation":
            labels = r.get("labels") or []
            if "from_id" not in r or "to_id" not in r or len(labels) != 1:
                raise FormatError(f"{where} result #{i}: a relation needs from_id, to_id and one label")
            relations.append((_key(r["from_id"]), _key(r["to_id"]), str(labels[0])))
        elif r.get("type") == "labels":
            value = r.get("value") or {}
            start, end, labels = value.get("start"), value.get("end"), value.get("labels") or []
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
                raise FormatError(f"{where} result #{i}: bad offsets {start}-{end} for a text of {len(text)} characters")
            if len(labels) != 1:
                raise FormatError(f"{where} result #{i}: expected one label, got {labels!r}")
            labelled.append((_key(r.get("id")), str(labels[0]), start, end, (r.get("meta") or {}).get("govie_extra") or {}))
    ids = [rid for rid, *_ in labelled]
    own = all(isinstance(rid, str) and rid[:1] == "s" and rid[1:].isdigit() for rid in ids) and len(set(ids)) == len(ids)
    if own:
        number = {rid: int(rid[1:]) for rid in ids}
    else:  # ids made by Label Studio: renumber in text order
        order = sorted(range(len(labelled)), key=lambda k: (labelled[k][2], labelled[k][3]))
        number = {labelled[k][0]: n for n, k in enumerate(order)}
    spans = [Span(id=number[rid], label=label, start=start, end=end, text=text[start:end], extra=dict(extra))
             for rid, label, start, end, extra in labelled]
    if not own:
        spans.sort(key=lambda s: s.id)
    links = [(number.get(a, -1), number.get(b, -1), kind) for a, b, kind in relations]
    return spans, links


def _key(result_id: Any) -> str | int:
    """Result ids as hashable keys (a malformed id such as a list still gets one)."""
    return result_id if isinstance(result_id, (str, int)) else repr(result_id)
