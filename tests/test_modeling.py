"""The HF-native config/model pair and constrained decoding."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from transformers import AutoConfig, AutoModel, BertConfig

from govie.configuration import GovieTaggerConfig
from govie.decoding import is_valid_iob2, viterbi_decode
from govie.labels import BIO_TAGS, bio_to_spans
from govie.modeling import GovieTaggerModel


def tiny_config(**kwargs) -> GovieTaggerConfig:
    encoder = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=64)
    return GovieTaggerConfig(encoder, window_length=32, **kwargs)


def test_config_round_trips_with_nested_encoder(tmp_path):
    config = tiny_config()
    config.save_pretrained(tmp_path)
    loaded = AutoConfig.from_pretrained(tmp_path)
    assert isinstance(loaded, GovieTaggerConfig)
    assert loaded.encoder.hidden_size == 16 and loaded.encoder.model_type == "bert"
    assert loaded.tags == list(BIO_TAGS)
    assert loaded.id2label[3] == BIO_TAGS[3]
    assert loaded.govie_version


def test_forward_returns_token_classifier_output_and_loss():
    torch.manual_seed(0)
    model = AutoModel.from_config(tiny_config())
    assert isinstance(model, GovieTaggerModel)
    ids = torch.randint(5, 50, (2, 7))
    labels = torch.randint(0, len(BIO_TAGS), (2, 7))
    labels[:, 0] = -100
    out = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels)
    assert out.logits.shape == (2, 7, len(BIO_TAGS))
    assert out.loss is not None and out.loss.item() > 0
    out.loss.backward()
    assert model.classifier.weight.grad is not None


def test_from_encoder_loads_pretrained_encoder_weights(tmp_path):
    from transformers import BertModel

    torch.manual_seed(0)
    encoder = BertModel(tiny_config().encoder, add_pooling_layer=False)
    encoder.save_pretrained(tmp_path)
    model = GovieTaggerModel.from_encoder(tmp_path, tokenizer_kind="char")
    assert torch.equal(model.encoder.embeddings.word_embeddings.weight, encoder.embeddings.word_embeddings.weight)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 30), st.just(len(BIO_TAGS))),
              elements=st.floats(-20, 0, allow_nan=False)))
def test_viterbi_never_emits_an_invalid_sequence(scores):
    path = [BIO_TAGS[i] for i in viterbi_decode(scores, BIO_TAGS)]
    assert len(path) == scores.shape[0]
    assert is_valid_iob2(path)
    for span in bio_to_spans(path):
        assert path[span.start] == f"B-{span.label}"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(BIO_TAGS), max_size=25))
def test_viterbi_keeps_a_valid_argmax_path(tags):
    if not is_valid_iob2(tags):
        return
    scores = np.full((len(tags), len(BIO_TAGS)), -5.0)
    for i, tag in enumerate(tags):
        scores[i, BIO_TAGS.index(tag)] = 0.0
    assert [BIO_TAGS[i] for i in viterbi_decode(scores, BIO_TAGS)] == tags


def test_viterbi_repairs_a_stray_inside_tag():
    scores = np.log(np.full((3, len(BIO_TAGS)), 0.01))
    scores[1, BIO_TAGS.index("I-VAL")] = np.log(0.9)  # argmax: O, I-VAL, O
    path = [BIO_TAGS[i] for i in viterbi_decode(scores, BIO_TAGS)]
    assert is_valid_iob2(path)
    with pytest.raises(AssertionError):
        assert is_valid_iob2(["O", "I-VAL"])
