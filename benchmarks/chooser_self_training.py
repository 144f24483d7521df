"""Self-training of the boundary chooser on the unlabeled reports, against the chooser trained on gold only.

    python benchmarks/chooser_self_training.py                        # 1.2M characters, margin 1
    python benchmarks/chooser_self_training.py --chars 400000 --margin 2

In each of 6 document folds over the train and dev documents (as in training/learn_boundary_edits.py),
edits and chooser are learned on the other folds; the chooser then reads unlabeled reports (the
rule tags and the fold's edits) and every span whose two choices both lead their runner-up by at
least ``--margin`` becomes a pseudo-gold IND span; a second chooser is trained on the gold and the
pseudo-gold spans together. Both are scored on the held-out fold (IND span P/R/F1). Reports that any
gold document was cut from (train, dev or test) are left out, so no held-out text is pseudo-labeled.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

from learn_boundary_edits import examples, fit, ind_f1  # noqa: E402

from govie.boundary_chooser import BoundaryChooser  # noqa: E402
from govie.boundary_edits import EditExample  # noqa: E402
from govie.corpus import load_split  # noqa: E402
from govie.rules import RuleTagger  # noqa: E402
from govie.training import read_unlabeled  # noqa: E402


def pseudo_examples(stages, texts: list[str], tags: list[list], margin: float) -> list[EditExample]:
    """The unlabeled texts with the chooser's confident spans as their gold."""
    out = []
    for i, (text, ranges) in enumerate(zip(texts, tags)):
        edited = stages.edits.apply(text, ranges)
        sure = {(start, end) for start, end, lead in stages.chooser.choices(text, edited) if lead >= margin}
        out.append(EditExample(f"unlabeled-{i}", text, edited, sure))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpora"))
    parser.add_argument("--unlabeled", default=str(ROOT / "corpora" / "unlabeled" / "reports.jsonl.xz"))
    parser.add_argument("--chars", type=int, default=1_200_000, help="unlabeled characters to read")
    parser.add_argument("--margin", type=float, default=1.0, help="score lead a pseudo-gold choice needs")
    parser.add_argument("--folds", type=int, default=6)
    args = parser.parse_args(argv)
    splits = load_split(args.corpus)
    docs = splits["train"] + splits.get("dev", [])
    gold_sources = {d.source.split()[1] for part in splits.values() for d in part
                    if d.source and d.source.startswith("unlabeled/")}
    texts, total = [], 0
    for text in read_unlabeled(Path(args.unlabeled), exclude=gold_sources):
        if total >= args.chars:
            break
        texts.append(text)
        total += len(text)
    rules = RuleTagger()
    tags = [rules.predict(t) for t in texts]
    print(f"{len(texts)} unlabeled reports, {total:,} characters ({len(gold_sources)} gold sources left out)")
    began = time.time()
    held, base, gold_only, self_trained = [], [], [], []
    for k in range(args.folds):
        train = [d for i, d in enumerate(docs) if i % args.folds != k]
        part = [d for i, d in enumerate(docs) if i % args.folds == k]
        stages = fit(train, rules, chooser=True, min_gain=2, min_documents=2)
        gold = [EditExample(ex.doc_id, ex.text, stages.edits.apply(ex.text, ex.predicted), ex.gold)
                for ex in examples(train, rules)]
        pseudo = pseudo_examples(stages, texts, tags, args.margin)
        second = BoundaryChooser.learn(gold + pseudo)
        held += part
        for ex in examples(part, rules):
            edited = stages.edits.apply(ex.text, ex.predicted)
            base.append(ex.predicted)
            gold_only.append(stages.chooser.apply(ex.text, edited))
            self_trained.append(second.apply(ex.text, edited))
        print(f"fold {k}: {sum(len(p.gold) for p in pseudo)} pseudo-gold spans, {time.time() - began:.0f} s", flush=True)
    for name, ranges in (("rules", base), ("edits + chooser (gold)", gold_only),
                         ("edits + chooser (gold + pseudo-gold)", self_trained)):
        print(f"{name:<40} IND " + "P {:.4f} R {:.4f} F1 {:.4f}".format(*ind_f1(held, ranges)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
