"""Round trips of the gold corpus through JSONL, doccano, Label Studio and CoNLL, and their import errors."""

from __future__ import annotations

import copy
import importlib.util
import json

import pytest

from conftest import GOLD_COUNTS, GOLD_DIR
from govie import corpus as corpus_module
from govie.conll import escape_char, read_conll, unescape_token, write_conll
from govie.doccano import read_doccano, to_doccano, write_doccano
from govie.document import FormatError, dumps_document, read_documents, write_jsonl
from govie.label_studio import read_label_studio, to_label_studio, write_label_studio
from govie.validation import validate_document

HAS_FIELDS = importlib.util.find_spec("govie.fields") is not None


def gold_bytes() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(GOLD_DIR.glob("*.json"))}


def test_jsonl_round_trip_is_byte_exact(gold_documents, tmp_path):
    write_jsonl(gold_documents, tmp_path / "all.jsonl")
    back = list(read_documents(tmp_path / "all.jsonl"))
    expected = gold_bytes()
    assert len(back) == len(expected) == GOLD_COUNTS["documents"]
    for doc in back:
        assert dumps_document(doc) == expected[doc.id]


@pytest.mark.parametrize("writer,reader,name", [
    (write_doccano, read_doccano, "export.jsonl"),
    (write_label_studio, read_label_studio, "export.json"),
], ids=["doccano", "label-studio"])
def test_tool_round_trip_is_byte_exact(gold_documents, tmp_path, writer, reader, name):
    assert writer(gold_documents, tmp_path / name) == GOLD_COUNTS["documents"]
    result = reader(tmp_path / name)
    assert result.recomputed == {} and result.warnings == []
    expected = gold_bytes()
    assert [dumps_document(d) for d in result.documents] == [expected[d.id] for d in gold_documents]


def test_doccano_record_shape(gold_documents):
    doc = gold_documents[0]
    record = to_doccano(doc)
    assert set(record) >= {"text", "entities", "relations"}
    assert {e["label"] for e in record["entities"]} <= {"IND", "VAL", "UNIT", "PER", "TOWN"}
    assert {r["type"] for r in record["relations"]} == {"indicator", "unit", "period"}
    vals = {s.id for s in doc.spans if s.label == "VAL"}
    assert all(r["from_id"] in vals for r in record["relations"])
    assert len([r for r in record["relations"] if r["type"] == "indicator"]) == len(doc.tuples)


def test_label_studio_ids_made_by_the_tool_are_renumbered(gold_documents):
    """Label Studio's own result ids (random strings) are mapped back to span ids in text order."""
    doc = gold_documents[0]
    task = to_label_studio(doc)
    for r in task["annotations"][0]["result"]:
        for key in ("id", "from_id", "to_id"):
            if key in r:
                r[key] = "ls-" + r[key][1:][::-1] + "x"
    from govie.label_studio import from_label_studio

    back = from_label_studio([task]).documents[0]
    assert [(s.start, s.end, s.label) for s in back.spans] == sorted((s.start, s.end, s.label) for s in doc.spans)
    assert [s.id for s in back.spans] == list(range(len(doc.spans)))
    assert validate_document(back) == []
    assert [t.value_norm for t in back.tuples] == [t.value_norm for t in doc.tuples]


def test_conll_round_trip_keeps_text_and_spans(gold_documents, tmp_path):
    write_conll(gold_documents, tmp_path / "gold.conll")
    lines = (tmp_path / "gold.conll").read_text(encoding="utf-8").split("\n")
    assert lines[0] == f"-DOCSTART- {gold_documents[0].id}"
    assert all(line == "" or line.startswith("-DOCSTART-") or len(line.split("\t")) == 2 for line in lines)
    back = read_conll(tmp_path / "gold.conll").documents
    assert [d.id for d in back] == [d.id for d in gold_documents]
    for doc, new in zip(gold_documents, back):
        assert new.text == doc.text
        assert [(s.label, s.start, s.end, s.text) for s in new.spans] == [(s.label, s.start, s.end, s.text) for s in doc.spans]
        assert new.tuples == []


@pytest.mark.parametrize("char", [" ", "\n", "\t", "\r", "\\", "\u3000", "\xa0", "\u2002", "\x00", "\U000e0001", "a", "亿", "s", "n", "\U00020000"])
def test_conll_escapes_are_one_token_and_reversible(char):
    token = escape_char(char)
    assert token and not any(c.isspace() for c in token)
    assert unescape_token(token) == char


@pytest.mark.parametrize("content,message", [
    ("a\tO\n", "before the first -DOCSTART-"),
    ("-DOCSTART- x\na O\n", "expected 'char<TAB>TAG'"),
    ("-DOCSTART- x\na\tB-NUM\n", "unknown tag 'B-NUM'"),
    ("-DOCSTART- x\nab\tO\n", "expected one character"),
])
def test_conll_errors_name_the_line(tmp_path, content, message):
    path = tmp_path / "bad.conll"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message) as info:
        read_conll(path)
    assert f"{path}:" in str(info.value)


def test_doccano_errors_name_the_line(tmp_path, gold_documents):
    good = json.dumps(to_doccano(gold_documents[0]), ensure_ascii=False)
    path = tmp_path / "bad.jsonl"
    path.write_text(good + "\n{not json\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad\.jsonl:2: bad JSON"):
        read_doccano(path)
    record = to_doccano(gold_documents[0])
    record["entities"][3]["end_offset"] = 10**6
    path.write_text(good + "\n" + json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad\.jsonl:2 entity #3: bad offsets"):
        read_doccano(path)


def test_label_studio_errors(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"data": {"text": 3}}', encoding="utf-8")
    with pytest.raises(FormatError, match="task #0: 'data.text' must be a string"):
        read_label_studio(path)
    path.write_text('[{"data": {"text": "abc"}, "annotations": [{"result": [{"type": "labels", '
                    '"id": "a", "value": {"start": 2, "end": 9, "labels": ["VAL"]}}]}]}]', encoding="utf-8")
    with pytest.raises(FormatError, match="result #0: bad offsets 2-9"):
        read_label_studio(path)


def test_links_that_break_the_scheme_are_warned_and_skipped(gold_documents):
    doc = gold_documents[0]
    record = to_doccano(doc)
    first = record["relations"][0]
    record["relations"].append({"id": 999, "from_id": first["from_id"], "to_id": 10**6, "type": "unit"})
    record["relations"].append({"id": 1000, "from_id": first["from_id"], "to_id": first["to_id"], "type": "cause"})
    record["relations"] = [r for r in record["relations"] if not (r["from_id"] == doc.tuples[-1].value and r["type"] == "indicator")]
    from govie.doccano import from_doccano

    result = from_doccano([("x.jsonl:1", record)])
    assert len(result.warnings) == 3
    assert any("names a missing span" in w for w in result.warnings)
    assert any("'cause'" in w for w in result.warnings)
    assert any("has no 'indicator' relation" in w for w in result.warnings)
    assert len(result.documents[0].tuples) == len(doc.tuples) - 1


def test_changed_links_are_recomputed_and_reported(gold_documents, monkeypatch):
    """Stored fields are reused only for unchanged tuples; others go to the normalizers (here recorded)."""
    calls = []

    def derive(doc, value, unit, indicator, period):
        calls.append(value.id)
        return {"value_norm": 1, "unit_norm": None, "period_norm": "2000", "town": "t", "measure": "level",
                "status": "actual", "approx": None}

    monkeypatch.setattr(corpus_module, "_derive", derive)
    doc = gold_documents[1]
    record = to_doccano(doc)
    with_unit = next(t for t in doc.tuples if t.unit is not None)
    record["relations"] = [r for r in record["relations"] if not (r["from_id"] == with_unit.value and r["type"] == "unit")]
    from govie.doccano import from_doccano

    result = from_doccano([("x", record)])
    assert calls == [with_unit.value]
    assert result.recomputed == {doc.id: sorted(corpus_module.TOOL_FIELDS)}
    back = result.documents[0]
    unchanged = [(a, b) for a, b in zip(doc.tuples, back.tuples) if a.value != with_unit.value]
    assert all(a.to_dict() == b.to_dict() for a, b in unchanged)


@pytest.mark.skipif(not HAS_FIELDS, reason="govie.fields (derive_fields, normalizers engineer) is not there yet")
def test_fields_recomputed_by_normalizers_when_the_tool_lost_them(gold_documents):
    doc = gold_documents[0]
    record = to_doccano(doc)
    for item in record["govie"]["tuples"]:
        for name in corpus_module.TOOL_FIELDS:
            del item[name]
    from govie.doccano import from_doccano

    result = from_doccano([("x", record)])
    back = result.documents[0]
    assert result.recomputed[doc.id] == sorted(corpus_module.TOOL_FIELDS)
    assert validate_document(back) == []
    agree = sum(a.value_norm == b.value_norm and a.unit_norm == b.unit_norm for a, b in zip(doc.tuples, back.tuples))
    assert agree >= 0.9 * len(doc.tuples)


def test_without_govie_record_meta_is_marked(gold_documents):
    doc = copy.deepcopy(gold_documents[0])
    record = to_doccano(doc)
    del record["govie"]
    record["relations"] = []
    from govie.doccano import from_doccano

    result = from_doccano([("x", record)])
    if importlib.util.find_spec("govie.metadata") is None:
        assert result.recomputed == {} and "govie.metadata is unavailable" in result.warnings[0]
    else:
        assert result.recomputed == {str(record["id"]): ["meta"]}
    assert len(result.documents[0].spans) == len(doc.spans) and result.documents[0].tuples == []
