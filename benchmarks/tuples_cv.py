"""End-to-end tuple scores, leave-one-document-out: heuristic vs learned linker over the same tags.

    python benchmarks/tuples_cv.py [--gold corpora/gold] [--json out.json] [--tags gold,rules]

For each gold document, the learned linker and the rule tagger's lexicon are built from the
*other* documents only; the held-out document goes through the full pipeline
(:class:`govie.pipeline.Pipeline`: tagging, TOWN mentions, linking, derive_fields, dropping what
cannot be normalized) with the gold metadata given, and is scored with
:func:`govie.evaluate.tuple_scores` (§6: strict and relaxed indicator matching, core tuples,
field accuracy on value-matched pairs). Tag sources: ``gold`` (the gold spans, so only linking
and normalization are measured) and ``rules`` (the rule tagger).
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
from govie.relation_model import LearnedLinker  # noqa: E402

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


def cross_validate(docs: Sequence[Document], tag_sources: Sequence[str]) -> dict:
    from govie.rules import RuleTagger

    preds: dict[tuple[str, str], list[Document]] = {}
    for i, doc in enumerate(docs):
        others = [d for j, d in enumerate(docs) if j != i]
        linkers = {"heuristic": HeuristicLinker(), "learned": LearnedLinker().fit(others)}
        for source in tag_sources:
            tagger = GoldTags(doc) if source == "gold" else RuleTagger.from_documents(others)
            for name, linker in linkers.items():
                preds.setdefault((source, name), []).append(run_pipeline(tagger, linker, doc))
        logger.info("%s done", doc.id)
    out = {}
    for (source, name), predicted in preds.items():
        out[f"{source}/{name}"] = tuple_scores(list(docs), predicted, validate=False).to_dict()
    return out


def format_results(results: dict) -> str:
    head = f"{'tags/linker':<18} {'strict P':>8} {'R':>6} {'F1':>6} {'relax P':>8} {'R':>6} {'F1':>6} {'core F1s':>8} {'core F1r':>8}"
    lines = [head, "-" * len(head)]
    for key, r in results.items():
        s, x = r["strict"], r["relaxed"]
        lines.append(f"{key:<18} {s['precision']:8.3f} {s['recall']:6.3f} {s['f1']:6.3f} {x['precision']:8.3f} "
                     f"{x['recall']:6.3f} {x['f1']:6.3f} {r['core_strict']['f1']:8.3f} {r['core_relaxed']['f1']:8.3f}")
    fields = next(iter(results.values()))["fields"].keys()
    lines.append("")
    lines.append("field accuracy on value-matched pairs:")
    lines.append(f"{'tags/linker':<18} " + " ".join(f"{f[:10]:>10}" for f in fields))
    for key, r in results.items():
        lines.append(f"{key:<18} " + " ".join(f"{r['fields'][f]['accuracy']:10.3f}" for f in fields))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(ROOT / "corpora" / "gold"))
    parser.add_argument("--tags", default="gold,rules", help="comma-separated tag sources: gold, rules")
    parser.add_argument("--json", help="also write the scores here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name in ("govie.fields", "govie.linker", "govie.pipeline", "govie.numbers", "govie.relation_model"):
        logging.getLogger(name).setLevel(logging.ERROR)
    docs = load_corpus(args.gold)
    results = cross_validate(docs, [s.strip() for s in args.tags.split(",") if s.strip()])
    print(format_results(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
