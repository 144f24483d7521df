"""The project corpus: files present and byte-exact, the split, statistics and the corpus command."""

from __future__ import annotations

import argparse
import json

import pytest

from conftest import GOLD_COUNTS, GOLD_DIR, RAW_DIR, ROOT
from govie.commands import corpus as command
from govie.corpus import corpus_stats, iter_unlabeled, load_corpus, load_split, read_catalogue
from govie.document import FormatError

SHARED = ROOT.parent / "shared" / "corpora"
BAD_DIR = ROOT / "tests" / "data" / "bad"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return command.run(parser.parse_args(argv))


def test_gold_and_raw_texts_agree(gold_documents):
    assert len(gold_documents) == GOLD_COUNTS["documents"] >= 53
    for doc in gold_documents:
        assert (RAW_DIR / f"{doc.id}.txt").read_text(encoding="utf-8") == doc.text


@pytest.mark.skipif(not SHARED.exists(), reason="the shared corpus is not beside the project")
def test_copies_of_the_shared_corpus_are_byte_exact():
    for sub, pattern in (("gold", "*.json"), ("raw", "*.txt")):
        shared = sorted(p.name for p in (SHARED / sub).glob(pattern))
        assert set(shared) <= {p.name for p in (ROOT / "corpora" / sub).glob(pattern)}
        for name in shared:
            assert (SHARED / sub / name).read_bytes() == (ROOT / "corpora" / sub / name).read_bytes()


def test_new_raw_texts_are_exact_cuts_of_their_unlabeled_source():
    catalogue = read_catalogue(ROOT / "corpora" / "documents.tsv")
    sources = {r.id: r.text for r in iter_unlabeled(ROOT / "corpora" / "unlabeled" / "reports.jsonl.xz")}
    cut = [row for row in catalogue.values() if row["cut"].startswith("[")]
    assert len(cut) >= 30
    for row in cut:
        start, end = map(int, row["cut"].strip("[]").split(":"))
        source_id = row["source"].split()[1]
        raw = (ROOT / "corpora" / "raw" / f"{row['id']}.txt").read_text(encoding="utf-8")
        assert raw == sources[source_id][start:end], row["id"]


def test_split_is_by_document_and_test_provinces_are_unseen():
    splits = load_split(ROOT / "corpora")
    ids = {name: {d.id for d in docs} for name, docs in splits.items()}
    assert {"suoqian-2022", "jincheng-2023", "gaoyang-2016"} <= ids["dev"]
    assert len(ids["test"]) >= 10
    assert not ids["train"] & ids["dev"] and not ids["test"] & (ids["train"] | ids["dev"])
    catalogue = read_catalogue(ROOT / "corpora" / "documents.tsv")
    assert set(catalogue) == ids["train"] | ids["dev"] | ids["test"]
    provinces = {name: {catalogue[i]["province"] for i in members} for name, members in ids.items()}
    assert not provinces["test"] & (provinces["train"] | provinces["dev"])
    assert all(catalogue[i]["split"] == name for name, members in ids.items() for i in members)


def test_split_errors(tmp_path):
    (tmp_path / "gold").mkdir()
    for path in sorted(GOLD_DIR.glob("*.json"))[:2]:
        (tmp_path / "gold" / path.name).write_bytes(path.read_bytes())
    ids = [p.stem for p in sorted(GOLD_DIR.glob("*.json"))[:2]]
    (tmp_path / "splits.json").write_text(json.dumps({"train": ids[:1], "dev": []}))
    with pytest.raises(FormatError, match=f"in no split: {ids[1]}"):
        load_split(tmp_path)
    (tmp_path / "splits.json").write_text(json.dumps({"train": ids, "dev": ["nope"]}))
    with pytest.raises(FormatError, match="lists 'nope'"):
        load_split(tmp_path)


def test_unlabeled_reports_load():
    first = next(iter_unlabeled(ROOT / "corpora" / "unlabeled" / "reports.jsonl.xz"))
    assert first.id and first.source and len(first.text) > 1000


def test_corpus_stats_counts(gold_documents):
    stats = corpus_stats(gold_documents)
    n = GOLD_COUNTS
    assert (stats.documents, stats.characters, sum(stats.spans.values()), stats.tuples) == \
        (n["documents"], n["characters"], n["spans"], n["tuples"])
    assert stats.spans["VAL"] == stats.tuples
    assert sum(stats.tuple_fields["status"].values()) == n["tuples"]
    assert set(stats.tuple_fields["measure"]) == {"level", "change"}
    table = stats.format_table()
    assert f"| **all {n['documents']}** |" in table and "| measure | tuples |" in table
    assert json.loads(json.dumps(stats.to_dict()))["documents"] == n["documents"]


def test_corpus_stats_groups_by_catalogue(gold_documents):
    catalogue = read_catalogue(ROOT / "corpora" / "documents.tsv")
    stats = corpus_stats(gold_documents, catalogue)
    assert set(stats.groups) == {"split", "province", "level", "genre"}
    for column, values in stats.groups.items():
        assert sum(g.documents for g in values.values()) == GOLD_COUNTS["documents"], column
        assert sum(g.tuples for g in values.values()) == GOLD_COUNTS["tuples"], column
    assert len(stats.groups["province"]) >= 12 and "unlisted" not in stats.groups["province"]
    assert "| province | documents |" in stats.format_table()


def test_command_stats_and_validate(capsys):
    assert run(["stats", str(GOLD_DIR), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tuples"] == GOLD_COUNTS["tuples"]
    assert run(["validate", str(GOLD_DIR)]) == 0
    assert run(["validate", str(BAD_DIR / "corpus.jsonl"), str(BAD_DIR / "broken_line.jsonl")]) == 1
    out = capsys.readouterr()
    assert len(out.out.splitlines()) == 3 + 4
    assert "broken_line.jsonl:2 [None]: bad JSON" in out.out


def test_command_errors_are_one_line_without_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n{oops\n{"id": "b", "text": "y", "spans": [{"id": 0}]}\n', encoding="utf-8")
    assert run(["stats", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"govie corpus stats: {bad}:2: bad JSON (Expecting property name enclosed in double quotes at column 2)",
                   f"govie corpus stats: {bad}:3 [b] span #0: 'label' missing"]
    assert run(["convert", str(tmp_path / "none.jsonl"), str(tmp_path / "o.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("fmt,name", [("doccano", "x.jsonl"), ("label-studio", "x.json"), ("conll", "x.conll")])
def test_command_convert_round_trip(tmp_path, fmt, name):
    assert run(["convert", str(GOLD_DIR), str(tmp_path / name), "--to", fmt]) == 0
    assert run(["convert", str(tmp_path / name), str(tmp_path / "back"), "--from", fmt]) == 0
    back = {p.name: p.read_bytes() for p in (tmp_path / "back").glob("*.json")}
    assert len(back) == GOLD_COUNTS["documents"]
    if fmt != "conll":  # CoNLL holds no tuples or metadata
        assert back == {p.name: p.read_bytes() for p in GOLD_DIR.glob("*.json")}


def test_load_corpus_names_the_bad_line():
    with pytest.raises(FormatError, match=r"broken_line\.jsonl:2: bad JSON"):
        load_corpus(BAD_DIR / "broken_line.jsonl")


def test_readme_tables_are_current(gold_documents):
    """corpora/README.md shows the tables corpus_stats makes today (regenerate with `govie corpus stats`)."""
    readme = (ROOT / "corpora" / "README.md").read_text(encoding="utf-8")
    assert corpus_stats(gold_documents).format_table() in readme


def test_a_folder_scan_skips_and_names_the_json_that_is_no_document(tmp_path, capsys, caplog):
    """`govie corpus stats corpora` reads the gold documents and names splits.json, and does not stop."""
    import logging
    import shutil

    shutil.copytree(GOLD_DIR, tmp_path / "gold")
    shutil.copy(ROOT / "corpora" / "splits.json", tmp_path / "splits.json")
    (tmp_path / "notes.jsonl").write_text('{"id": "a", "note": "x"}\n{"id": "b", "note": "y"}\n', encoding="utf-8")
    assert run(["stats", str(tmp_path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["documents"] == GOLD_COUNTS["documents"]
    assert err.splitlines() == [f"govie: warning: {tmp_path / 'notes.jsonl'}: 2 line(s) are no §5 documents "
                                f"(first: {tmp_path / 'notes.jsonl'}:1) (no 'text'); skipped",
                                f"govie: warning: {tmp_path / 'splits.json'}: no §5 document (no 'text'); skipped"]
    assert run(["validate", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "splits.json: no §5 document" in err and f"{GOLD_COUNTS['documents']} documents, 0 problems" in err
    with caplog.at_level(logging.WARNING, logger="govie.corpus"):
        assert len(load_corpus(tmp_path)) == GOLD_COUNTS["documents"]
    assert "splits.json" in caplog.text
    # a file given by name is read as a document, and a broken document in a folder still stops the scan
    assert run(["stats", str(tmp_path / "splits.json")]) == 2
    assert "splits.json: 'text' must be a string" in capsys.readouterr().err
    (tmp_path / "gold" / "broken.json").write_text('{"id": "x", "text": "abc", "spans": {}}', encoding="utf-8")
    assert run(["stats", str(tmp_path)]) == 2
    assert "broken.json [x]: 'spans' must be a list" in capsys.readouterr().err


def test_a_folder_scan_says_when_a_document_id_occurs_twice(tmp_path):
    from govie.corpus import read_corpus

    source = sorted(GOLD_DIR.glob("*.json"))[0]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / source.name).write_bytes(source.read_bytes())
    (tmp_path / "b.jsonl").write_text(source.read_text(encoding="utf-8").replace("\n", "") + "\n", encoding="utf-8")
    result = read_corpus(tmp_path)
    assert len(result.documents) == 2
    assert any(f"1 document id(s) occur in more than one place, all read (first: '{source.stem}'" in w
               for w in result.warnings)
