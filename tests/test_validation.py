"""The validator: silent on the gold corpus, agrees with the shared validate.py on crafted bad files."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOLD_COUNTS, GOLD_DIR, SHARED_VALIDATOR
from govie.document import Document
from govie.validation import Problem, check_dict, validate_document, validate_path

BAD_DIR = Path(__file__).parent / "data" / "bad"
#: the valid document the bad files were made from (each bad file breaks it in a few ways)
TINY = BAD_DIR / "base" / "tiny.json"
#: files the shared validator can read (it stops with a traceback on a line that is not JSON)
BAD_FILES = sorted(p for p in BAD_DIR.iterdir() if p.is_file())
SHARED_READABLE = [p for p in BAD_FILES if p.name != "broken_line.jsonl"]


def shared_counts(path: Path) -> dict[str, int]:
    """Problems per document as the shared validator prints them (from its summary lines)."""
    out = subprocess.run([sys.executable, str(SHARED_VALIDATOR), str(path)], capture_output=True, text=True, check=False)
    counts = {}
    for line in out.stdout.splitlines():
        if line.endswith(" problems"):
            where = line.split(" [", 1)[0]
            counts[where] = int(line.rsplit(", ", 1)[1].split()[0])
    return counts


def ours_counts(path: Path) -> dict[str, int]:
    from govie.validation import iter_records

    counts = {where: 0 for where, _, error in iter_records(path) if error is None}
    for problem in validate_path(path):
        counts[problem.where] += 1
    return counts


@pytest.fixture(scope="module")
def shared_check():
    if not SHARED_VALIDATOR.exists():
        pytest.skip(f"shared validator not found at {SHARED_VALIDATOR}")
    spec = importlib.util.spec_from_file_location("shared_validate", SHARED_VALIDATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.check


def test_gold_documents_are_valid(gold_documents):
    assert len(gold_documents) == GOLD_COUNTS["documents"]
    for doc in gold_documents:
        assert validate_document(doc) == [], doc.id
    assert validate_path(GOLD_DIR) == []


@pytest.mark.parametrize("path", sorted(GOLD_DIR.glob("*.json")) + SHARED_READABLE, ids=lambda p: p.name)
def test_agrees_with_shared_validator(path, shared_check):
    shared = shared_counts(path)
    assert shared, "the shared validator printed no summary"
    assert ours_counts(path) == shared


def test_crafted_files_are_all_invalid():
    assert len(BAD_FILES) == 6
    for path in BAD_FILES:
        assert validate_path(path), path.name
    assert validate_path(TINY) == []


def test_messages_name_span_offsets_and_line():
    problems = [str(p) for p in validate_path(BAD_DIR / "corpus.jsonl")]
    assert problems[0].startswith(f"{BAD_DIR / 'corpus.jsonl'}:2 [unknown-label]: span 8: unknown label 'NUM'")
    assert any(":3 [past-text]: span 0: bad offsets -1-3" in p for p in problems)
    offsets = [str(p) for p in validate_path(BAD_DIR / "offsets.json")]
    assert "span 2 (IND 9-14): text '财政收入' but offsets hold '财政总收入'" in offsets[0]


def test_bad_json_line_is_one_problem_and_checking_goes_on():
    problems = validate_path(BAD_DIR / "broken_line.jsonl")
    lines = [p.where.rsplit(":", 1)[1] for p in problems]
    assert lines == ["2", "3", "3", "4"]
    assert problems[0].message.startswith("bad JSON") and problems[0].document_id is None
    assert problems[3].message == "expected a JSON object, got list"


def test_missing_file_and_empty_folder(tmp_path):
    assert [p.message for p in validate_path(tmp_path / "nope.jsonl")] == ["no such file"]
    assert "no .json or .jsonl files" in validate_path(tmp_path)[0].message


def test_problem_str():
    assert str(Problem("a", "f.jsonl:3", "span 1: x")) == "f.jsonl:3 [a]: span 1: x"
    assert str(Problem("a", "", "m")) == "[a]: m"


def test_white_space_and_repeated_id_and_empty_text():
    data = json.loads(TINY.read_text(encoding="utf-8"))
    data["text"] = data["text"].replace("瓜沥镇实现", "瓜沥镇 实现")  # shift nothing before offset 7
    span = next(s for s in data["spans"] if s["label"] == "TOWN")
    span["end"] += 1
    span["text"] += " "
    messages = check_dict(data)
    assert any("leading or trailing white space" in m for m in messages)
    data = json.loads(TINY.read_text(encoding="utf-8"))
    data["spans"].append(dict(data["spans"][0]))
    assert "span id 0 repeated" in check_dict(data)
    assert check_dict({"id": "x"}) == ["no text"]
    # v1.4: an empty or blank text is a valid document as long as nothing is annotated in it
    assert check_dict({"id": "x", "text": "", "meta": {}}) == []
    assert check_dict({"id": "x", "text": " \n", "spans": data["spans"][:1]}) == ["spans or tuples in an empty text"]


def test_a_prediction_may_leave_the_town_null(shared_check):
    """v1.4: meta.town and each tuple's town may be null together, never a tuple alone."""
    data = json.loads(TINY.read_text(encoding="utf-8"))
    data["meta"]["town"] = None
    for t in data["tuples"]:
        t["town"] = None
    assert check_dict(data) == [] == shared_check(copy.deepcopy(data))
    del data["meta"]["town"]
    assert check_dict(data)[0] == "meta.town missing"
    assert len(check_dict(data)) == len(shared_check(copy.deepcopy(data))) == 1


def test_random_mutations_agree_with_shared(shared_check):
    """Mutate one field at a time (fixed seed) and compare the problem counts of both validators."""
    base = json.loads(TINY.read_text(encoding="utf-8"))
    rng = random.Random(7)
    bad_values = [None, -1, 10_000, "x", "VAL", "2023-13", 3.5, "", "actual", "more_than", 2]
    compared = 0
    for _ in range(300):
        doc = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(["spans", "tuples", "meta"])
            if kind == "meta":
                doc["meta"][rng.choice(list(doc["meta"]))] = rng.choice(bad_values)
            else:
                item = rng.choice(doc[kind])
                item[rng.choice(list(item))] = rng.choice(bad_values)
        try:
            expected = shared_check(copy.deepcopy(doc))
        except Exception:  # the shared script has no guard for some broken shapes; ours is checked elsewhere
            continue
        assert len(check_dict(doc)) == len(expected), (doc, expected, check_dict(doc))
        compared += 1
    assert compared > 200


def test_validate_document_takes_documents(gold_documents):
    doc = copy.deepcopy(gold_documents[0])
    doc.tuples[0].status = "done"
    doc.spans[-1].end = len(doc.text) + 1  # the last span: no overlap follows from it
    problems = validate_document(doc, where="x.json")
    assert [p.message.split(":")[0] for p in problems] == [f"span {doc.spans[-1].id}", f"tuple of value {doc.tuples[0].value}"]
    assert all(p.where == "x.json" and p.document_id == doc.id for p in problems)
    assert isinstance(doc, Document)
