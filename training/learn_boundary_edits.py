"""Learn the IND boundary edits and chooser (govie/boundary_edits.py, govie/boundary_chooser.py) into a model folder.

    python training/learn_boundary_edits.py                       # learn, report, write govie/models/default
    python training/learn_boundary_edits.py --no-save             # only the figures
    python training/learn_boundary_edits.py --output runs/finetune-x --min-gain 3 --no-chooser

The base spans are the rule tagger's (builtin lexicon, as ``govie.load("rules")``) on the raw text of
each gold document, given its town: the neural tagger reads the same rule tags and gives the same IND
spans on documents it was not trained on, while its own output on its training documents would
flatter it. The edits are learned first; the chooser is trained on the edited spans of the same
documents. Three figures, IND span F1 against the gold spans, for the rule tags, with the edits, and
with edits and chooser:

1. ``--folds`` document folds over the train and dev documents (each fold learned on the others) —
   the figure the settings were chosen by;
2. learned on train only, scored on dev;
3. what is saved, learned on train and dev (``--train-only``: on train); the test documents of
   corpora/splits.json are never read (benchmarks/split_eval.py scores the whole pipeline on them).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govie.boundary_chooser import CONFIG_FILE as CHOOSER_CONFIG  # noqa: E402
from govie.boundary_chooser import WEIGHTS_FILE as CHOOSER_WEIGHTS  # noqa: E402
from govie.boundary_chooser import BoundaryChooser  # noqa: E402
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


@dataclass
class Stages:
    """The edits, then (unless disabled) the chooser trained on the edited spans of the same documents."""

    edits: BoundaryEdits
    chooser: BoundaryChooser | None

    def apply(self, text: str, ranges: list) -> list:
        ranges = self.edits.apply(text, ranges)
        return self.chooser.apply(text, ranges) if self.chooser is not None else ranges


def fit(docs: list[Document], rules: RuleTagger, *, chooser: bool, **learn) -> Stages:
    base = examples(docs, rules)
    edits = BoundaryEdits.learn(base, **learn)
    if not chooser:
        return Stages(edits, None)
    edited = [EditExample(ex.doc_id, ex.text, edits.apply(ex.text, ex.predicted), ex.gold) for ex in base]
    return Stages(edits, BoundaryChooser.learn(edited))


def figure(name: str, docs: list[Document], base: list[EditExample], stages: list[Stages]) -> str:
    """IND span P/R/F1 of the rule tags, with the edits, and with edits and chooser."""
    rows = [("rules", [ex.predicted for ex in base]),
            ("+ edits", [st.edits.apply(ex.text, ex.predicted) for st, ex in zip(stages, base)])]
    if all(st.chooser is not None for st in stages):
        rows.append(("+ chooser", [st.apply(ex.text, ex.predicted) for st, ex in zip(stages, base)]))
    return f"{name}: " + "; ".join(f"{label} IND " + "P {:.4f} R {:.4f} F1 {:.4f}".format(*ind_f1(docs, ranges))
                                   for label, ranges in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpora"), help="folder with gold/ and splits.json")
    parser.add_argument("--output", default=str(default_model_path()), help="model folder to write into")
    parser.add_argument("--min-gain", type=int, default=2, help="net spans an edit must fix (default 2)")
    parser.add_argument("--min-documents", type=int, default=2, help="documents it must fix them in (default 2)")
    parser.add_argument("--no-chooser", action="store_true", help="learn the edits only")
    parser.add_argument("--folds", type=int, default=6, help="document folds for figure 1 (0: skip)")
    parser.add_argument("--train-only", action="store_true",
                        help="save what was learned on train only (to score a pipeline on dev)")
    parser.add_argument("--no-save", action="store_true", help="print the figures only")
    args = parser.parse_args(argv)
    splits = load_split(args.corpus)
    train, dev = splits["train"], splits.get("dev", [])
    rules = RuleTagger()
    learn = dict(min_gain=args.min_gain, min_documents=args.min_documents, chooser=not args.no_chooser)
    docs = train + dev
    figures: list[str] = []
    print(f"{len(train)} train and {len(dev)} dev documents; min_gain {args.min_gain}, "
          f"min_documents {args.min_documents}")
    if args.folds:
        held, base, stages = [], [], []
        for k in range(args.folds):
            fold = fit([d for i, d in enumerate(docs) if i % args.folds != k], rules, **learn)
            part = [d for i, d in enumerate(docs) if i % args.folds == k]
            held += part
            base += examples(part, rules)
            stages += [fold] * len(part)
        figures.append(figure(f"{args.folds} document folds over train+dev", held, base, stages))
        print(figures[-1])
    if dev:
        learned = fit(train, rules, **learn)
        figures.append(figure(f"dev, learned on train ({len(learned.edits)} edits)", dev, examples(dev, rules),
                              [learned] * len(dev)))
        print(figures[-1])
    if not args.train_only:
        learned = fit(docs, rules, **learn)
    print(f"learned on {'train' if args.train_only else 'train+dev'}: {len(learned.edits)} edits")
    for e in learned.edits.edits:
        print(f"  {e.kind:<13} {e.text:<12} gain {e.gain:>3} in {e.documents} documents")
    if not args.no_save:
        output = Path(args.output)
        print(f"wrote {learned.edits.save(output)}")
        if learned.chooser is not None:
            learned.chooser.save(output)
            print(f"wrote {output / CHOOSER_WEIGHTS} and {output / CHOOSER_CONFIG}")
        else:
            for name in (CHOOSER_WEIGHTS, CHOOSER_CONFIG):
                (output / name).unlink(missing_ok=True)
        card = output / "README.md"
        if card.is_file():
            card.write_text(card_with_edits(card.read_text(encoding="utf-8"), learned, figures), encoding="utf-8")
            print(f"updated {card}")
    return 0


def card_with_edits(card: str, learned: Stages, figures: list[str]) -> str:
    """The model card with its "Boundary edits" section (re)written at the end."""
    edits = learned.edits
    head = card.split("\n## Boundary edits\n")[0].rstrip("\n")
    chooser = (" and the boundary chooser (`boundary_chooser.safetensors`, govie/boundary_chooser.py) trained on "
               "their output" if learned.chooser is not None else "")
    lines = ["", "## Boundary edits", "",
             f"After decoding, {len(edits)} learned edits of the IND spans (`boundary_edits.json`, "
             f"govie/boundary_edits.py){chooser} move indicator boundaries. They were learned on the rule tags of "
             f"{len(edits.trained_on)} train and dev documents (edits: min_gain {edits.min_gain}, "
             f"min_documents {edits.min_documents}) by `python training/learn_boundary_edits.py`, which printed:",
             "", *[f"- {f}" for f in figures]]
    return head + "\n" + "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
