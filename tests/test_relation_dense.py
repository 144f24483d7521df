"""The learned linker's dense part: span representations from the tagger's encoder.

A 'lookup' tagger (each character's hidden state is a fixed vector of tag scores, so its tags are
known at any window size) and a tiny random BERT tagger stand in for the shipped model.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from transformers import BertConfig

from govie.configuration import GovieTaggerConfig
from govie.labels import BIO_TAGS
from govie.modeling import GovieTaggerModel
from govie.pipeline import Pipeline, encoder_states
from govie.relation_model import EncoderMismatchError, LearnedLinker, RelationConfig
from govie.tagger import Tagger
from govie.tokenizer import CharTokenizer
from govie.windows import owner_of_positions, plan_windows
from lookup_tagger import lookup_tagger as make_lookup_tagger

IND_CHARS = "财政总收入地区生产值工业投资固定资产社会消费品零售额"
TOWN = "瓜沥镇"


def lookup_tagger(window_length: int = 64, stride: int | None = None) -> Tagger:
    """IND_CHARS runs are IND, digit runs VAL, 元 and % UNIT, the rest O."""
    run = {"B-{}": -0.1, "I-{}": 0.0}
    scores = {ch: {tag.format("IND"): s for tag, s in run.items()} for ch in IND_CHARS}
    scores |= {ch: {tag.format("VAL"): s for tag, s in run.items()} for ch in "0123456789.亿万"}
    scores |= {ch: {"B-UNIT": 0.0} for ch in "元%"}
    return make_lookup_tagger(IND_CHARS + "0123456789.亿万元%，。增长同比" + TOWN, scores,
                              window_length=window_length, stride=stride)


def tiny_bert_tagger(seed: int, window_length: int = 64) -> Tagger:
    torch.manual_seed(seed)
    tokenizer = CharTokenizer(list(IND_CHARS + "0123456789.元%，。增长同比"))
    encoder_config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1,
                                num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    config = GovieTaggerConfig(encoder_config, window_length=window_length, classifier_dropout=0.0)
    return Tagger(GovieTaggerModel(config), tokenizer, device="cpu")


@pytest.fixture(scope="module")
def train_docs(gold_documents):
    return gold_documents[:3]


@pytest.fixture(scope="module")
def lookup(train_docs):
    tagger = lookup_tagger()
    states = encoder_states(tagger, [d.text for d in train_docs])
    linker = LearnedLinker(RelationConfig(dense=True, epochs=3)).fit(train_docs, hidden=states, encoder=tagger)
    return tagger, states, linker


def test_dense_linker_trains_and_round_trips(lookup, train_docs, tmp_path):
    tagger, states, linker = lookup
    assert linker.uses_hidden and linker.config.hidden_size == len(BIO_TAGS)
    assert linker.config.encoder_fingerprint == tagger.fingerprint()
    assert np.any(linker.dense_weights != 0)
    linker.save_pretrained(tmp_path / "linker", metrics={"trained_on": {"gold_documents": ["a"]}})
    card = (tmp_path / "linker" / "README.md").read_text(encoding="utf-8")
    assert tagger.fingerprint() in card and '"gold_documents"' in card
    loaded = LearnedLinker.from_pretrained(tmp_path / "linker")
    assert loaded.uses_hidden and loaded.config == linker.config
    for doc, hidden in zip(train_docs, states):
        before, after = linker.link_spans(doc, hidden=hidden), loaded.link_spans(doc, hidden=hidden)
        assert [(l.value.id, l.indicator.id) for l in before] == [(l.value.id, l.indicator.id) for l in after]
        np.testing.assert_allclose([l.confidence for l in before], [l.confidence for l in after], atol=1e-5)


def test_dense_part_is_used_and_optional(lookup, train_docs):
    _, states, linker = lookup
    doc = train_docs[0]
    with_states, without = linker.link_spans(doc, hidden=states[0]), linker.link_spans(doc)
    values = [s.id for s in doc.spans if s.label == "VAL"]
    assert [l.value.id for l in without] == [l.value.id for l in with_states] == values  # every VAL one IND
    assert [l.confidence for l in with_states] != [l.confidence for l in without]
    with pytest.raises(ValueError, match=rf"{doc.id}: hidden states of shape \(5, 11\)"):
        linker.link_spans(doc, hidden=np.zeros((5, len(BIO_TAGS))))
    with pytest.raises(ValueError, match="hidden="):
        LearnedLinker(RelationConfig(dense=True)).fit(train_docs)


def test_sparse_mode_is_unchanged(train_docs, lookup, tmp_path):
    """Sparse-only (the default) ignores hidden states, saves no dense tensors, and a dense model that
    never sees its dense part (dense_dropout=1) ends with exactly the sparse weights."""
    _, states, _ = lookup
    sparse = LearnedLinker(RelationConfig(epochs=3)).fit(train_docs)
    assert not sparse.uses_hidden and sparse.dense_weights is None
    assert sparse.link_spans(train_docs[0], hidden=states[0]) == sparse.link_spans(train_docs[0])
    never = LearnedLinker(RelationConfig(dense=True, dense_dropout=1.0, epochs=3)).fit(train_docs, hidden=states)
    np.testing.assert_array_equal(never.weights, sparse.weights)
    assert not np.any(never.dense_weights)
    sparse.save_pretrained(tmp_path / "sparse")
    from safetensors.numpy import load_file

    assert set(load_file(str(tmp_path / "sparse" / "model.safetensors"))) == {"index", "weight"}
    assert LearnedLinker.from_pretrained(tmp_path / "sparse").link_spans(train_docs[1]) == \
        sparse.link_spans(train_docs[1])


def test_mismatched_encoder_is_reported(train_docs, caplog, tmp_path):
    a, b = tiny_bert_tagger(0), tiny_bert_tagger(1)
    docs = [min(train_docs, key=lambda d: len(d.text))]
    states = encoder_states(a, [d.text for d in docs])
    assert states[0].shape == (len(docs[0].text), 16)
    linker = LearnedLinker(RelationConfig(dense=True, epochs=2)).fit(docs, hidden=states, encoder=a)
    a.save_pretrained(tmp_path / "a")
    assert Tagger.from_pretrained(tmp_path / "a").fingerprint() == a.fingerprint()
    assert linker.check_encoder(a, strict=True)
    assert a.fingerprint() != b.fingerprint()
    with pytest.raises(EncoderMismatchError, match="sha256"):
        linker.check_encoder(b, strict=True)
    with pytest.raises(EncoderMismatchError, match="hidden size 11"):
        linker.check_encoder(lookup_tagger(), strict=True)
    with caplog.at_level(logging.WARNING, logger="govie.relation_model"):
        pipeline = Pipeline(b, linker)
    assert not pipeline.pass_hidden
    assert "mismatch" in caplog.text and b.fingerprint()[:12] in caplog.text
    pipeline("财政总收入12.5亿元。", town=TOWN, default_period="2023", reference_month="2023-12")  # no crash
    from govie.rules import RuleTagger

    rules = Pipeline(RuleTagger(), linker)  # no hidden states: sparse part only
    assert not rules.pass_hidden
    result = rules("上半年,实现财政总收入17.03亿元,同比增长42.87%", town=TOWN, default_period="2023-H1",
                   reference_month="2023-06")
    assert [t.indicator for t in result.tuples] == ["财政总收入", "财政总收入"]


def test_window_edge_linking_with_hidden_states(lookup):
    """A value and its indicator in different tagger windows are still linked, through the pipeline,
    with the states of one forward pass of a short-window tagger."""
    _, _, linker = lookup
    text = "工业投资" + "，同比" * 5 + "12.5亿元。地区生产总值30亿元。"
    short = lookup_tagger(window_length=12, stride=7)  # 10 characters a window
    windows = plan_windows(len(text), size=short.tokenizer.max_chars(12), stride=7)
    owners = owner_of_positions(len(text), windows)
    assert owners[text.index("工业投资")] != owners[text.index("12.5")]
    # the same lookup table, so the same encoder: only the window differs
    assert short.fingerprint() == linker.config.encoder_fingerprint
    pipeline = Pipeline(short, linker)
    assert pipeline.pass_hidden
    result = pipeline(text, town=TOWN, default_period="2023", reference_month="2023-12")
    assert [(t.indicator, t.value_text) for t in result.tuples] == [
        ("工业投资", "12.5亿"), ("地区生产总值", "30亿")]
    for t in result.tuples:
        assert text[t.value_start:t.value_end] == t.value_text
        assert text[t.indicator_start:t.indicator_end] == t.indicator
        assert t.unit_start is None or text[t.unit_start:t.unit_end] == "元"


def test_pipeline_passes_hidden_states_from_one_forward_pass(lookup, monkeypatch):
    tagger, _, linker = lookup
    calls = []
    original = tagger.char_scores_batch

    def counting(*args, **kwargs):
        calls.append(kwargs.get("return_hidden", False))
        return original(*args, **kwargs)

    monkeypatch.setattr(tagger, "char_scores_batch", counting)
    seen = []
    original_link = linker.link_spans

    def recording(doc, hidden=None):
        seen.append(None if hidden is None else hidden.shape)
        return original_link(doc, hidden=hidden)

    monkeypatch.setattr(linker, "link_spans", recording)
    text = "上半年，实现财政总收入17.03亿元，同比增长42.87%，固定资产投资9亿元。"
    result = Pipeline(tagger, linker)(text, town=TOWN, default_period="2023-H1", reference_month="2023-06")
    assert calls == [True] and seen == [(len(text), len(BIO_TAGS))]
    sparse = Pipeline(tagger, LearnedLinker(linker.config.__class__(), linker.weights))
    assert not sparse.pass_hidden  # a sparse-only linker: the plain tagging path
    sparse(text, town=TOWN, default_period="2023-H1", reference_month="2023-06")
    assert calls == [True, False]
    assert [t.indicator for t in result.tuples] == ["财政总收入", "财政总收入", "固定资产投资"]
    for t in result.tuples:
        assert text[t.value_start:t.value_end] == t.value_text
        assert text[t.indicator_start:t.indicator_end] == t.indicator
        assert text[t.sentence_start:t.sentence_start + len(t.sentence)] == t.sentence


def test_states_map_back_to_raw_offsets():
    """With cleaning, a raw character deleted by clean_text takes the state of the character before it."""
    tagger = lookup_tagger()
    raw = "财政总收入12.5亿元\u200b。"
    (states,) = encoder_states(tagger, [raw])
    assert states.shape == (len(raw), len(BIO_TAGS))
    (clean_states,) = encoder_states(tagger, [raw.replace("\u200b", "")], clean=False)
    zw = raw.index("\u200b")
    np.testing.assert_allclose(states[zw], states[zw - 1])
    np.testing.assert_allclose(states[:zw], clean_states[:zw], atol=1e-6)
