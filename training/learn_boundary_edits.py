"""Learn the IND boundary edits (govie/boundary_edits.py) and write them into a model folder.

    python training/learn_boundary_edits.py                       # learn, report, write govie/models/default
    python training/learn_boundary_edits.py --no-save             # only the figures
    python training/learn_boundary_edits.py --output runs/finetune-x --min-gain 3

The base spans are the rule tagger's (builtin lexicon, as ``govie.load("rules")``) on the raw text of
each gold document, given its town: the neural tagger reads the same rule tags and gives the same IND
spans on documents it was not trained on, while its own output on its training documents would
flatter it. Three figures, IND span F1 against the gold spans:

1. ``--folds`` document folds over the train and dev documents (each fold's edits learned on the
   others) — the figure min_gain and min_documents were chosen by;
2. edits learned on train only, scored on dev;
3. the edits that are saved, learned on train and dev (``--train-only``: on train); the test documents of corpora/splits.json are
   never read (benchmarks/split_eval.py scores the whole pipeline on them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govie.boundary_edits import BoundaryEdits, EditExample  # noqa: E402
from govie.corpus import load_split  # noqa: E402
from govie.document import Document  # noqa: E402
from govie.rules import RuleTagger  # noqa: E402
from govie.tagger import default_model_path  # noqa: E402


def examples(docs: list[Document], rules: RuleTagger) -> list[EditExample]:
    return [EditExample(d.id, d.text, rules.predict(d.text, town=d.meta.town),
                        {(s.start, s.end) for s in d.spans if s.label == "IND"}) for d in docs]


def ind_f1(docs: list[Document], predicted: list[list]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for doc, ranges in zip(docs, predicted):
        gold = {(s.start, s.end) for s in doc.spans if s.label == "IND"}
        pred = {(r.start, r.end) for r in ranges if r.label == "IND"}
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return p, r, 2 * p * r / max(p + r, 1e-12)


def scores(docs: list[Document], base: list[EditExample], edits: BoundaryEdits | None) -> str:
    ranges = [ex.predicted if edits is None else edits.apply(ex.text, ex.predicted) for ex in base]
    return "P {:.4f} R {:.4f} F1 {:.4f}".format(*ind_f1(docs, ranges))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpora"), help="folder with gold/ and splits.json")
    parser.add_argument("--output", default=str(default_model_path()), help="model folder to write into")
    parser.add_argument("--min-gain", type=int, default=2, help="net spans an edit must fix (default 2)")
    parser.add_argument("--min-documents", type=int, default=2, help="documents it must fix them in (default 2)")
    parser.add_argument("--folds", type=int, default=6, help="document folds for figure 1 (0: skip)")
    parser.add_argument("--train-only", action="store_true",
                        help="save the edits learned on train only (to score a pipeline on dev)")
    parser.add_argument("--no-save", action="store_true", help="print the figures only")
    args = parser.parse_args(argv)
    splits = load_split(args.corpus)
    train, dev = splits["train"], splits.get("dev", [])
    rules = RuleTagger()
    learn = dict(min_gain=args.min_gain, min_documents=args.min_documents)
    docs = train + dev
    figures: list[str] = []
    print(f"{len(train)} train and {len(dev)} dev documents; min_gain {args.min_gain}, "
          f"min_documents {args.min_documents}")
    if args.folds:
        base, edited, sizes = [], [], []
        for k in range(args.folds):
            held = [d for i, d in enumerate(docs) if i % args.folds == k]
            edits = BoundaryEdits.learn(examples([d for i, d in enumerate(docs) if i % args.folds != k], rules), **learn)
            sizes.append(len(edits))
            for ex in examples(held, rules):
                base.append(ex.predicted)
                edited.append(edits.apply(ex.text, ex.predicted))
        held_docs = [d for k in range(args.folds) for i, d in enumerate(docs) if i % args.folds == k]
        figures.append(f"{args.folds} folds over train+dev: rules IND "
                       + "P {:.4f} R {:.4f} F1 {:.4f}".format(*ind_f1(held_docs, base))
                       + ", with edits " + "P {:.4f} R {:.4f} F1 {:.4f}".format(*ind_f1(held_docs, edited))
                       + f" (edits per fold: {sizes})")
        print(figures[-1])
    if dev:
        edits = BoundaryEdits.learn(examples(train, rules), **learn)
        base = examples(dev, rules)
        figures.append(f"dev: rules IND {scores(dev, base, None)}; with {len(edits)} edits learned on train "
                       f"{scores(dev, base, edits)}")
        print(figures[-1])
    if not args.train_only:
        edits = BoundaryEdits.learn(examples(docs, rules), **learn)
    print(f"learned on {'train' if args.train_only else 'train+dev'}: {len(edits)} edits")
    for e in edits.edits:
        print(f"  {e.kind:<13} {e.text:<12} gain {e.gain:>3} in {e.documents} documents")
    if not args.no_save:
        print(f"wrote {edits.save(args.output)}")
        card = Path(args.output) / "README.md"
        if card.is_file():
            card.write_text(card_with_edits(card.read_text(encoding="utf-8"), edits, figures), encoding="utf-8")
            print(f"updated {card}")
    return 0


def card_with_edits(card: str, edits: BoundaryEdits, figures: list[str]) -> str:
    """The model card with its "Boundary edits" section (re)written at the end."""
    head = card.split("\n## Boundary edits\n")[0].rstrip("\n")
    lines = ["", "## Boundary edits", "",
             f"{len(edits)} learned edits of the IND spans run after decoding (`boundary_edits.json`, "
             "govie/boundary_edits.py), learned on the rule tags of "
             f"{len(edits.trained_on)} train and dev documents with min_gain {edits.min_gain} and "
             f"min_documents {edits.min_documents} by `python training/learn_boundary_edits.py`, which printed:",
             "", *[f"- {f}" for f in figures]]
    return head + "\n" + "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
