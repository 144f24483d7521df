"""Train the learned relation layer (VAL→IND pair scorer) and ship it if it beats the heuristic.

    python training/train_linker.py                      # train on corpora/gold, save govie/models/linker
    python training/train_linker.py --output runs/linker-test   # the same, elsewhere
    python training/train_linker.py --no-save            # only report the figures
    python training/train_linker.py --sparse-only        # without the encoder's span representations

By default the linker has a dense part over span representations from the encoder of the tagger
it will run with (``--encoder``, default the shipped govie/models/default): that tagger computes
the per-character hidden states of every training document (as the pipeline does: cleaned text,
states mapped back to raw offsets), and its hidden size and weights fingerprint go into the
linker's config, so that a pipeline with another tagger warns and links with the sparse part
only. Retrain the linker whenever the tagger changes.

Every hyper-parameter is a RelationConfig field (govie/relation_model.py) and is written into
config.json. The figures decide shipping: leave-one-document-out IND accuracy on gold spans (the
model never sees the document it is scored on) for the learned layer and the heuristic, and the
accuracy on the dev split of corpora/splits.json when training on its train part. The shipped
model is trained on all gold documents, plus (unless --no-silver) the same gold links moved onto
the rule tagger's spans of those documents (benchmarks/tuples_cv.py --silver: relaxed tuple F1 0.972 → 0.975
on gold spans, 0.910 → 0.911 on rule tags); it is saved only when its cross-validated accuracy is
higher than the heuristic's.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govie.corpus import load_corpus, load_split  # noqa: E402
from govie.document import Document, FormatError  # noqa: E402
from govie.linker import HeuristicLinker  # noqa: E402
from govie.pipeline import encoder_states  # noqa: E402
from govie.relation_model import FieldClassifier, LearnedLinker, RelationConfig, silver_documents  # noqa: E402
from govie.training import test_ids  # noqa: E402

logger = logging.getLogger("train_linker")


def indicator_accuracy(linker, docs: list[Document], hidden: dict[str, object] | None = None) -> tuple[int, int]:
    """(correct, total) VAL→IND choices on gold spans (``hidden``: encoder states by document id)."""
    correct = total = 0
    for doc in docs:
        gold = {t.value: t.indicator for t in doc.tuples}
        links = linker.link_spans(doc, hidden=hidden[doc.id]) if hidden else linker.link_spans(doc)
        for link in links:
            if link.value.id in gold:
                total += 1
                correct += gold[link.value.id] == link.indicator.id
    return correct, total


def fit(config: RelationConfig, docs: list[Document], hidden: dict[str, object] | None, encoder=None) -> LearnedLinker:
    """A linker trained on ``docs`` (with their encoder states when the config is dense)."""
    if not config.dense:
        return LearnedLinker(config).fit(docs)
    return LearnedLinker(config).fit(docs, hidden=[hidden[d.id] for d in docs], encoder=encoder)


def cross_validate(docs: list[Document], config: RelationConfig, hidden: dict[str, object] | None = None) -> dict:
    """Leave-one-document-out IND accuracy, learned vs heuristic, on gold spans."""
    learned = heuristic = total = 0
    per_document = {}
    for i, doc in enumerate(docs):
        model = fit(config, [d for j, d in enumerate(docs) if j != i], hidden)
        lc, n = indicator_accuracy(model, [doc], hidden if config.dense else None)
        hc, _ = indicator_accuracy(HeuristicLinker(), [doc])
        per_document[doc.id] = {"values": n, "learned": lc, "heuristic": hc}
        learned, heuristic, total = learned + lc, heuristic + hc, total + n
    return {"values": total, "learned_accuracy": learned / total, "heuristic_accuracy": heuristic / total,
            "per_document": per_document}


def cue_answers(docs: list[Document]) -> dict[str, dict[tuple[str, int], str]]:
    """measure and status as derive_fields' cues give them for each gold tuple (gold links)."""
    from govie.fields import DocumentContext, derive_fields

    out: dict[str, dict[tuple[str, int], str]] = {"measure": {}, "status": {}}
    for doc in docs:
        spans, context = doc.span_by_id(), DocumentContext(doc)
        for t in doc.tuples:
            f = derive_fields(doc, spans[t.value], unit=spans.get(t.unit) if t.unit is not None else None,
                              indicator=spans[t.indicator], period="auto", context=context)
            out["measure"][(doc.id, t.value)] = f.measure
            out["status"][(doc.id, t.value)] = f.status
    return out


def compare_field_classifiers(docs: list[Document]) -> dict:
    """Leave-one-document-out accuracy of a learned measure/status classifier vs the cues.

    The cues are rules written while reading these same documents, so their figure is optimistic;
    the learned classifier never sees the document it is scored on.
    """
    from govie.document import MEASURES, STATUSES

    cues = cue_answers(docs)
    out = {}
    for field, classes in (("measure", MEASURES), ("status", STATUSES)):
        learned = cue = total = 0
        for i, doc in enumerate(docs):
            model = FieldClassifier(field, classes).fit([d for j, d in enumerate(docs) if j != i], cues[field])
            spans = doc.span_by_id()
            for t in doc.tuples:
                gold, answer = getattr(t, field), cues[field][(doc.id, t.value)]
                total += 1
                cue += answer == gold
                learned += model.predict(doc, spans[t.value], answer) == gold
        out[field] = {"values": total, "cues": cue / total, "learned": learned / total,
                      "chosen": "learned" if learned > cue else "cues"}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(ROOT / "corpora" / "gold"))
    parser.add_argument("--output", default=str(ROOT / "govie" / "models" / "linker"))
    parser.add_argument("--epochs", type=int, default=RelationConfig.epochs)
    parser.add_argument("--encoder", default=None,
                        help="tagger folder whose encoder states the linker reads (default: the shipped model)")
    parser.add_argument("--sparse-only", dest="dense", action="store_false",
                        help="no dense part over encoder states (the linker of govie <= 0.1)")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--no-silver", dest="silver", action="store_false",
                        help="train only on gold spans, not also on the rule tagger's spans of the gold documents")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    docs = load_corpus(args.gold)
    splits_file = Path(args.gold).parent / "splits.json"
    if splits_file.is_file():  # the test documents are for scoring only, never for training
        held_out = test_ids(splits_file)
        docs = [d for d in docs if d.id not in held_out]
        logger.info("%d gold documents (%d test documents of %s left out)", len(docs), len(held_out), splits_file)
    encoder = hidden = None
    if args.dense:
        from govie.tagger import Tagger

        encoder = Tagger.from_pretrained(args.encoder)
        hidden = dict(zip([d.id for d in docs], encoder_states(encoder, [d.text for d in docs],
                                                              [d.meta.town for d in docs])))
        logger.info("encoder states from %s (hidden size %d, weights sha256 %s)", args.encoder or "the shipped tagger",
                    encoder.hidden_size, encoder.fingerprint()[:12])
    config = RelationConfig(epochs=args.epochs, dense=args.dense)
    cv = cross_validate(docs, config, hidden)
    logger.info("leave-one-document-out IND accuracy on gold spans: learned %.4f, heuristic %.4f (%d values)",
                cv["learned_accuracy"], cv["heuristic_accuracy"], cv["values"])
    metrics = {"loo_indicator_accuracy": {k: v for k, v in cv.items() if k != "per_document"}}
    try:
        split = load_split(ROOT / "corpora")
        dev_model = fit(config, split["train"], hidden)
        lc, n = indicator_accuracy(dev_model, split["dev"], hidden if config.dense else None)
        hc, _ = indicator_accuracy(HeuristicLinker(), split["dev"])
        metrics["dev_indicator_accuracy"] = {"values": n, "learned": lc / n, "heuristic": hc / n}
        logger.info("dev split: learned %.4f, heuristic %.4f (%d values)", lc / n, hc / n, n)
    except (FormatError, KeyError) as err:
        logger.warning("no train/dev split (%s); dev figures skipped", err)
    metrics["measure_status"] = compare_field_classifiers(docs)
    for field, r in metrics["measure_status"].items():
        logger.info("%s: cues %.4f, learned classifier %.4f (leave-one-document-out) -> %s",
                    field, r["cues"], r["learned"], r["chosen"])
    print(json.dumps(metrics, indent=1))
    if args.no_save:
        return 0
    if cv["learned_accuracy"] <= cv["heuristic_accuracy"]:
        logger.warning("learned linker does not beat the heuristic; not saved")
        return 1
    train = docs + (silver_documents(docs) if args.silver else [])
    metrics["trained_on"] = {"gold_documents": [d.id for d in docs], "silver_rule_tagged": args.silver,
                             "encoder": str(args.encoder or "govie/models/default") if args.dense else None}
    fit(config, train, hidden, encoder).save_pretrained(args.output, metrics=metrics)
    logger.info("saved %s", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
