"""Span and tuple scores of whole pipelines on one split of corpora/splits.json (dev or test).

    python benchmarks/split_eval.py --split dev  --models rules,default
    python benchmarks/split_eval.py --split test --models rules,default --json runs/test_scores.json

Each model (``rules``, ``default`` — the shipped model — or a tagger folder, optionally with a linker:
``runs/finetune-x+runs/linker-x``) runs the full pipeline (cleaning, tagging, linking, normalizers)
over the raw text of every document of the split, with the gold town, publication date, default
period and reference month given, and is scored with govie.evaluate against the gold documents
(§6: span micro and per-label F1, tuples strict and relaxed). The test split is the measure of the
tagger issue: nothing is tuned on it, so run it once per candidate you would ship, never to choose one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govie.corpus import load_split  # noqa: E402
from govie.evaluate import evaluate  # noqa: E402
from govie.pipeline import load  # noqa: E402


def predictions(name: str, docs):
    model, _, linker = name.partition("+")
    pipeline = load(None if model == "default" else model, linker=linker or "auto")
    began = time.time()
    results = list(pipeline.pipe([d.text for d in docs], town=[d.meta.town for d in docs],
                                 published=[d.meta.published for d in docs],
                                 default_period=[d.meta.default_period for d in docs],
                                 reference_month=[d.meta.reference_month for d in docs],
                                 doc_ids=[d.id for d in docs], show_progress=False))
    seconds = time.time() - began
    return [r.to_document(d.id, d.source) for r, d in zip(results, docs)], seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", help="a list of corpora/splits.json (default: dev)")
    parser.add_argument("--models", default="rules,default", help="comma-separated: rules, default, a folder")
    parser.add_argument("--corpus", default=str(ROOT / "corpora"))
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    splits = load_split(args.corpus)
    if args.split not in splits:
        parser.error(f"{args.corpus}/splits.json has no {args.split!r} list (has {', '.join(splits)})")
    docs = splits[args.split]
    figures = {}
    print(f"{args.split}: {len(docs)} documents, {sum(len(d.text) for d in docs):,} characters, "
          f"{sum(len(d.tuples) for d in docs)} gold tuples")
    print(f"{'model':<40} {'micro':>6} {'IND':>6} {'VAL':>6} {'PER':>6} {'TOWN':>6} {'strict':>7} {'relaxed':>7} {'s':>5}")
    for name in args.models.split(","):
        pred, seconds = predictions(name, docs)
        report = evaluate(docs, pred)
        spans, tuples = report.spans, report.tuples
        labels = {label: spans.per_label[label].f1 for label in spans.per_label}
        row = {"span_micro_f1": spans.micro.f1, "span_f1": labels, "tuples_strict_f1": tuples.strict.f1,
               "tuples_relaxed_f1": tuples.relaxed.f1, "seconds": round(seconds, 1),
               "per_document": {d["id"]: {"strict": d["strict"]["f1"], "relaxed": d["relaxed"]["f1"]}
                                for d in report.to_dict()["per_document"]}}
        figures[name] = row
        print(f"{name:<40} {spans.micro.f1:6.3f} {labels.get('IND', 0):6.3f} {labels.get('VAL', 0):6.3f} "
              f"{labels.get('PER', 0):6.3f} {labels.get('TOWN', 0):6.3f} {tuples.strict.f1:7.3f} "
              f"{tuples.relaxed.f1:7.3f} {seconds:5.0f}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"split": args.split, "documents": [d.id for d in docs],
                                               "figures": figures}, ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
