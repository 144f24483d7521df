"""The datasets bridge: windows lose no label at their edges and decode back to the gold spans."""

from __future__ import annotations

import pytest

from conftest import ROOT
from govie.hf_datasets import decode_row, document_rows, load_dataset_dict, to_dataset_dict
from govie.labels import BIO_TAGS


def test_every_gold_span_is_whole_in_some_window_and_nothing_else_decodes(gold_documents):
    for doc in gold_documents:
        rows = document_rows(doc, window=64, stride=40)  # small windows: many edges
        assert len(rows) > 1
        gold = {(s.label, s.start, s.end) for s in doc.spans}
        decoded = {span for row in rows for span in decode_row(row)}
        assert decoded == gold, doc.id  # no span lost, no span cut into a partial one
        covered = set()
        for row in rows:
            assert "".join(row["chars"]) == doc.text[row["window_start"]:row["window_end"]]
            assert len(row["chars"]) == len(row["ner_tags"]) <= 64
            covered.update(range(row["window_start"], row["window_end"]))
        assert covered == set(range(len(doc.text)))


def test_relations_are_window_relative_and_complete(gold_documents):
    doc = gold_documents[0]
    rows = document_rows(doc, window=128, stride=96)
    spans = doc.span_by_id()
    expected = {(spans[t.value].start, spans[t.value].end, spans[t.indicator].start, spans[t.indicator].end)
                for t in doc.tuples if max(spans[t.value].end, spans[t.indicator].end)
                - min(spans[t.value].start, spans[t.indicator].start) <= 60}
    found = set()
    for row in rows:
        offset = row["window_start"]
        for r in row["relations"]:
            text = "".join(row["chars"])
            assert r["type"] in ("indicator", "unit", "period")
            assert text[r["value_start"]:r["value_end"]] == doc.text[r["value_start"] + offset:r["value_end"] + offset]
            if r["type"] == "indicator":
                found.add((r["value_start"] + offset, r["value_end"] + offset, r["target_start"] + offset, r["target_end"] + offset))
    assert expected and expected <= found  # every short-range link is in a window


def test_dataset_dict_from_the_corpus_split():
    pytest.importorskip("datasets")
    dd = load_dataset_dict(ROOT / "corpora")
    assert set(dd) == {"train", "dev", "test"}
    assert dd["train"].features["ner_tags"].feature.names == list(BIO_TAGS)
    assert {"suoqian-2022", "jincheng-2023", "gaoyang-2016"} <= {r["doc_id"] for r in dd["dev"]}
    members = {name: {r["doc_id"] for r in dd[name]} for name in dd}
    assert not members["train"] & members["dev"] and not members["test"] & (members["train"] | members["dev"])
    row = dd["dev"][0]
    assert len(row["chars"]) == len(row["ner_tags"]) <= 256


def test_dataset_dict_from_a_folder_and_jsonl(gold_documents, tmp_path):
    pytest.importorskip("datasets")
    from govie.document import write_jsonl

    write_jsonl(gold_documents[:2], tmp_path / "train.jsonl")
    write_jsonl(gold_documents[2:3], tmp_path / "dev.jsonl")
    dd = load_dataset_dict(tmp_path / "train.jsonl", dev=tmp_path / "dev.jsonl", window=200, stride=150)
    assert {r["doc_id"] for r in dd["dev"]} == {gold_documents[2].id}
    assert len(load_dataset_dict(ROOT / "corpora" / "gold")["dev"]) == 0
    with pytest.raises(ValueError, match="both train and dev"):
        to_dataset_dict(gold_documents[:2], gold_documents[1:2])
