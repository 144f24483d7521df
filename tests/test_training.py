"""Training data and loops on tiny inputs (no downloads, seconds)."""

from __future__ import annotations

import pytest
import torch
from transformers import BertConfig

from govie.document import Document, Meta, Span
from govie.labels import BIO_TAGS, spans_to_bio
from govie.tokenizer import IGNORE_INDEX, SPECIAL_TOKENS, CharTokenizer

training = pytest.importorskip("govie.training")

TEXT = "上半年，瓜沥镇实现财政总收入17.03亿元，同比增长42.87%。" * 3


def tiny_doc() -> Document:
    spans, offset, i = [], 0, 0
    for _ in range(3):
        for label, start, end in [("PER", 0, 3), ("TOWN", 4, 7), ("IND", 9, 14), ("VAL", 14, 20), ("UNIT", 20, 21),
                                  ("VAL", 27, 32), ("UNIT", 32, 33)]:
            spans.append(Span(i, label, offset + start, offset + end, TEXT[offset + start:offset + end]))
            i += 1
        offset += len(TEXT) // 3
    return Document("tiny", TEXT, Meta(town="瓜沥镇"), spans)


def test_tagging_examples_label_first_characters_and_never_cut_spans():
    doc = tiny_doc()
    tok = CharTokenizer.build([TEXT], min_count=1)
    examples = training.tagging_examples([doc], tok, max_length=20, stride=10)
    gold = spans_to_bio(len(TEXT), doc.spans)
    covered = set()
    for ex in examples:
        labels = ex["labels"]
        assert labels[0] == IGNORE_INDEX and labels[-1] == IGNORE_INDEX
        chars = [BIO_TAGS[i] for i in labels[1:-1]]
        assert chars == gold[ex["start"]:ex["start"] + len(chars)]
        assert not chars[0].startswith("I-")  # the planner never starts a window inside a span
        covered.update(range(ex["start"], ex["start"] + len(chars)))
    assert covered == set(range(len(TEXT)))


def test_masking_collator_masks_about_15_percent_and_never_specials():
    tok = CharTokenizer.build([TEXT], min_count=1)
    torch.manual_seed(0)
    batch = training.MaskingCollator(tok)([{"input_ids": tok.encode(TEXT).input_ids}] * 8
                                           + [{"input_ids": tok.encode("增长").input_ids}])
    chosen = batch["labels"] != IGNORE_INDEX
    ratio = chosen[:8].float().mean().item()
    assert 0.08 < ratio < 0.22
    assert not chosen[:, 0].any()
    assert batch["attention_mask"][8].sum() == 4 and not chosen[8, 4:].any()
    replaced = batch["input_ids"][chosen]
    assert ((replaced == tok.mask_token_id) | (replaced >= len(SPECIAL_TOKENS))).all()


def test_seqeval_scores_are_strict_iob2():
    gold = [["B-VAL", "I-VAL", "O", "B-UNIT"]]
    pred = [["I-VAL", "I-VAL", "O", "B-UNIT"]]  # lenient scoring would count the stray I- span
    scores = training.seqeval_scores(gold, pred)
    assert scores["VAL"]["f1"] == 0.0
    assert scores["UNIT"]["f1"] == 1.0
    assert scores["micro avg"]["precision"] == 1.0 and scores["micro avg"]["recall"] == 0.5


def test_trainer_rejects_a_dataset_without_labels():
    from datasets import Dataset

    with pytest.raises(ValueError, match="tagging_examples"):
        training.TaggerTrainer(model=None, train_dataset=Dataset.from_dict({"input_ids": [[1, 2]]}))


def test_fine_tune_from_a_tiny_encoder_learns_the_training_document(tmp_path):
    from govie.configuration import GovieTaggerConfig
    from govie.modeling import GovieTaggerModel
    from govie.tagger import Tagger

    torch.manual_seed(0)
    tok = CharTokenizer.build([TEXT], min_count=1)
    encoder = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=64)
    tagger = Tagger(GovieTaggerModel(GovieTaggerConfig(encoder, window_length=40, stride=30)), tok, device="cpu")
    settings = {"max_length": 40, "stride": 30, "batch_size": 4, "learning_rate": 1e-2, "warmup_ratio": 0.1,
                "weight_decay": 0.0, "epochs": 60, "patience": 2, "threads": 1}
    doc = tiny_doc()
    history = training.fine_tune(tagger, [doc], None, settings=settings, seed=1, output_dir=tmp_path)
    losses = [h["loss"] for h in history if "loss" in h]
    assert losses[-1] < losses[0] / 2
    scores = training.span_scores(tagger, [doc])
    assert scores["micro avg"]["f1"] > 0.8


def test_correction_weight_upweights_tokens_where_gold_differs_from_the_rule_tag(tmp_path):
    from transformers import TrainingArguments

    from govie.configuration import GovieTaggerConfig
    from govie.modeling import GovieTaggerModel

    torch.manual_seed(0)
    encoder = BertConfig(vocab_size=20, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=16)
    model = GovieTaggerModel(GovieTaggerConfig(encoder, window_length=8, stride=8, rule_features=True)).eval()
    inputs = {"input_ids": torch.tensor([[2, 5, 6, 7, 3]]), "attention_mask": torch.ones(1, 5, dtype=torch.long),
              "labels": torch.tensor([[IGNORE_INDEX, 1, 2, 0, IGNORE_INDEX]]),
              "rule_tag_ids": torch.tensor([[0, 1, 0, 0, 0]])}  # the rules miss the I- tag of token 2
    args = TrainingArguments(output_dir=str(tmp_path), report_to=[], use_cpu=True)
    trainer = training.TaggerTrainer(model=model, args=args, correction_weight=4.0)
    loss = trainer.compute_loss(model, dict(inputs))
    with torch.no_grad():
        logits = model(**{k: v for k, v in inputs.items() if k != "labels"}).logits[0, 1:4]
    per_token = torch.nn.functional.cross_entropy(logits, torch.tensor([1, 2, 0]), reduction="none")
    expected = (per_token[0] + 4.0 * per_token[1] + per_token[2]) / 6.0
    assert torch.allclose(loss, expected, atol=1e-6)
    plain = training.TaggerTrainer(model=model, args=args).compute_loss(model, dict(inputs))
    assert torch.allclose(plain, per_token.mean(), atol=1e-6)
