"""The tagger: windows merged across edges, save/load round trips, clear load errors, the shipped model."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import BertConfig

from govie.configuration import GovieTaggerConfig
from govie.labels import LabeledRange
from govie.modeling import GovieTaggerModel
from govie.tagger import ModelLoadError, Tagger, default_model_path
from govie.tokenizer import CharTokenizer
from govie.windows import owner_of_positions, plan_windows
from lookup_tagger import lookup_tagger as make_lookup_tagger

CHARS = list("#0123456789镇瓜沥元亿，。增长")


def lookup_tagger(window_length: int, stride: int) -> Tagger:
    """'#' opens a VAL, digits continue one, everything else is O: a known answer at any window size."""
    scores = {"#": {"B-VAL": 0.0}} | {digit: {"I-VAL": 0.0} for digit in "0123456789"}
    return make_lookup_tagger("".join(CHARS), scores, window_length=window_length, stride=stride)


def test_a_span_cut_by_window_edges_comes_out_whole():
    text = "增长。" * 3 + "#" + "1234567890" * 3 + "元。" + "增长#42元"
    tagger = lookup_tagger(window_length=12, stride=7)  # 10 characters a window, 3 overlap
    assert len(text) > 3 * 10
    spans = tagger.predict(text)
    assert spans == [LabeledRange("VAL", 9, 40), LabeledRange("VAL", 44, 47)]
    batch = tagger.predict_batch([text, "", "#1"], batch_size=2)
    assert batch == [spans, [], [LabeledRange("VAL", 0, 2)]]


def test_windowed_scores_equal_whole_text_scores_for_a_context_free_model():
    text = "#12，瓜沥镇增长3亿元。" * 5
    small = lookup_tagger(window_length=9, stride=4).char_scores_batch([text])[0]
    whole = lookup_tagger(window_length=128, stride=100).char_scores_batch([text])[0]
    np.testing.assert_allclose(small, whole, atol=1e-6)


def test_mark_town_adds_mentions_the_model_left_out():
    tagger = lookup_tagger(window_length=32, stride=20)
    text = "瓜沥镇增长#5，瓜沥增长"
    assert tagger.predict(text, town="瓜沥镇") == [LabeledRange("VAL", 5, 7)]
    tagger.mark_town = True
    assert tagger.predict(text, town="瓜沥镇") == [LabeledRange("TOWN", 0, 3), LabeledRange("VAL", 5, 7),
                                               LabeledRange("TOWN", 8, 10)]


def random_tagger(seed: int = 0) -> Tagger:
    torch.manual_seed(seed)
    tokenizer = CharTokenizer.build(["瓜沥镇上半年实现财政总收入17.03亿元，同比增长42.87%。"], min_count=1)
    encoder = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1,
                         num_attention_heads=2, intermediate_size=32, max_position_embeddings=40)
    return Tagger(GovieTaggerModel(GovieTaggerConfig(encoder, window_length=24, stride=12)), tokenizer,
                  device="cpu")


TEXT = "瓜沥镇上半年实现财政总收入17.03亿元，同比增长42.87%。\n  ABC１２\t" * 4


def test_save_load_round_trip_gives_identical_predictions(tmp_path):
    tagger = random_tagger()
    tagger.save_pretrained(tmp_path)
    for name in ("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "README.md"):
        assert (tmp_path / name).is_file(), name
    loaded = Tagger.from_pretrained(tmp_path, device="cpu")
    np.testing.assert_array_equal(loaded.char_scores_batch([TEXT])[0], tagger.char_scores_batch([TEXT])[0])
    assert loaded.predict(TEXT) == tagger.predict(TEXT)


@pytest.mark.parametrize("name, damage, pattern", [
    ("model.safetensors", "delete", r"model\.safetensors: weights missing"),
    ("model.safetensors", "garbage", r"model\.safetensors: corrupt"),
    ("config.json", "garbage", r"config\.json: not valid JSON"),
    ("config.json", "delete", r"config\.json: model config missing"),
    ("vocab.txt", "delete", r"vocab\.txt"),
    ("tokenizer_config.json", "delete", r"tokenizer_config\.json"),
])
def test_missing_or_corrupt_file_is_named(tmp_path, name, damage, pattern):
    random_tagger().save_pretrained(tmp_path)
    target = tmp_path / name
    if damage == "delete":
        target.unlink()
    else:
        target.write_bytes(b"\x00not what it should be")
    with pytest.raises(ModelLoadError, match=pattern):
        Tagger.from_pretrained(tmp_path)


def test_weights_of_another_shape_are_reported(tmp_path):
    random_tagger().save_pretrained(tmp_path)
    other = tmp_path / "other"
    tagger = random_tagger()
    tagger.model.config.encoder.intermediate_size = 48
    Tagger(GovieTaggerModel(tagger.model.config), tagger.tokenizer).save_pretrained(other)
    (tmp_path / "model.safetensors").write_bytes((other / "model.safetensors").read_bytes())
    with pytest.raises(ModelLoadError, match="do not fit"):
        Tagger.from_pretrained(tmp_path)


def test_model_card_states_config_and_figures(tmp_path):
    from govie.model_card import model_card

    tagger = random_tagger()
    scores = {"micro avg": {"precision": 0.5, "recall": 0.25, "f1": 1 / 3, "support": 4}}
    card = model_card(tagger.config, training={"data": "two reports", "figures": {"dev": scores},
                                              "command": "python training/finetune.py"})
    assert "two reports" in card
    assert "| micro avg | 0.500 | 0.250 | 0.333 | 4 |" in card
    assert "1 layers x 16 hidden" in card


def test_shipped_model_loads_offline_and_tags_a_seed_report(monkeypatch, tmp_path):
    from tests.conftest import RAW_DIR

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert (default_model_path() / "model.safetensors").is_file(), "the default model is not shipped"
    size = sum(p.stat().st_size for p in default_model_path().iterdir())
    assert size <= 25 * 2**20
    tagger = Tagger.from_pretrained()
    text = (RAW_DIR / "guali-2023h1.txt").read_text(encoding="utf-8")[:3000]
    spans = tagger.predict(text, town="瓜沥镇")
    labels = {s.label for s in spans}
    assert {"VAL", "UNIT", "IND"} <= labels
    assert any(text[s.start:s.end] == "17.03亿" and s.label == "VAL" for s in spans)
    tagger.save_pretrained(tmp_path)
    assert Tagger.from_pretrained(tmp_path).predict(text, town="瓜沥镇") == spans


def test_rule_feature_model_round_trips_with_its_lexicon(tmp_path):
    from govie.rules import RuleTagger

    torch.manual_seed(0)
    tagger = random_tagger()
    config = tagger.config
    config.rule_features = True
    model = GovieTaggerModel(config)
    rules = RuleTagger(["财政总收入", "地区生产总值"])
    tagger = Tagger(model, tagger.tokenizer, device="cpu", rules=rules)
    with_rules = tagger.char_scores_batch([TEXT], towns=["瓜沥镇"])[0]
    tagger.save_pretrained(tmp_path)
    assert (tmp_path / "rules_lexicon.txt").read_text(encoding="utf-8").split() == ["地区生产总值", "财政总收入"]
    loaded = Tagger.from_pretrained(tmp_path, device="cpu")
    np.testing.assert_array_equal(loaded.char_scores_batch([TEXT], towns=["瓜沥镇"])[0], with_rules)
    (tmp_path / "rules_lexicon.txt").unlink()
    with pytest.raises(ModelLoadError, match="rules_lexicon.txt"):
        Tagger.from_pretrained(tmp_path)
    with pytest.raises(ValueError, match="rule_tag_ids"):
        model(input_ids=torch.tensor([[2, 8, 3]]))


def _tiny_random_tagger(window_length: int) -> Tagger:
    torch.manual_seed(0)
    tokenizer = CharTokenizer(CHARS)
    encoder_config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1,
                                num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    config = GovieTaggerConfig(encoder_config, window_length=window_length, classifier_dropout=0.0)
    return Tagger(GovieTaggerModel(config), tokenizer, device="cpu")


def test_hidden_states_one_vector_per_character_from_the_owning_window():
    text = "瓜沥镇增长12.5%，" * 6 + "元"
    tagger = _tiny_random_tagger(window_length=12)  # 10 characters a window
    (out,) = tagger.char_scores_batch([text], return_hidden=True)
    assert out.hidden.shape == (len(text), 16)
    np.testing.assert_array_equal(out.scores, tagger.char_scores_batch([text])[0])
    assert not tagger.model.encoder._forward_hooks  # the capture hook is removed after the pass
    windows = plan_windows(len(text), size=tagger.tokenizer.max_chars(12), stride=tagger.config.stride)
    owners = np.asarray(owner_of_positions(len(text), windows))
    assert len(windows) > 3
    singles = tagger.char_scores_batch([text[w.start:w.end] for w in windows], return_hidden=True)
    for w, (window, single) in enumerate(zip(windows, singles)):
        owned = np.flatnonzero(owners == w)
        np.testing.assert_allclose(out.hidden[owned], single.hidden[owned - window.start], atol=1e-5)
    with torch.no_grad():  # a text that fits one window: exactly the encoder's last layer, token by token
        short = text[:8]
        ids = torch.tensor([tagger.tokenizer.encode(short).input_ids])
        direct = tagger.model.encoder(input_ids=ids).last_hidden_state[0, 1:-1].numpy()
    (alone,) = tagger.char_scores_batch([short], return_hidden=True)
    np.testing.assert_allclose(alone.hidden, direct, atol=1e-5)
    tagged = tagger.predict_batch_with_hidden([text, ""])
    assert [t.spans for t in tagged] == tagger.predict_batch([text, ""])
    assert tagged[1].hidden.shape == (0, 16)
