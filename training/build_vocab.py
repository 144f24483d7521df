"""Stage 1: the character vocabulary of the default encoder, from the unlabeled reports and the gold texts.

    python training/build_vocab.py --config training/configs/default.json
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from govie.tokenizer import CharTokenizer
from govie.training import load_config, repo_path, training_texts

logger = logging.getLogger("govie.training")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="training/configs/default.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = load_config(args.config)
    # the test documents and the reports they were cut from are never read by a training stage
    texts, _ = training_texts(config, with_gold=True)
    out = repo_path(config["paths"]["vocab"]).parent
    if (out / "model.safetensors").exists():
        raise SystemExit(f"{out}: paths.vocab points into a model folder; its vocabulary belongs to its weights "
                         "and is not rebuilt (configs that reuse the shipped vocabulary skip this stage)")
    tokenizer = CharTokenizer.build(texts, **config["vocab"])
    tokenizer.save_pretrained(out)
    covered = sum(1 for t in texts for c in t if tokenizer.token_id(c) != tokenizer.unk_token_id)
    total = sum(len(t) for t in texts)
    logger.info("%d texts (unlabeled reports and gold documents, test ones left out); vocabulary of %d tokens "
                "in %s; %.4f%% of characters known", len(texts), tokenizer.vocab_size, out, 100 * covered / total)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
