"""Tokenization keeps character offsets exact; tags round-trip between characters and tokens."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govie.decoding import viterbi_decode
from govie.labels import BIO_TAGS, TAG_TO_ID, LabeledRange, spans_to_bio
from govie.tokenizer import (CharTokenizer, Encoding, TokenizerError, char_tags_to_token_labels, load_tokenizer,
                             token_scores_to_char_scores)

MIXED = "上半年，实现GDP 17.03亿元\n同比增长４２.８７％（ABC）\t“八八战略”　😀"


@pytest.fixture(scope="module")
def tokenizer():
    return CharTokenizer.build([MIXED, "财政总收入", "GDP"], min_count=1)


def test_one_token_per_character_with_exact_offsets(tokenizer):
    enc = tokenizer.encode(MIXED)
    assert len(enc) == len(MIXED) + 2
    assert enc.offsets[0] is None and enc.offsets[-1] is None
    for i, (start, end) in enumerate(enc.offsets[1:-1]):
        assert (start, end) == (i, i + 1)
        assert MIXED[start:end] == MIXED[i]


def test_whitespace_full_width_and_unknown_get_tokens(tokenizer):
    tok = tokenizer.id_to_token
    ids = tokenizer.encode(" \n\t　😀４").input_ids[1:-1]
    assert [tok[i] for i in ids[:4]] == ["[SPACE]", "[NL]", "[SPACE]", "[SPACE]"]
    assert tok[ids[5]] == "4"  # full-width digit folds to its NFKC form
    fresh = CharTokenizer(["a"])
    assert fresh.id_to_token[fresh.encode("龘").input_ids[1]] == "[UNK]"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("上半年亿元%％１2. \n\tABCa，、")), max_size=40), st.integers(0, 1000))
def test_offsets_follow_the_text_for_any_input(text, offset):
    tok = CharTokenizer(list("上半年亿元%2"))
    enc = tok.encode(text, offset=offset)
    assert [o for o in enc.offsets if o is not None] == [(offset + i, offset + i + 1) for i in range(len(text))]


def test_save_and_load_round_trip(tokenizer, tmp_path):
    tokenizer.save_pretrained(tmp_path)
    loaded = load_tokenizer(tmp_path)
    assert isinstance(loaded, CharTokenizer)
    assert loaded.id_to_token == tokenizer.id_to_token
    assert loaded.encode(MIXED).input_ids == tokenizer.encode(MIXED).input_ids


def test_missing_or_corrupt_vocabulary_names_the_file(tokenizer, tmp_path):
    with pytest.raises(TokenizerError, match="vocab.txt"):
        CharTokenizer.from_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\noops\n", encoding="utf-8")
    with pytest.raises(TokenizerError, match=r"vocab.txt:3"):
        CharTokenizer.from_pretrained(tmp_path)


def test_labels_of_multi_character_tokens_spread_back():
    # A WordPiece-like encoding: "17.03" one token, "亿" one token, a dropped space.
    text = "增长 17.03亿元"
    enc = Encoding([2, 10, 11, 12, 13, 14, 3], [None, (0, 1), (1, 2), (3, 8), (8, 9), (9, 10), None])
    gold = spans_to_bio(len(text), [LabeledRange("VAL", 3, 9), LabeledRange("UNIT", 9, 10)])
    labels = char_tags_to_token_labels(gold, enc, TAG_TO_ID)
    assert [BIO_TAGS[i] if i >= 0 else None for i in labels] == [None, "O", "O", "B-VAL", "I-VAL", "B-UNIT", None]
    token_scores = np.full((len(enc), len(BIO_TAGS)), -10.0)
    for row, label in enumerate(labels):
        if label >= 0:
            token_scores[row, label] = 0.0
    chars = token_scores_to_char_scores(token_scores, enc, len(text), BIO_TAGS)
    decoded = [BIO_TAGS[i] for i in viterbi_decode(chars, BIO_TAGS)]
    assert decoded == gold



def wordpiece_adapter(tmp_path):
    from transformers import BertTokenizerFast

    from govie.tokenizer import HFTokenizerAdapter

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "增", "长", "亿", "元", "17", "##.", "##03", ".", "03",
             "abc", "%", "42", "##.87"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    return HFTokenizerAdapter(BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt"), do_lower_case=True))


def test_hf_wordpiece_offsets_point_into_the_text(tmp_path):
    adapter = wordpiece_adapter(tmp_path)
    text = "增长 17.03亿元，ABC\n42.87%"
    enc = adapter.encode(text, offset=5)
    assert enc.offsets[0] is None and enc.offsets[-1] is None
    pieces = [text[s - 5:e - 5] for s, e in enc.offsets[1:-1]]
    assert "17" in pieces and "亿" in pieces and "ABC" in pieces
    starts = [s for s, _ in enc.offsets[1:-1]]
    assert starts == sorted(starts)


def test_hf_tags_spread_back_over_characters(tmp_path):
    adapter = wordpiece_adapter(tmp_path)
    text = "增长 17.03亿元"
    enc = adapter.encode(text)
    gold = spans_to_bio(len(text), [LabeledRange("VAL", 3, 9), LabeledRange("UNIT", 9, 10)])
    labels = char_tags_to_token_labels(gold, enc, TAG_TO_ID)
    token_scores = np.full((len(enc), len(BIO_TAGS)), -10.0)
    for row, label in enumerate(labels):
        if label >= 0:
            token_scores[row, label] = 0.0
    chars = token_scores_to_char_scores(token_scores, enc, len(text), BIO_TAGS)
    assert [BIO_TAGS[i] for i in viterbi_decode(chars, BIO_TAGS)] == gold
    adapter.save_pretrained(tmp_path / "saved")
    assert load_tokenizer(tmp_path / "saved").encode(text).input_ids == enc.input_ids
