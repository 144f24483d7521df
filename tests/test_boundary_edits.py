"""Learned IND boundary edits: what the learner keeps and rejects, how edits apply, their file, the tagger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import BertConfig

from govie.boundary_edits import EDITS_FILE, BoundaryEdit, BoundaryEdits, EditExample
from govie.configuration import GovieTaggerConfig
from govie.labels import LabeledRange
from govie.modeling import GovieTaggerModel
from govie.tagger import ModelLoadError, Tagger, default_model_path
from govie.tokenizer import CharTokenizer


def _example(doc_id: str, text: str, predicted: list[tuple[str, str]], gold: list[str]) -> EditExample:
    """Spans given by their text (first occurrence), so the fixtures read like the reports."""
    ranges = [LabeledRange(label, text.index(s), text.index(s) + len(s)) for label, s in predicted]
    return EditExample(doc_id, text, ranges, {(text.index(g), text.index(g) + len(g)) for g in gold})


def _trim_docs(n: int) -> list[EditExample]:
    texts = ["审批时间平均压减84%。", "公用经费平均压减20%。", "办事时间平均压减30%，会议费用平均压减15%。"]
    gold = [["审批时间"], ["公用经费"], ["办事时间", "会议费用"]]
    pred = [["审批时间平均压减"], ["公用经费平均压减"], ["办事时间平均压减", "会议费用平均压减"]]
    out = []
    for i in range(n):
        text = texts[i]
        vals = [v for v in ("84", "20", "30", "15") if v in text]
        out.append(_example(f"d{i}", text, [("IND", p) for p in pred[i]] + [("VAL", v) for v in vals], gold[i]))
    return out


def test_an_edit_that_fixes_errors_in_several_documents_is_learned_and_generalises():
    edits = BoundaryEdits.learn(_trim_docs(3), min_gain=2, min_documents=2)
    assert [(e.kind, e.text) for e in edits.edits] == [("trim_end", "平均压减")]
    assert edits.edits[0].gain == 4 and edits.edits[0].documents == 3
    assert edits.trained_on == ["d0", "d1", "d2"]
    text = "出口退税办结时间平均压减50%"
    ranges = [LabeledRange("IND", 0, 12), LabeledRange("VAL", 12, 14)]
    fixed = edits.apply(text, ranges)
    assert [(r.label, text[r.start:r.end]) for r in fixed] == [("IND", "出口退税办结时间"), ("VAL", "50")]


def test_an_edit_seen_in_one_document_or_breaking_as_much_as_it_fixes_is_not_learned():
    one_doc = [_trim_docs(3)[2]]  # two fixes, but in one document
    assert len(BoundaryEdits.learn(one_doc, min_gain=2, min_documents=2)) == 0
    assert len(BoundaryEdits.learn(one_doc, min_gain=2, min_documents=1)) == 1
    breaking = _trim_docs(2) + [
        _example("b0", "经费平均压减达12亿元。", [("IND", "经费平均压减"), ("VAL", "12亿")], ["经费平均压减"]),
        _example("b1", "成本平均压减达9亿元。", [("IND", "成本平均压减"), ("VAL", "9亿")], ["成本平均压减"])]
    assert len(BoundaryEdits.learn(breaking, min_gain=1, min_documents=1)) == 0
    with pytest.raises(ValueError, match="at least 1"):
        BoundaryEdits.learn(one_doc, min_gain=0)


def test_enumerations_extensions_and_drops_keep_other_labels_whole():
    text = "纺织服装、食品、建材产业增加值分别增长12.6%"
    ranges = [LabeledRange("IND", 8, 15), LabeledRange("VAL", 19, 23), LabeledRange("UNIT", 23, 24)]
    edits = BoundaryEdits([BoundaryEdit("enumeration", "值")])
    assert [text[r.start:r.end] for r in edits.apply(text, ranges)][0] == "纺织服装、食品、建材产业增加值"
    text = "各项贷款余额1278亿元"
    ranges = [LabeledRange("IND", 2, 6), LabeledRange("VAL", 6, 11)]
    extended = BoundaryEdits([BoundaryEdit("extend_start", "各项"), BoundaryEdit("extend_end", "12")]).apply(text, ranges)
    assert [(r.label, text[r.start:r.end]) for r in extended] == [("IND", "各项贷款余额"), ("VAL", "1278亿")]
    text = "占地区生产总值比重达到45%"
    ranges = [LabeledRange("IND", 0, 9), LabeledRange("VAL", 11, 13)]
    assert [r.label for r in BoundaryEdits([BoundaryEdit("drop_prefix", "占")]).apply(text, ranges)] == ["VAL"]
    assert BoundaryEdits().apply(text, ranges[::-1]) == ranges


def test_an_extension_that_runs_into_the_next_indicator_leaves_the_first_one():
    text = "产值利润总额"
    ranges = [LabeledRange("IND", 0, 2), LabeledRange("IND", 2, 6)]
    out = BoundaryEdits([BoundaryEdit("extend_end", "利润")]).apply(text, ranges)
    assert out == [LabeledRange("IND", 0, 4)]


def test_edits_file_round_trip_and_errors_name_the_file_and_the_entry(tmp_path):
    edits = BoundaryEdits.learn(_trim_docs(3))
    path = edits.save(tmp_path)
    assert path.name == EDITS_FILE
    assert BoundaryEdits.load(tmp_path) == edits
    data = json.loads(path.read_text(encoding="utf-8"))
    data["edits"].append({"kind": "rewrite", "text": "x"})
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"boundary_edits.json: edits\[1\]: expected"):
        BoundaryEdits.load(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="boundary_edits.json: not valid JSON"):
        BoundaryEdits.load(path)


def _all_ind_tagger() -> Tagger:
    """A tiny tagger whose bias makes every character IND, so its one span is known."""
    torch.manual_seed(0)
    tokenizer = CharTokenizer(list("审批时间平均压减"))
    encoder = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1,
                         num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    config = GovieTaggerConfig(encoder, window_length=32, classifier_dropout=0.0)
    model = GovieTaggerModel(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.fill_(-10.0)
        model.classifier.bias[config.tags.index("B-IND")] = 5.0
        model.classifier.bias[config.tags.index("I-IND")] = 10.0
    return Tagger(model, tokenizer, device="cpu")


def test_a_model_folder_with_edits_applies_them_after_decoding(tmp_path):
    tagger = _all_ind_tagger()
    text = "审批时间平均压减"
    assert [(r.label, r.start, r.end) for r in tagger.predict(text)] == [("IND", 0, 8)]
    tagger.edits = BoundaryEdits([BoundaryEdit("trim_end", "平均压减", gain=4, documents=3)])
    tagger.save_pretrained(tmp_path)
    loaded = Tagger.from_pretrained(tmp_path)
    assert loaded.edits == tagger.edits
    assert [(r.start, r.end) for r in loaded.predict(text)] == [(0, 4)]
    assert [(r.start, r.end) for r in loaded.predict_batch_with_hidden([text])[0].spans] == [(0, 4)]
    (tmp_path / EDITS_FILE).write_text('{"edits": [{"kind": "trim_end"}]}', encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"boundary_edits.json: edits\[0\]"):
        Tagger.from_pretrained(tmp_path)


def test_the_shipped_model_carries_edits_learned_without_the_test_documents():
    from govie.training import test_ids

    held_out = test_ids(Path(__file__).resolve().parent.parent / "corpora" / "splits.json")
    edits = BoundaryEdits.load(default_model_path())
    assert len(edits) > 10 and len(held_out) == 14
    assert len(edits.trained_on) == 39 and not set(edits.trained_on) & held_out
