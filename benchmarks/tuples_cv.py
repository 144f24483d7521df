"""End-to-end tuple scores, leave-one-document-out: heuristic vs learned linkers over the same tags.

    python benchmarks/tuples_cv.py [--gold corpora/gold] [--json out.json] [--tags gold,rules[,neural]]
    python benchmarks/tuples_cv.py --tags gold,neural --fold-models runs/cv-quick/models

For each gold document, the learned linker and the rule tagger's lexicon are built from the
*other* documents only; the held-out document goes through the full pipeline
(:class:`govie.pipeline.Pipeline`: tagging, TOWN mentions, linking, derive_fields, dropping what
cannot be normalized) with the gold metadata given, and is scored with
:func:`govie.evaluate.tuple_scores` (§6: strict and relaxed indicator matching, core tuples,
field accuracy on value-matched pairs). Tag sources: ``gold`` (the gold spans, so only linking
and normalization are measured) ``rules`` (the rule tagger) and ``neural`` (the shipped tagger, scored on the dev documents of
corpora/splits.json only, since it was trained on the others).

With ``--fold-models DIR`` (``DIR/<doc id>/`` a tagger fine-tuned without that document, from
``benchmarks/tagger_cv.py --save-models``), every document is scored with neural tags from its own
fold tagger, and a third linker joins: ``learned+encoder``, the learned linker with a dense part
over that fold tagger's hidden states (:class:`govie.relation_model.RelationConfig` ``dense``),
trained on the other documents' gold spans with their states computed by the same fold tagger;
it is scored on the neural tags (states from the same forward pass, as in :class:`Pipeline`) and
on the gold spans (states of the document's text from the fold tagger). The held-out document is
never seen by the tagger or the linkers. Without ``--fold-models``, ``learned+encoder`` uses the
shipped tagger's states, on its dev documents only.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govie.corpus import load_corpus  # noqa: E402
from govie.document import Document  # noqa: E402
from govie.evaluate import tuple_scores  # noqa: E402
from govie.labels import LabeledRange  # noqa: E402
from govie.linker import HeuristicLinker  # noqa: E402
from govie.pipeline import Pipeline, encoder_states  # noqa: E402
from govie.relation_model import LearnedLinker, RelationConfig, silver_documents  # noqa: E402

logger = logging.getLogger("tuples_cv")


class GoldTags:
    """A 'tagger' that returns the gold spans of the held-out document (raw offsets: run it with
    ``Pipeline(clean=False)``)."""

    def __init__(self, doc: Document) -> None:
        self.ranges = [LabeledRange(s.label, s.start, s.end) for s in doc.spans]

    def predict_batch(self, texts, *, towns=None, show_progress=False):
        return [list(self.ranges) for _ in texts]


class GoldTagsWithStates(GoldTags):
    """Gold spans plus an encoder's hidden states of the document text, for a dense linker."""

    def __init__(self, doc: Document, encoder, states) -> None:
        super().__init__(doc)
        self.encoder, self.states = encoder, states
        self.hidden_size = encoder.hidden_size

    def fingerprint(self) -> str:
        return self.encoder.fingerprint()

    def predict_batch_with_hidden(self, texts, *, towns=None, show_progress=False):
        from govie.tagger import TaggedText

        return [TaggedText(list(self.ranges), self.states) for _ in texts]


def run_pipeline(tagger, linker, doc: Document, *, clean: bool = True) -> Document:
    pipeline = Pipeline(tagger, linker, clean=clean)
    meta = doc.meta
    result = pipeline(doc.text, town=meta.town, published=meta.published,
                      default_period=meta.default_period, reference_month=meta.reference_month, doc_id=doc.id)
    predicted = result.to_document(doc.id, doc.source)
    predicted.meta = doc.meta
    return predicted


def load_fold_tagger(fold_models: Path, doc_id: str):
    from govie.tagger import Tagger

    path = fold_models / doc_id
    if not (path / "config.json").is_file():
        raise SystemExit(f"{path}: no fold tagger for held-out document {doc_id} "
                         "(make them with benchmarks/tagger_cv.py --save-models)")
    return Tagger.from_pretrained(path)


def cross_validate(docs: Sequence[Document], tag_sources: Sequence[str], *,
                   neural_docs: Sequence[str] = (), silver: bool = False,
                   fold_models: Path | None = None) -> dict:
    """Scores per ``source/linker``. With ``fold_models``, each document's neural tags and encoder
    states come from its fold tagger; without, the shipped tagger is scored only on ``neural_docs``
    (its dev documents: it was trained on the others, so scoring them would be in-sample)."""
    from govie.rules import RuleTagger

    shipped = shipped_states = None
    if fold_models is None and "neural" in tag_sources:
        from govie.tagger import Tagger

        shipped = Tagger.from_pretrained()
        shipped_states = encoder_states(shipped, [d.text for d in docs], [d.meta.town for d in docs])
    preds: dict[tuple[str, str], list[Document]] = {}
    golds: dict[tuple[str, str], list[Document]] = {}
    for i, doc in enumerate(docs):
        others = [d for j, d in enumerate(docs) if j != i]
        linkers = {"heuristic": HeuristicLinker(), "learned": LearnedLinker().fit(others)}
        if silver:
            linkers["learned+silver"] = LearnedLinker().fit(others + silver_documents(others))
        encoder, states = None, None
        if fold_models is not None:
            encoder = load_fold_tagger(fold_models, doc.id)
            states = encoder_states(encoder, [d.text for d in docs], [d.meta.town for d in docs])
        elif shipped is not None and doc.id in neural_docs:
            encoder, states = shipped, shipped_states
        if encoder is not None:
            linkers["learned+encoder"] = LearnedLinker(RelationConfig(dense=True)).fit(
                others, hidden=[states[j] for j in range(len(docs)) if j != i], encoder=encoder)
        for source in tag_sources:
            if source == "neural" and encoder is None:
                continue
            if source == "gold":
                tagger = GoldTagsWithStates(doc, encoder, states[i]) if encoder is not None else GoldTags(doc)
            elif source == "rules":
                tagger = RuleTagger.from_documents(others)
            else:
                tagger = encoder
            for name, linker in linkers.items():
                if name == "learned+encoder" and source == "rules":
                    continue  # no encoder states with rule tags: it would be the sparse part alone
                preds.setdefault((source, name), []).append(run_pipeline(tagger, linker, doc,
                                                                         clean=source != "gold"))
                golds.setdefault((source, name), []).append(doc)
        logger.info("%s done", doc.id)
    out = {}
    for key, predicted in preds.items():
        out["/".join(key)] = tuple_scores(golds[key], predicted, validate=False).to_dict()
    return out


def format_results(results: dict) -> str:
    head = f"{'tags/linker':<24} {'strict P':>8} {'R':>6} {'F1':>6} {'relax P':>8} {'R':>6} {'F1':>6} {'core F1s':>8} {'core F1r':>8}"
    lines = [head, "-" * len(head)]
    for key, r in results.items():
        s, x = r["strict"], r["relaxed"]
        lines.append(f"{key:<24} {s['precision']:8.3f} {s['recall']:6.3f} {s['f1']:6.3f} {x['precision']:8.3f} "
                     f"{x['recall']:6.3f} {x['f1']:6.3f} {r['core_strict']['f1']:8.3f} {r['core_relaxed']['f1']:8.3f}")
    fields = next(iter(results.values()))["fields"].keys()
    lines.append("")
    lines.append("field accuracy on value-matched pairs:")
    lines.append(f"{'tags/linker':<24} " + " ".join(f"{f[:10]:>10}" for f in fields))
    for key, r in results.items():
        lines.append(f"{key:<24} " + " ".join(f"{r['fields'][f]['accuracy']:10.3f}" for f in fields))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(ROOT / "corpora" / "gold"))
    parser.add_argument("--tags", default="gold,rules", help="comma-separated tag sources: gold, rules, neural")
    parser.add_argument("--fold-models", type=Path,
                        help="folder of fold taggers (DIR/<doc id>/, from tagger_cv.py --save-models): neural tags "
                             "and encoder states of each document from the tagger trained without it")
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
    if args.fold_models is not None and not args.fold_models.is_dir():
        parser.error(f"--fold-models {args.fold_models}: no such folder")
    if "neural" in sources and args.fold_models is None:
        from govie.corpus import load_split

        neural_docs = [d.id for d in load_split(Path(args.gold).parent)["dev"]]
        logger.info("neural tagger scored on its dev documents only: %s", ", ".join(neural_docs))
    started = time.perf_counter()
    results = cross_validate(docs, sources, neural_docs=neural_docs, silver=args.silver, fold_models=args.fold_models)
    logger.info("cross-validation took %.0f s", time.perf_counter() - started)
    print(format_results(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
