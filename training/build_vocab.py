"""Stage 1: the character vocabulary of the default encoder, from the unlabeled reports and the gold texts.

    python training/build_vocab.py --config training/configs/default.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from govie.tokenizer import CharTokenizer
from govie.training import first_existing, load_config, read_gold, read_unlabeled, repo_path, test_sources

logger = logging.getLogger("govie.training")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="training/configs/default.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = load_config(args.config)
    unlabeled = first_existing(config["paths"]["unlabeled"])
    gold = first_existing(config["paths"]["gold"])
    docs = read_gold(gold)
    splits = repo_path(config["paths"]["splits"])
    test_ids = set(json.loads(splits.read_text(encoding="utf-8")).get("test", [])) if splits.is_file() else set()
    # the test documents and the reports they were cut from are never read by a training stage
    texts = read_unlabeled(unlabeled, exclude=test_sources(splits, docs)) + \
        [doc.text for doc in docs if doc.id not in test_ids]
    tokenizer = CharTokenizer.build(texts, **config["vocab"])
    out = repo_path(config["paths"]["vocab"]).parent
    tokenizer.save_pretrained(out)
    covered = sum(1 for t in texts for c in t if tokenizer.token_id(c) != tokenizer.unk_token_id)
    total = sum(len(t) for t in texts)
    logger.info("%d texts from %s and %s; vocabulary of %d tokens in %s; %.4f%% of characters known",
                len(texts), unlabeled, gold, tokenizer.vocab_size, out, 100 * covered / total)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
