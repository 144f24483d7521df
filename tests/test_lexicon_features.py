"""Lexicon-match features: forward maximum matching states, jackknife, persistence, the model path."""

from __future__ import annotations

import pytest
import torch
from transformers import BertConfig

from govie.configuration import GovieTaggerConfig
from govie.document import Document, Meta, Span
from govie.lexicon_features import FEATURE_COUNT, LexiconFeaturizer
from govie.modeling import GovieTaggerModel
from govie.tagger import ModelLoadError, Tagger
from govie.tokenizer import CharTokenizer

TEXT = "实现财政总收入17亿元，财政收入增长"


def test_forward_maximum_matching_marks_begin_middle_end():
    lex = LexiconFeaturizer(["财政总收入", "财政收入", "财政"], ["实现", "增长", "亿元"])
    ids = lex.char_feature_ids(TEXT)
    ind = [i // 5 for i in ids]
    word = [i % 5 for i in ids]
    # 财政总收入 (chars 2-6) is the longest indicator match: B M M M E; 财政收入 later likewise
    assert ind[2:7] == [1, 2, 2, 2, 3]
    assert ind[12:16] == [1, 2, 2, 3]
    assert ind[:2] == [0, 0] and word[:2] == [1, 3]  # 实现 is a word, no indicator
    assert word[16:18] == [1, 3]
    assert all(0 <= i < FEATURE_COUNT for i in ids)


def test_without_drops_names_for_jackknife_and_keeps_words():
    lex = LexiconFeaturizer(["财政总收入", "财政收入"], ["实现"])
    reduced = lex.without(["财政总收入"])
    assert "财政总收入" not in reduced.indicators and "财政收入" in reduced.indicators
    assert reduced.words == lex.words
    # with the long name gone, the shorter one still matches inside it? no: 财政总收入 has no 财政收入 substring
    assert [i // 5 for i in reduced.char_feature_ids(TEXT)][2:7] == [0, 0, 0, 0, 0]


def test_jackknife_lexicon_ids_leave_out_names_only_the_document_has():
    training = pytest.importorskip("govie.training")
    a = Document("a", "新增高新技术企业5家", Meta(town="x镇"), [Span(0, "IND", 0, 8, "新增高新技术企业")])
    b = Document("b", "新增高新技术企业3家，新增专精特新企业2家",
                 Meta(town="x镇"), [Span(0, "IND", 0, 8, "新增高新技术企业"), Span(1, "IND", 11, 19, "新增专精特新企业")])
    lex = training.training_lexicon([a, b], ["企业"])
    ids = training.jackknife_lexicon_ids([a, b], lex)
    # 新增高新技术企业 comes from both documents, so each keeps it; 新增专精特新企业 only from b, so b loses it
    assert ids["a"][0] // 5 == 1 and ids["b"][0] // 5 == 1
    assert ids["b"][11] // 5 == 0
    assert lex.char_feature_ids(b.text)[11] // 5 == 1


def _tiny_tagger() -> Tagger:
    torch.manual_seed(0)
    tok = CharTokenizer(list(TEXT))
    encoder = BertConfig(vocab_size=tok.vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=64)
    config = GovieTaggerConfig(encoder, window_length=32, stride=24, lexicon_features=True)
    return Tagger(GovieTaggerModel(config), tok, device="cpu",
                  lexicon=LexiconFeaturizer(["财政总收入"], ["实现"]))


def test_lexicon_features_change_the_scores_and_round_trip(tmp_path):
    tagger = _tiny_tagger()
    with_lexicon = tagger.char_scores_batch([TEXT])[0]
    tagger.lexicon = LexiconFeaturizer([], [])
    without = tagger.char_scores_batch([TEXT])[0]
    assert not (with_lexicon == without).all()
    tagger.lexicon = LexiconFeaturizer(["财政总收入"], ["实现"])
    tagger.save_pretrained(tmp_path / "m")
    loaded = Tagger.from_pretrained(tmp_path / "m", device="cpu")
    assert loaded.lexicon.indicators == {"财政总收入"}
    assert (loaded.char_scores_batch([TEXT])[0] == pytest.approx(with_lexicon, abs=1e-5))


def test_a_lexicon_model_without_its_word_list_is_a_named_load_error(tmp_path):
    tagger = _tiny_tagger()
    tagger.save_pretrained(tmp_path / "m")
    (tmp_path / "m" / "lexicon_words.txt").unlink()
    with pytest.raises(ModelLoadError, match="lexicon_words.txt"):
        Tagger.from_pretrained(tmp_path / "m", device="cpu")


def test_the_model_refuses_a_forward_pass_without_lexicon_ids():
    tagger = _tiny_tagger()
    with pytest.raises(ValueError, match="lexicon_ids"):
        tagger.model(input_ids=torch.tensor([[2, 5, 3]]))
