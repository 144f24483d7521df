"""End-to-end tuple scores, leave-one-document-out: heuristic vs learned linker over the same tags.

    python benchmarks/tuples_cv.py [--gold corpora/gold] [--json out.json] [--tags gold,rules[,neural]]

For each gold document, the learned linker and the rule tagger's lexicon are built from the
*other* documents only; the held-out document goes through the full pipeline
(:class:`govie.pipeline.Pipeline`: tagging, TOWN mentions, linking, derive_fields, dropping what
cannot be normalized) with the gold metadata given, and is scored with
:func:`govie.evaluate.tuple_scores` (§6: strict and relaxed indicator matching, core tuples,
field accuracy on value-matched pairs). Tag sources: ``gold`` (the gold spans, so only linking
and normalization are measured) ``rules`` (the rule tagger) and ``neural`` (the shipped tagger, scored on the dev documents of
corpora/splits.json only, since it was trained on the others).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govie.corpus import load_corpus  # noqa: E402
from govie.document import Document  # noqa: E402
from govie.evaluate import tuple_scores  # noqa: E402
from govie.labels import LabeledRange  # noqa: E402
from govie.linker import HeuristicLinker  # noqa: E402
from govie.pipeline import Pipeline  # noqa: E402
from govie.relation_model import LearnedLinker, silver_documents  # noqa: E402

logger = logging.getLogger("tuples_cv")


class GoldTags:
    """A 'tagger' that returns the gold spans of the held-out document."""

    def __init__(self, doc: Document) -> None:
        self.ranges = [LabeledRange(s.label, s.start, s.end) for s in doc.spans]

    def predict_batch(self, texts, *, towns=None, show_progress=False):
        return [list(self.ranges) for _ in texts]


def run_pipeline(tagger, linker, doc: Document) -> Document:
    pipeline = Pipeline(tagger, linker)
    meta = doc.meta
    result = pipeline(doc.text, town=meta.town, published=meta.published,
                      default_period=meta.default_period, reference_month=meta.reference_month, doc_id=doc.id)
    predicted = result.to_document(doc.id, doc.source)
    predicted.meta = doc.meta
    return predicted


def cross_validate(docs: Sequence[Document], tag_sources: Sequence[str], *,
                   neural_docs: Sequence[str] = (), silver: bool = False) -> dict:
    """Scores per ``source/linker``; the neural tagger is scored only on ``neural_docs`` (its dev
    documents: it was trained on the others, so scoring them would be in-sample)."""
    from govie.rules import RuleTagger

    neural = None
    if "neural" in tag_sources:
        from govie.tagger import Tagger

        neural = Tagger.from_pretrained()
    preds: dict[tuple[str, str], list[Document]] = {}
    golds: dict[tuple[str, str], list[Document]] = {}
    for i, doc in enumerate(docs):
        others = [d for j, d in enumerate(docs) if j != i]
        linkers = {"heuristic": HeuristicLinker(), "learned": LearnedLinker().fit(others)}
        if silver:
            linkers["learned+silver"] = LearnedLinker().fit(others + silver_documents(others))
        for source in tag_sources:
            if source == "neural" and doc.id not in neural_docs:
                continue
            tagger = {"gold": lambda: GoldTags(doc), "rules": lambda: RuleTagger.from_documents(others),
                      "neural": lambda: neural}[source]()
            for name, linker in linkers.items():
                preds.setdefault((source, name), []).append(run_pipeline(tagger, linker, doc))
                golds.setdefault((source, name), []).append(doc)
        logger.info("%s done", doc.id)
    out = {}
    for key, predicted in preds.items():
        out["/".join(key)] = tuple_scores(golds[key], predicted, validate=False).to_dict()
    return out


def format_results(results: dict) -> str:
    head = f"{'tags/linker':<22} {'strict P':>8} {'R':>6} {'F1':>6} {'relax P':>8} {'R':>6} {'F1':>6} {'core F1s':>8} {'core F1r':>8}"
    lines = [head, "-" * len(head)]
    for key, r in results.items():
        s, x = r["strict"], r["relaxed"]
        lines.append(f"{key:<22} {s['precision']:8.3f} {s['recall']:6.3f} {s['f1']:6.3f} {x['precision']:8.3f} "
                     f"{x['recall']:6.3f} {x['f1']:6.3f} {r['core_strict']['f1']:8.3f} {r['core_relaxed']['f1']:8.3f}")
    fields = next(iter(results.values()))["fields"].keys()
    lines.append("")
    lines.append("field accuracy on value-matched pairs:")
    lines.append(f"{'tags/linker':<22} " + " ".join(f"{f[:10]:>10}" for f in fields))
    for key, r in results.items():
        lines.append(f"{key:<22} " + " ".join(f"{r['fields'][f]['accuracy']:10.3f}" for f in fields))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(ROOT / "corpora" / "gold"))
    parser.add_argument("--tags", default="gold,rules", help="comma-separated tag sources: gold, rules")
    parser.add_argument("--json", help="also write the scores here")
    parser.add_argument("--silver", action="store_true",
                        help="also score a learned linker trained on gold plus rule-tagged (silver) spans")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name in ("govie.fields", "govie.linker", "govie.pipeline", "govie.numbers", "govie.relation_model"):
        logging.getLogger(name).setLevel(logging.ERROR)
    docs = load_corpus(args.gold)
    sources = [s.strip() for s in args.tags.split(",") if s.strip()]
    unknown = set(sources) - {"gold", "rules", "neural"}
    if unknown:
        parser.error(f"unknown tag source(s): {', '.join(sorted(unknown))}")
    neural_docs: list[str] = []
    if "neural" in sources:
        from govie.corpus import load_split

        neural_docs = [d.id for d in load_split(Path(args.gold).parent)["dev"]]
        logger.info("neural tagger scored on its dev documents only: %s", ", ".join(neural_docs))
    results = cross_validate(docs, sources, neural_docs=neural_docs, silver=args.silver)
    print(format_results(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
