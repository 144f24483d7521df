"""Stage 2: masked-language-model pretraining of the compact character encoder on the unlabeled reports.

    python training/pretrain.py --config training/configs/default.json      # CPU: about 20-25 min
    python training/pretrain.py --config training/configs/cpu_pretrain.json --init runs/pretrain-long  # continue

Runs on the GPU when one is visible, else on CPU with ``pretrain.threads`` threads. Fixed seed;
progress and loss go to the log. The encoder (BertForMaskedLM) and the vocabulary are saved to
``paths.pretrained``; ``finetune.py`` loads the encoder from there.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import BertConfig, Trainer, TrainingArguments  # noqa: E402

from govie.tokenizer import CharTokenizer  # noqa: E402
from govie.training import (LogCallback, MaskingCollator, first_existing, load_config, masked_lm_class, mlm_chunks,  # noqa: E402
                            read_unlabeled, repo_path, set_seed)

logger = logging.getLogger("govie.training")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="training/configs/default.json")
    parser.add_argument("--max-steps", type=int, help="override pretrain.max_steps (quick checks)")
    parser.add_argument("--output", help="override paths.pretrained")
    parser.add_argument("--init", help="continue from this pretrained encoder folder (same vocabulary) "
                                       "instead of random weights")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = load_config(args.config)
    settings = config["pretrain"]
    set_seed(config["seed"])
    torch.set_num_threads(settings["threads"])
    tokenizer = CharTokenizer.from_pretrained(repo_path(config["paths"]["vocab"]).parent)
    texts = read_unlabeled(first_existing(config["paths"]["unlabeled"]))
    # Text only, no labels: the six city/county gold documents are part of this corpus (see corpora/README.md).
    chunks = mlm_chunks(texts, tokenizer, settings["max_length"])
    heldout_every = 50
    train = [c for i, c in enumerate(chunks) if i % heldout_every]
    heldout = [c for i, c in enumerate(chunks) if not i % heldout_every]
    logger.info("%d texts (%d chars), %d training chunks, %d held out",
                len(texts), sum(map(len, texts)), len(train), len(heldout))

    encoder = BertConfig(vocab_size=tokenizer.vocab_size, pad_token_id=tokenizer.pad_token_id,
                         **{k: v for k, v in config["encoder"].items() if k != "model_type"})
    if args.init:
        if CharTokenizer.from_pretrained(args.init).token_to_id != tokenizer.token_to_id:
            parser.error(f"--init {args.init}: its vocab.txt differs from {config['paths']['vocab']}")
        model = masked_lm_class().from_pretrained(args.init)
        logger.info("continuing from %s", args.init)
    else:
        model = masked_lm_class()(encoder)
    logger.info("encoder: %d parameters", sum(p.numel() for p in model.parameters()))
    output = Path(args.output) if args.output else repo_path(config["paths"]["pretrained"])
    max_steps = args.max_steps or settings["max_steps"]
    training_args = TrainingArguments(
        output_dir=str(output / "checkpoints"), max_steps=max_steps,
        per_device_train_batch_size=settings["batch_size"], per_device_eval_batch_size=settings["batch_size"],
        learning_rate=settings["learning_rate"], warmup_steps=math.ceil(settings["warmup_ratio"] * max_steps),
        lr_scheduler_type="linear", weight_decay=settings["weight_decay"], logging_steps=settings["logging_steps"],
        save_strategy="no", eval_strategy="no", seed=config["seed"], data_seed=config["seed"], report_to=[],
        dataloader_num_workers=0, disable_tqdm=True)
    trainer = Trainer(model=model, args=training_args, train_dataset=Dataset.from_dict({"input_ids": train}),
                      eval_dataset=Dataset.from_dict({"input_ids": heldout}),
                      data_collator=MaskingCollator(tokenizer, settings["mlm_probability"]),
                      callbacks=[LogCallback()])
    began = time.time()
    trainer.train()
    torch.manual_seed(config["seed"])
    loss = trainer.evaluate()["eval_loss"]
    logger.info("done in %.0f s; held-out MLM loss %.3f (perplexity %.1f)", time.time() - began, loss, math.exp(loss))
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    (output / "pretrain_metrics.json").write_text(
        f'{{"heldout_mlm_loss": {loss:.4f}, "steps": {max_steps}, "seconds": {time.time() - began:.0f}}}\n')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
