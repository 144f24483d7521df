"""Stage 3: fine-tune a tagger on gold annotations, with early stopping on the dev documents.

    python training/finetune.py --config training/configs/default.json          # default recipe
    python training/finetune.py --init govie/models/default --gold my_reports/ --dev my-doc-1,my-doc-2 \
        --output models/my-tagger                                                  # adapt the shipped model

``--init`` is the starting point: the pretrained govie encoder (default, ``paths.pretrained``), a
govie tagger folder (continue training it on new reports), or any Hugging Face encoder with a
fast tokenizer. Uses the HF ``Trainer`` (``govie.training.TaggerTrainer``) for its schedule,
evaluation and early-stopping machinery. Dev scores are computed again on whole documents
(windows merged, as at inference) and written to the model card and ``metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from govie.model_card import model_card  # noqa: E402
from govie.training import (fine_tune, first_existing, initial_tagger, load_config, read_gold, test_ids,  # noqa: E402
                            repo_path, span_scores)

logger = logging.getLogger("govie.training")


def split_documents(docs, dev: str | None, splits_file: Path | None, default_dev: list[str]):
    """(train, dev) by document id: ``--dev`` ids, else the splits file, else the config's list.
    The ``test`` documents of the splits file are never returned: nothing trains or stops on them."""
    splits = json.loads(splits_file.read_text(encoding="utf-8")) if splits_file is not None and splits_file.is_file() \
        else {}
    if dev is not None:
        dev_ids = [] if dev in ("", "none") else dev.split(",")
    elif splits:
        dev_ids = splits["dev"]
    else:
        dev_ids = default_dev
    held_out = test_ids(splits_file) if splits_file is not None else set()
    known = {d.id for d in docs}
    unknown = [i for i in dev_ids if i not in known]
    if unknown:
        raise SystemExit(f"dev documents not in the gold data: {', '.join(unknown)}")
    if held_out & set(dev_ids):
        raise SystemExit(f"test documents cannot be dev documents: {', '.join(sorted(held_out & set(dev_ids)))}")
    return ([d for d in docs if d.id not in dev_ids and d.id not in held_out],
            [d for d in docs if d.id in dev_ids])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="training/configs/default.json")
    parser.add_argument("--init", help="starting point (default: paths.pretrained)")
    parser.add_argument("--gold", help="annotated documents: .json/.jsonl file or folder (default: paths.gold)")
    parser.add_argument("--dev", help="comma-separated dev document ids, or 'none' (default: corpora/splits.json)")
    parser.add_argument("--output", help="model folder to write (default: paths.finetuned)")
    parser.add_argument("--epochs", type=int, help="override finetune.epochs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = load_config(args.config)
    settings = config["finetune"]
    gold_path = Path(args.gold) if args.gold else first_existing(config["paths"]["gold"])
    docs = read_gold(gold_path)
    splits = repo_path(config["paths"]["splits"]) if not args.gold else None
    train, dev = split_documents(docs, args.dev, splits, config["dev_documents"])
    if not train:
        raise SystemExit(f"{gold_path}: no training documents left after the dev split")
    init = args.init or str(repo_path(config["paths"]["pretrained"]))
    output = Path(args.output) if args.output else repo_path(config["paths"]["finetuned"])
    tagger = initial_tagger(init, settings=settings)
    words = None
    if tagger.config.lexicon_features:
        word_list = repo_path(config["paths"]["word_list"])
        if tagger.lexicon is not None:
            words = tagger.lexicon.words
        elif word_list.is_file():
            words = word_list.read_text(encoding="utf-8").splitlines()
        else:
            raise SystemExit(f"{word_list}: word list missing; run python training/build_lexicon.py first")
    began = time.time()
    history = fine_tune(tagger, train, dev or None, settings=settings, seed=config["seed"],
                        output_dir=output / "checkpoints", epochs=args.epochs, words=words)
    figures = {}
    if dev:
        figures[f"dev ({', '.join(d.id for d in dev)}), whole documents"] = span_scores(tagger, dev)
    best_epoch = max((h for h in history if "eval_f1" in h), key=lambda h: h["eval_f1"], default={}).get("epoch")
    metrics = {"train_documents": [d.id for d in train], "dev_documents": [d.id for d in dev],
               "init": init, "best_epoch": best_epoch, "seconds": round(time.time() - began),
               "figures": figures}
    command = "python training/finetune.py " + " ".join(argv if argv is not None else sys.argv[1:])
    training = {"data": f"{len(train)} annotated reports ({', '.join(d.id for d in train)}), "
                        f"{sum(len(d.text) for d in train)} characters; started from `{init}`.",
                "settings": {"finetune": settings, "seed": config["seed"], "best_epoch": best_epoch},
                "figures": figures, "command": command.strip()}
    tagger.save_pretrained(output, card=model_card(tagger.config, training=training))
    (output / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for name, scores in figures.items():
        logger.info("%s: micro F1 %.4f", name, scores["micro avg"]["f1"])
    logger.info("saved %s in %.0f s", output, time.time() - began)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
