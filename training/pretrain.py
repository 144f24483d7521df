"""Stage 2: masked-language-model pretraining of the compact character encoder on the unlabeled reports.

    python training/pretrain.py                                     # training/configs/default.json
    python training/pretrain.py --init runs/pretrain --output runs/pretrain-2   # continue a run in pieces
    python training/pretrain.py --max-steps 50 --eval-every 25      # a quick check

Runs on the GPU when one is visible, else on CPU with ``pretrain.threads`` threads. Fixed seed.
Every ``pretrain.eval_every`` steps the held-out perplexity (a fixed set of masked chunks, 1 in 50,
always masked at 15% so that runs with other masking rates compare) goes to the log and to the
curve in ``pretrain_metrics.json`` (step, seconds, perplexity): the figures of training/README.md.

Recipe switches (``pretrain`` in the config): ``architecture`` (``bert``: post-LN, or
``roberta-prelayernorm``: pre-LN), ``mlm_probability``, ``embedding_init`` (``word2vec``: start
the character embeddings from skip-gram vectors trained on the same texts, a minute of CPU).
The reports the test documents were cut from (``corpora/splits.json`` test list) are left out.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import AutoConfig, Trainer, TrainerCallback, TrainingArguments  # noqa: E402

from govie.tokenizer import IGNORE_INDEX, CharTokenizer  # noqa: E402
from govie.training import (LogCallback, MaskingCollator, load_config, masked_lm_class, mlm_chunks,  # noqa: E402
                            repo_path, set_seed, training_texts, word2vec_embeddings)

logger = logging.getLogger("govie.training")
HELDOUT_EVERY = 50
HELDOUT_MASKING = 0.15


class HeldoutCurve(TrainerCallback):
    """Held-out perplexity on fixed masked chunks every ``every`` steps, written as it goes."""

    def __init__(self, batches: list[dict[str, torch.Tensor]], every: int, path: Path, began: float,
                 offset_steps: int = 0, offset_seconds: float = 0.0):
        self.batches, self.every, self.path, self.began = batches, every, path, began
        self.offset_steps, self.offset_seconds = offset_steps, offset_seconds
        self.curve: list[dict[str, float]] = []

    def perplexity(self, model) -> float:
        was_training = model.training
        model.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for batch in self.batches:
                batch = {k: v.to(model.device) for k, v in batch.items()}
                loss = model(**batch).loss
                n = int((batch["labels"] != IGNORE_INDEX).sum())
                total, count = total + float(loss) * n, count + n
        model.train(was_training)
        return math.exp(total / max(count, 1))

    def record(self, model, step: int) -> float:
        ppl = self.perplexity(model)
        point = {"step": self.offset_steps + step,
                 "seconds": round(self.offset_seconds + time.time() - self.began, 1), "perplexity": round(ppl, 2)}
        self.curve.append(point)
        logger.info("held-out perplexity %.2f at step %d (%.0f s)", ppl, point["step"], point["seconds"])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"curve": self.curve}, indent=1) + "\n")
        return ppl

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if self.every and state.global_step % self.every == 0:
            self.record(model, state.global_step)


def build_model(config: dict, tokenizer: CharTokenizer, texts: list[str], init: str | None):
    settings = config["pretrain"]
    architecture = settings.get("architecture", "bert")
    lm_class = masked_lm_class(architecture)
    if init:
        return lm_class.from_pretrained(init)
    encoder = {k: v for k, v in config["encoder"].items() if k != "model_type"}
    if architecture == "roberta-prelayernorm":
        # RoBERTa numbers positions from pad_token_id + 1.
        encoder["max_position_embeddings"] += tokenizer.pad_token_id + 1
    model = lm_class(AutoConfig.for_model(architecture, vocab_size=tokenizer.vocab_size,
                                          pad_token_id=tokenizer.pad_token_id, **encoder))
    if settings.get("embedding_init") == "word2vec":
        began = time.time()
        vectors = word2vec_embeddings(texts, tokenizer, dim=model.config.hidden_size, seed=config["seed"],
                                      workers=settings.get("threads", 2))
        with torch.no_grad():
            model.get_input_embeddings().weight.copy_(
                torch.from_numpy(vectors) * model.config.initializer_range)
        logger.info("character embeddings from word2vec (%.0f s)", time.time() - began)
    elif settings.get("embedding_init"):
        raise SystemExit(f"pretrain.embedding_init: expected null or 'word2vec', got {settings['embedding_init']!r}")
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="training/configs/default.json")
    parser.add_argument("--max-steps", type=int, help="override pretrain.max_steps (quick checks)")
    parser.add_argument("--eval-every", type=int, help="override pretrain.eval_every")
    parser.add_argument("--output", help="override paths.pretrained")
    parser.add_argument("--init", help="continue from this pretrained encoder folder (same vocabulary); "
                                       "its curve is continued")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = load_config(args.config)
    settings = config["pretrain"]
    set_seed(config["seed"])
    torch.set_num_threads(settings["threads"])
    tokenizer = CharTokenizer.from_pretrained(repo_path(config["paths"]["vocab"]).parent)
    texts, held_back = training_texts(config)
    # Text only, no labels; the sources of test documents are left out (corpora/README.md).
    chunks = mlm_chunks(texts, tokenizer, settings["max_length"])
    train = [c for i, c in enumerate(chunks) if i % HELDOUT_EVERY]
    heldout = [c for i, c in enumerate(chunks) if not i % HELDOUT_EVERY]
    logger.info("%d texts (%d chars; %d test sources left out), %d training chunks, %d held out",
                len(texts), sum(map(len, texts)), len(held_back), len(train), len(heldout))

    if args.init and CharTokenizer.from_pretrained(args.init).token_to_id != tokenizer.token_to_id:
        parser.error(f"--init {args.init}: its vocab.txt differs from {config['paths']['vocab']}")
    model = build_model(config, tokenizer, texts, args.init)
    logger.info("encoder: %s, %d parameters", type(model).__name__, sum(p.numel() for p in model.parameters()))
    output = Path(args.output) if args.output else repo_path(config["paths"]["pretrained"])
    max_steps = args.max_steps or settings["max_steps"]
    every = args.eval_every if args.eval_every is not None else settings.get("eval_every", 0)

    torch.manual_seed(config["seed"] + 1)
    fixed = MaskingCollator(tokenizer, HELDOUT_MASKING)
    batches = [fixed([{"input_ids": c} for c in heldout[i:i + 32]]) for i in range(0, len(heldout), 32)]
    previous = _previous_run(args.init)
    began = time.time()
    curve = HeldoutCurve(batches, every, output / "pretrain_metrics.json", began,
                         offset_steps=previous.get("steps", 0), offset_seconds=previous.get("seconds", 0.0))
    curve.curve = list(previous.get("curve", []))
    set_seed(config["seed"])
    training_args = TrainingArguments(
        output_dir=str(output / "checkpoints"), max_steps=max_steps,
        per_device_train_batch_size=settings["batch_size"], learning_rate=settings["learning_rate"],
        warmup_steps=math.ceil(settings["warmup_ratio"] * max_steps), lr_scheduler_type="linear",
        weight_decay=settings["weight_decay"], max_grad_norm=settings.get("max_grad_norm", 1.0),
        logging_steps=settings["logging_steps"], save_strategy="no", eval_strategy="no", seed=config["seed"],
        data_seed=config["seed"], report_to=[], dataloader_num_workers=0, disable_tqdm=True)
    trainer = Trainer(model=model, args=training_args, train_dataset=Dataset.from_dict({"input_ids": train}),
                      data_collator=MaskingCollator(tokenizer, settings["mlm_probability"]),
                      callbacks=[LogCallback(), curve])
    trainer.train()
    ppl = curve.record(model, max_steps) if not curve.curve or curve.curve[-1]["step"] != curve.offset_steps + max_steps \
        else curve.curve[-1]["perplexity"]
    seconds = curve.offset_seconds + time.time() - began
    logger.info("done in %.0f s; held-out perplexity %.2f", time.time() - began, ppl)
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    metrics = {"heldout_perplexity": round(ppl, 2), "steps": curve.offset_steps + max_steps,
               "seconds": round(seconds), "recipe": {k: settings.get(k) for k in (
                   "architecture", "learning_rate", "warmup_ratio", "batch_size", "max_length", "mlm_probability",
                   "embedding_init")},
               "test_sources_left_out": held_back, "curve": curve.curve}
    (output / "pretrain_metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n",
                                                   encoding="utf-8")
    return 0


def _previous_run(init: str | None) -> dict:
    """The metrics of the run being continued, so that its curve goes on from where it stopped."""
    if not init:
        return {}
    path = Path(init) / "pretrain_metrics.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


if __name__ == "__main__":
    raise SystemExit(main())
