"""Training support for the tagger: config files, data for MLM and tagging, the Trainer subclass.

Used by the scripts in ``training/``; inference modules (tagger, modeling, decoding) never import it.
"""

from __future__ import annotations

import json
import logging
import lzma
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import torch
from transformers import Trainer, TrainerCallback

from govie.document import Document, read_documents
from govie.labels import BIO_TAGS, spans_to_bio
from govie.tokenizer import (IGNORE_INDEX, SPECIAL_TOKENS, CharTokenizer, char_tags_to_token_labels,
                             token_feature_ids)
from govie.windows import plan_windows

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent


def load_config(path: str | Path) -> dict[str, Any]:
    """A training config (JSON); errors name the file."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SystemExit(f"{path}: config file missing") from None
    except json.JSONDecodeError as err:
        raise SystemExit(f"{path}:{err.lineno}: bad JSON ({err.msg})") from None


def first_existing(candidates: str | Sequence[str], *, root: Path = REPO_ROOT) -> Path:
    """The first of the candidate paths (relative to the repository) that exists."""
    if isinstance(candidates, str):
        candidates = [candidates]
    for candidate in candidates:
        path = (root / candidate).resolve()
        if path.exists() and (path.is_dir() or path.stat().st_size > 0):
            return path
    raise SystemExit(f"none of these paths exists: {', '.join(candidates)}")


def repo_path(relative: str) -> Path:
    return (REPO_ROOT / relative).resolve()


def read_unlabeled(path: Path, *, exclude: Iterable[str] = ()) -> list[str]:
    """Report texts of a JSONL corpus (``.jsonl`` or ``.jsonl.xz``, one ``{"text": ...}`` a line),
    without the reports whose ``id`` is in ``exclude`` (the sources of the test documents)."""
    opener = lzma.open if path.suffix == ".xz" else open
    excluded = set(exclude)
    texts = []
    with opener(path, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise SystemExit(f"{path}:{number}: expected a JSON object with 'text'") from None
            if record.get("id") not in excluded:
                texts.append(text)
    return texts


def test_ids(splits_path: Path) -> set[str]:
    """The ``test`` list of a splits file (empty when there is none): documents for scoring only."""
    if not splits_path.is_file():
        return set()
    return set(json.loads(splits_path.read_text(encoding="utf-8")).get("test", []))


def test_sources(splits_path: Path, gold_docs: Iterable[Document]) -> list[str]:
    """Ids of the unlabeled reports that test documents were cut from (their ``source`` field reads
    ``unlabeled/reports.jsonl <id> [start:end]``): no training stage may read those texts."""
    held_out = test_ids(splits_path)
    out = []
    for doc in gold_docs:
        if doc.id in held_out and doc.source and doc.source.startswith("unlabeled/"):
            parts = doc.source.split()
            if len(parts) >= 2:
                out.append(parts[1])
    return sorted(set(out))


def read_gold(path: Path) -> list[Document]:
    return sorted(read_documents(path), key=lambda d: d.id)


def training_texts(config: dict[str, Any], *, with_gold: bool = False) -> tuple[list[str], list[str]]:
    """The report texts a training stage may read, and the ids of the unlabeled reports left out:
    the unlabeled corpus without the sources of the test documents (plus, ``with_gold``, the texts of
    the gold documents that are not test documents)."""
    paths = config["paths"]
    docs = read_gold(first_existing(paths["gold"]))
    splits = repo_path(paths["splits"])
    held_back = test_sources(splits, docs)
    texts = read_unlabeled(first_existing(paths["unlabeled"]), exclude=held_back)
    if with_gold:
        held_out = test_ids(splits)
        texts += [doc.text for doc in docs if doc.id not in held_out]
    return texts, held_back


def set_seed(seed: int) -> None:
    from transformers import set_seed as hf_set_seed

    random.seed(seed)
    hf_set_seed(seed)


# ---------------------------------------------------------------------------------------------
# Masked-language-model pretraining data


def mlm_chunks(texts: Iterable[str], tokenizer: CharTokenizer, max_length: int) -> list[list[int]]:
    """Consecutive pieces of ``max_length - 2`` characters, each encoded with [CLS]/[SEP]."""
    size = tokenizer.max_chars(max_length)
    chunks = []
    for text in texts:
        for start in range(0, len(text), size):
            piece = text[start:start + size]
            if len(piece.strip()) >= 16:
                chunks.append(tokenizer.encode(piece).input_ids)
    return chunks


@dataclass
class MaskingCollator:
    """BERT masking (15%: 80% [MASK], 10% random, 10% kept) over govie's character vocabulary."""

    tokenizer: CharTokenizer
    mlm_probability: float = 0.15

    def __call__(self, batch: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        width = max(len(item["input_ids"]) for item in batch)
        ids = torch.full((len(batch), width), self.tokenizer.pad_token_id, dtype=torch.long)
        for row, item in enumerate(batch):
            ids[row, :len(item["input_ids"])] = torch.tensor(item["input_ids"])
        attention = (ids != self.tokenizer.pad_token_id).long()
        labels = ids.clone()
        special = (ids == self.tokenizer.pad_token_id) | (ids == self.tokenizer.cls_token_id) | (
            ids == self.tokenizer.sep_token_id)
        chosen = torch.bernoulli(torch.full(ids.shape, self.mlm_probability)).bool() & ~special
        labels[~chosen] = IGNORE_INDEX
        masked = torch.bernoulli(torch.full(ids.shape, 0.8)).bool() & chosen
        ids[masked] = self.tokenizer.mask_token_id
        randomized = torch.bernoulli(torch.full(ids.shape, 0.5)).bool() & chosen & ~masked
        ids[randomized] = torch.randint(len(SPECIAL_TOKENS), self.tokenizer.vocab_size, ids.shape)[randomized]
        return {"input_ids": ids, "attention_mask": attention, "labels": labels}


def masked_lm_class(model_type: str = "bert"):
    """A masked-LM class (``bert``: post-LN BERT; ``roberta-prelayernorm``: pre-LN) whose loss runs
    the vocabulary projection on the masked positions only (15% of tokens): the same loss and the
    same saved weights, about a third less compute on CPU."""
    from transformers import BertForMaskedLM, RobertaPreLayerNormForMaskedLM
    from transformers.modeling_outputs import MaskedLMOutput

    bases = {"bert": BertForMaskedLM, "roberta-prelayernorm": RobertaPreLayerNormForMaskedLM}
    if model_type not in bases:
        raise ValueError(f"pretraining supports model types {sorted(bases)}, not {model_type!r}")

    class SparseMaskedLM(bases[model_type]):
        def forward(self, input_ids=None, attention_mask=None, labels=None, **kwargs):
            kwargs.pop("num_items_in_batch", None)
            if labels is None:
                return super().forward(input_ids=input_ids, attention_mask=attention_mask, **kwargs)
            hidden = self.base_model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            chosen = labels != IGNORE_INDEX
            head = self.cls if hasattr(self, "cls") else self.lm_head
            logits = head(hidden[chosen])
            loss = torch.nn.functional.cross_entropy(logits, labels[chosen])
            return MaskedLMOutput(loss=loss, logits=logits)

    SparseMaskedLM.__name__ = f"Sparse{bases[model_type].__name__}"
    return SparseMaskedLM


def word2vec_embeddings(texts: Iterable[str], tokenizer: CharTokenizer, *, dim: int, seed: int,
                        epochs: int = 5, workers: int = 2) -> "np.ndarray":
    """Skip-gram character vectors (gensim) over the texts, one row per vocabulary id, scaled to the
    encoder's initializer range: an encoder starts from characters that already know their contexts.
    Characters the texts never show keep random rows."""
    import numpy as np
    from gensim.models import Word2Vec

    logging.getLogger("gensim").setLevel(logging.WARNING)
    sentences = [[str(i) for i in tokenizer.encode(line).input_ids[1:-1]]
                 for text in texts for line in text.split("\n") if line.strip()]
    model = Word2Vec(sentences, vector_size=dim, window=5, min_count=1, sg=1, negative=5, epochs=epochs,
                     workers=workers, seed=seed)
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0.0, 1.0, (tokenizer.vocab_size, dim)).astype("float32")
    for token_id in range(tokenizer.vocab_size):
        if str(token_id) in model.wv:
            matrix[token_id] = model.wv[str(token_id)]
    return (matrix - matrix.mean(axis=0)) / matrix.std()


# ---------------------------------------------------------------------------------------------
# Token-classification data


def tagging_examples(docs: Sequence[Document], tokenizer, *, max_length: int, stride: int,
                     tags: Sequence[str] = BIO_TAGS,
                     rule_tags: dict[str, list[str]] | None = None,
                     lexicon_ids: dict[str, list[int]] | None = None) -> list[dict[str, Any]]:
    """Overlapping windows over each document that never cut a gold span, with token labels
    (and, given ``rule_tags`` = character tags of the rule tagger by document id, rule features;
    given ``lexicon_ids`` = character lexicon feature ids by document id, lexicon features)."""
    tag_to_id = {tag: i for i, tag in enumerate(tags)}
    size = tokenizer.max_chars(max_length)
    examples = []
    for doc in docs:
        char_tags = spans_to_bio(len(doc.text), doc.spans)
        protected = [(s.start, s.end) for s in doc.spans]
        for window in plan_windows(len(doc.text), size=size, stride=min(stride, size), protected=protected):
            encoding = tokenizer.encode(doc.text[window.start:window.end], offset=window.start)
            labels = char_tags_to_token_labels(char_tags, encoding, tag_to_id)
            example = {"input_ids": encoding.input_ids, "labels": labels, "doc_id": doc.id, "start": window.start}
            if rule_tags is not None:
                example["rule_tag_ids"] = token_feature_ids(rule_tags[doc.id], encoding, tag_to_id)
            if lexicon_ids is not None:
                chars = lexicon_ids[doc.id]
                example["lexicon_ids"] = [chars[span[0]] if span is not None else 0 for span in encoding.offsets]
            examples.append(example)
    return examples


@dataclass
class TaggingCollator:
    pad_token_id: int

    def __call__(self, batch: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        width = max(len(item["input_ids"]) for item in batch)
        ids = torch.full((len(batch), width), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        out = {"input_ids": ids, "attention_mask": attention, "labels": labels}
        extra = {name: torch.zeros((len(batch), width), dtype=torch.long)
                 for name in ("rule_tag_ids", "lexicon_ids") if name in batch[0]}
        for row, item in enumerate(batch):
            n = len(item["input_ids"])
            ids[row, :n] = torch.tensor(item["input_ids"])
            labels[row, :n] = torch.tensor(item["labels"])
            attention[row, :n] = 1
            for name, tensor in extra.items():
                tensor[row, :n] = torch.tensor(item[name])
        out.update(extra)
        return out


def jackknife_rule_tags(docs: Sequence[Document], lexicon_docs: Sequence[Document]) -> dict[str, list[str]]:
    """Character tags of the rule tagger for each document, its lexicon built from ``lexicon_docs``
    minus the document itself: training features as noisy as those of an unseen report."""
    from govie.rules import RuleTagger

    out = {}
    for doc in docs:
        rules = RuleTagger.from_documents([d for d in lexicon_docs if d.id != doc.id])
        out[doc.id] = spans_to_bio(len(doc.text), rules.predict(doc.text, town=doc.meta.town))
    return out


def jackknife_lexicon_ids(docs: Sequence[Document], lexicon) -> dict[str, list[int]]:
    """Character lexicon feature ids of each document, without the indicator names that only the
    document itself contributed to ``lexicon`` (:class:`govie.lexicon_features.LexiconFeaturizer`)."""
    from collections import Counter

    sources = Counter(name for doc in docs for name in {s.text.strip() for s in doc.spans if s.label == "IND"})
    out = {}
    for doc in docs:
        own = {s.text.strip() for s in doc.spans if s.label == "IND"}
        out[doc.id] = lexicon.without(name for name in own if sources[name] == 1).char_feature_ids(doc.text)
    return out


def training_lexicon(train_docs: Sequence[Document], words: Iterable[str]):
    """The featurizer a model ships with: govie's builtin indicator names, the training documents'
    IND texts and the word list."""
    from govie.lexicon_features import LexiconFeaturizer
    from govie.rules import BUILTIN_LEXICON, read_lexicon

    names = set(read_lexicon(BUILTIN_LEXICON))
    names.update(s.text.strip() for doc in train_docs for s in doc.spans if s.label == "IND")
    return LexiconFeaturizer(names, words)


def seqeval_scores(gold: list[list[str]], pred: list[list[str]]) -> dict[str, Any]:
    """Strict IOB2 entity scores (seqeval): per label and micro precision/recall/F1."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    report = classification_report(gold, pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    return {label: {"precision": v["precision"], "recall": v["recall"], "f1": v["f1-score"],
                    "support": int(v["support"])}
            for label, v in report.items() if label not in ("macro avg", "weighted avg")}


def make_compute_metrics(tags: Sequence[str]):
    """Trainer metrics on windows: seqeval strict IOB2 over the labelled tokens."""
    from govie.decoding import viterbi_decode

    def compute(eval_prediction) -> dict[str, float]:
        logits, labels = eval_prediction.predictions, eval_prediction.label_ids
        gold, pred = [], []
        for row_logits, row_labels in zip(logits, labels):
            keep = row_labels != IGNORE_INDEX
            if not keep.any():
                continue
            log_probs = torch.log_softmax(torch.as_tensor(row_logits[keep]).float(), dim=-1).numpy()
            gold.append([tags[i] for i in row_labels[keep]])
            pred.append([tags[i] for i in viterbi_decode(log_probs, tags)])
        scores = seqeval_scores(gold, pred)
        out = {"f1": scores["micro avg"]["f1"], "precision": scores["micro avg"]["precision"],
               "recall": scores["micro avg"]["recall"]}
        out.update({f"f1_{label}": v["f1"] for label, v in scores.items() if label != "micro avg"})
        return out

    return compute


class TaggerTrainer(Trainer):
    """A thin ``Trainer`` for the tagger: checks the dataset columns with an error that shows the
    fix, keeps the columns it needs, and always reports seqeval strict IOB2 scores."""

    REQUIRED_COLUMNS = ("input_ids", "labels")

    def __init__(self, *args, tags: Sequence[str] = BIO_TAGS, correction_weight: float = 1.0, **kwargs):
        for name in ("train_dataset", "eval_dataset"):
            dataset = kwargs.get(name)
            if dataset is not None:
                missing = [c for c in self.REQUIRED_COLUMNS if c not in dataset.column_names]
                if missing:
                    raise ValueError(f"{name} lacks columns {missing}; build it with "
                                     f"govie.training.tagging_examples(docs, tokenizer, ...)")
        kwargs.setdefault("compute_metrics", make_compute_metrics(tags))
        super().__init__(*args, **kwargs)
        self.args.remove_unused_columns = True
        self.correction_weight = correction_weight

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        """Cross-entropy where tokens whose gold tag differs from the rule tag weigh
        ``correction_weight``: those are what a model reading rule features must learn to fix."""
        if self.correction_weight == 1.0 or "rule_tag_ids" not in inputs:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        logits = outputs.logits
        keep = labels != IGNORE_INDEX
        weights = torch.where(labels != inputs["rule_tag_ids"], self.correction_weight, 1.0)[keep]
        losses = torch.nn.functional.cross_entropy(logits[keep].float(), labels[keep], reduction="none")
        loss = (losses * weights).sum() / weights.sum()
        return (loss, outputs) if return_outputs else loss


class LogCallback(TrainerCallback):
    """Progress and metrics to the log (the scripts tee it to runs/*.log)."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs:
            shown = {k: round(v, 4) if isinstance(v, float) else v for k, v in logs.items()}
            logger.info("step %d/%d %s", state.global_step, state.max_steps, shown)


# ---------------------------------------------------------------------------------------------
# Fine-tuning


def initial_tagger(init: str | Path, *, settings: dict[str, Any]):
    """The starting point of fine-tuning, from ``init``:

    - a govie tagger folder (``config.json`` with model_type ``govie-tagger``): continue training it;
    - a govie MLM encoder folder (``vocab.txt`` + a BERT ``config.json``, from ``pretrain.py``);
    - any Hugging Face encoder name or folder with a fast tokenizer (``bert-base-chinese``...).
    """
    from govie.configuration import GovieTaggerConfig
    from govie.modeling import GovieTaggerModel
    from govie.tagger import Tagger
    from govie.tokenizer import VOCAB_FILE, HFTokenizerAdapter, load_tokenizer

    path = Path(init)
    config_file = path / "config.json"
    if config_file.is_file() and json.loads(config_file.read_text(encoding="utf-8")).get(
            "model_type") == GovieTaggerConfig.model_type:
        tagger = Tagger.from_pretrained(path, device="cpu")
        tagger.model.config.classifier_dropout = settings.get("classifier_dropout", 0.1)
        return tagger
    kwargs = {"window_length": settings["max_length"], "stride": settings["stride"],
              "classifier_dropout": settings.get("classifier_dropout", 0.1),
              "rule_features": settings.get("rule_features", False),
              "rule_feature_dropout": settings.get("rule_feature_dropout", 0.0),
              "lexicon_features": settings.get("lexicon_features", False)}
    if (path / VOCAB_FILE).is_file() and (path / "tokenizer_config.json").is_file():
        tokenizer = load_tokenizer(path)
        kind = "char" if isinstance(tokenizer, CharTokenizer) else "hf"
    else:
        tokenizer, kind = HFTokenizerAdapter.from_pretrained(init), "hf"
    model = GovieTaggerModel.from_encoder(init, tokenizer_kind=kind, **kwargs)
    return Tagger(model, tokenizer, device="cpu")


def span_scores(tagger, docs: Sequence[Document], *, batch_size: int = 16) -> dict[str, Any]:
    """seqeval strict IOB2 scores of the tagger on whole documents (windows merged, as at inference)."""
    predictions = tagger.predict_batch([d.text for d in docs], towns=[d.meta.town for d in docs],
                                       batch_size=batch_size)
    return seqeval_scores([spans_to_bio(len(d.text), d.spans) for d in docs],
                          [spans_to_bio(len(d.text), p) for d, p in zip(docs, predictions)])


def fine_tune(tagger, train_docs: Sequence[Document], dev_docs: Sequence[Document] | None, *,
              settings: dict[str, Any], seed: int, output_dir: str | Path, epochs: int | None = None,
              words: Iterable[str] | None = None):
    """Fine-tune ``tagger`` in place on the gold windows of ``train_docs``.

    With ``dev_docs``, evaluates every epoch (seqeval micro F1 on dev windows), stops early after
    ``patience`` epochs without gain and keeps the best epoch; without, trains ``epochs`` epochs.
    A ``lexicon_features`` model gets its featurizer from the training documents and ``words``.
    Returns the Trainer's log history.
    """
    import math

    from datasets import Dataset
    from transformers import EarlyStoppingCallback, TrainingArguments

    set_seed(seed)
    torch.set_num_threads(settings.get("threads", torch.get_num_threads()))
    tags = tagger.tags
    train_stride = settings.get("train_stride", settings["stride"])
    use_rules = tagger.config.rule_features
    use_lexicon = tagger.config.lexicon_features
    columns = ("input_ids", "labels") + (("rule_tag_ids",) if use_rules else ()) + \
        (("lexicon_ids",) if use_lexicon else ())
    if use_rules:
        from govie.rules import RuleTagger

        tagger.rules = RuleTagger.from_documents(train_docs)
    if use_lexicon:
        if words is None:
            raise ValueError("a lexicon_features model needs the word list (finetune.word_list)")
        tagger.lexicon = training_lexicon(train_docs, words)

    def dataset(docs, *, training: bool):
        features = jackknife_rule_tags(docs, train_docs) if use_rules else None
        if not use_lexicon:
            lexical = None
        elif training:
            lexical = jackknife_lexicon_ids(docs, tagger.lexicon)
        else:
            lexical = {doc.id: tagger.lexicon.char_feature_ids(doc.text) for doc in docs}
        examples = tagging_examples(docs, tagger.tokenizer, max_length=settings["max_length"],
                                    stride=train_stride, tags=tags, rule_tags=features, lexicon_ids=lexical)
        return Dataset.from_dict({c: [e[c] for e in examples] for c in columns})

    train = dataset(train_docs, training=True)
    dev = dataset(dev_docs, training=False) if dev_docs else None
    epochs = epochs or settings["epochs"]
    steps = math.ceil(len(train) / settings["batch_size"]) * epochs
    strategy = "epoch" if dev is not None else "no"
    args = TrainingArguments(
        output_dir=str(output_dir), num_train_epochs=epochs, per_device_train_batch_size=settings["batch_size"],
        per_device_eval_batch_size=settings["batch_size"] * 2, learning_rate=settings["learning_rate"],
        warmup_steps=math.ceil(settings["warmup_ratio"] * steps), lr_scheduler_type="linear",
        weight_decay=settings["weight_decay"], eval_strategy=strategy, save_strategy=strategy, save_total_limit=2,
        load_best_model_at_end=dev is not None, metric_for_best_model="f1", greater_is_better=True,
        logging_steps=10, seed=seed, data_seed=seed, report_to=[], dataloader_num_workers=0, disable_tqdm=True,
        use_cpu=not torch.cuda.is_available())
    callbacks = [LogCallback()]
    if dev is not None:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=settings["patience"]))
    logger.info("fine-tuning on %d windows from %d documents (%s dev windows), %d epochs max",
                len(train), len(train_docs), len(dev) if dev is not None else "no", epochs)
    trainer = TaggerTrainer(model=tagger.model, args=args, train_dataset=train, eval_dataset=dev,
                            data_collator=TaggingCollator(tagger.tokenizer.pad_token_id), tags=tags,
                            correction_weight=settings.get("correction_weight", 1.0),
                            callbacks=callbacks)
    trainer.train()
    tagger.model = trainer.model.to(tagger.device).eval()
    return trainer.state.log_history
