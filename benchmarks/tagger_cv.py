"""Leave-one-document-out cross-validation over the gold corpus: rule baseline vs. the default model recipe.

    python benchmarks/tagger_cv.py --config training/configs/default.json     # all 11 folds
    python benchmarks/tagger_cv.py --folds guali-2023h1,jian-2023 --epochs 2  # a quick subset

For each gold document, the rule tagger (``RuleTagger.from_documents`` on the other documents)
and the default recipe (the pretrained encoder fine-tuned on the other documents for
``cross_validate.epochs`` epochs, no dev set, since every document is held out once) tag it.
Scores are seqeval, strict IOB2 over character tags, per label and micro, pooled over all held-out
documents. The model is also scored with TOWN mentions of ``meta.town`` marked where it says O
(``Tagger(mark_town=True)``). Each fold's predictions are kept in ``runs/cv/`` so an interrupted run
resumes (``--resume``); the tables go to stdout and ``runs/cv/summary.json``. ``--save-models`` also
keeps each fold's tagger (``runs/cv/models/<held-out id>/``) for ``benchmarks/tuples_cv.py --tags neural``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from govie.decoding import viterbi_decode  # noqa: E402
from govie.labels import LabeledRange, bio_to_spans, spans_to_bio  # noqa: E402
from govie.model_card import scores_table  # noqa: E402
from govie.training import (fine_tune, first_existing, initial_tagger, load_config, read_gold,  # noqa: E402
                            repo_path, seqeval_scores)

logger = logging.getLogger("govie.training")
SYSTEMS = ("rules", "model", "model+town")


def run_fold(doc, train, config, epochs, out_dir: Path, save_model: bool = False) -> dict[str, list[LabeledRange]]:
    from govie.rules import RuleTagger
    from govie.tagger import _mark_town

    predictions = {"rules": RuleTagger.from_documents(train).predict(doc.text, town=doc.meta.town)}
    tagger = initial_tagger(repo_path(config["paths"]["pretrained"]), settings=config["finetune"])
    fine_tune(tagger, train, None, settings=config["finetune"], seed=config["seed"],
              output_dir=out_dir / "checkpoints", epochs=epochs)
    if save_model:  # for benchmarks/tuples_cv.py: a tagger that never saw ``doc``
        tagger.save_pretrained(out_dir / "models" / doc.id)
    scores = tagger.char_scores_batch([doc.text], towns=[doc.meta.town])[0]
    path = [tagger.tags[i] for i in viterbi_decode(scores, tagger.tags)]
    predictions["model"] = bio_to_spans(path)
    predictions["model+town"] = bio_to_spans(_mark_town(doc.text, doc.meta.town, path)) if doc.meta.town \
        else predictions["model"]
    return predictions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="training/configs/default.json")
    parser.add_argument("--folds", help="comma-separated held-out document ids (default: all)")
    parser.add_argument("--epochs", type=int, help="override cross_validate.epochs")
    parser.add_argument("--resume", action="store_true", help="reuse folds already in the output folder")
    parser.add_argument("--threads", type=int, help="override finetune.threads (e.g. 1 beside another job)")
    parser.add_argument("--output", default="runs/cv")
    parser.add_argument("--save-models", action="store_true",
                        help="keep each fold's tagger in OUTPUT/models/<held-out id>/ (for tuples_cv.py --tags neural)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = load_config(args.config)
    epochs = args.epochs or config["cross_validate"]["epochs"]
    if args.threads:
        config["finetune"]["threads"] = args.threads
    docs = read_gold(first_existing(config["paths"]["gold"]))
    wanted = args.folds.split(",") if args.folds else [d.id for d in docs]
    out_dir = repo_path(args.output)
    out_dir.mkdir(parents=True, exist_ok=True)
    gold, predicted = [], {name: [] for name in SYSTEMS}
    per_document = {}
    for doc in docs:
        if doc.id not in wanted:
            continue
        fold_file = out_dir / f"{doc.id}.json"
        if args.resume and fold_file.is_file():
            stored = json.loads(fold_file.read_text(encoding="utf-8"))
            fold = {name: [LabeledRange(*s) for s in stored["spans"][name]] for name in SYSTEMS}
        else:
            began = time.time()
            fold = run_fold(doc, [d for d in docs if d.id != doc.id], config, epochs, out_dir, args.save_models)
            fold_file.write_text(json.dumps({"epochs": epochs, "seconds": round(time.time() - began), "spans": {
                name: [[s.label, s.start, s.end] for s in spans] for name, spans in fold.items()}}) + "\n")
        gold_tags = spans_to_bio(len(doc.text), doc.spans)
        gold.append(gold_tags)
        per_document[doc.id] = {}
        for name in SYSTEMS:
            tags = spans_to_bio(len(doc.text), fold[name])
            predicted[name].append(tags)
            per_document[doc.id][name] = seqeval_scores([gold_tags], [tags])["micro avg"]["f1"]
        logger.info("%s: micro F1 %s", doc.id, {k: round(v, 4) for k, v in per_document[doc.id].items()})
    tables = {name: seqeval_scores(gold, predicted[name]) for name in SYSTEMS}
    summary = {"folds": list(per_document), "epochs": epochs, "tables": tables, "per_document": per_document}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(f"Leave-one-document-out over {len(per_document)} gold documents "
          f"(seqeval strict IOB2, character tags; model fine-tuned {epochs} epochs per fold)\n")
    for name in SYSTEMS:
        print(f"## {name}\n\n{scores_table(tables[name])}\n")
    print("## micro F1 per held-out document\n\n| document | " + " | ".join(SYSTEMS) + " |")
    print("|---" * (len(SYSTEMS) + 1) + "|")
    for doc_id, row in per_document.items():
        print(f"| {doc_id} | " + " | ".join(f"{row[n]:.3f}" for n in SYSTEMS) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
