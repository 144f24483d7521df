"""The learned relation layer: a listwise pair scorer that picks each VAL's IND among candidates.

For every VAL, the candidates are the IND spans of its sentence and the one before
(:func:`govie.linker.candidates_for`); each (VAL, IND) pair is described by sparse hashed features
(direction, distance, rank, clause and sentence breaks between, spans between, the text between,
the candidate's character n-grams, the value's unit, ``分别`` lists, and whether the heuristic
linker would pick it), scored by a linear model, and trained with a softmax over the candidates
so that decoding is an argmax: every VAL gets exactly one IND. UNIT is the unit right after the
value (:func:`govie.linker.unit_after`, 882/882 on gold spans), periods, measure and status come
from :func:`govie.fields.derive_fields` (the governing period of §4).

Linking runs over the whole document, so tagger windows play no role here. Weights are a
safetensors file plus a JSON config; nothing is pickled.
"""

from __future__ import annotations

import json
import logging
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from govie.document import Document, IndicatorTuple, Span
from govie.linker import HeuristicLinker, Link, SpanLinker, TextLayout, candidates_for, unit_after

logger = logging.getLogger(__name__)

FEATURE_VERSION = 1
_DIST_BUCKETS = (0, 1, 2, 3, 5, 8, 12, 20, 35, 60, 100)


@dataclass
class RelationConfig:
    """Hyper-parameters saved next to the weights (``config.json``)."""

    n_features: int = 1 << 18
    window: int = 200
    epochs: int = 8
    learning_rate: float = 0.2
    l2: float = 1e-6
    feature_version: int = FEATURE_VERSION
    model_type: str = "govie-relation"


def _bucket(value: int, buckets: Sequence[int] = _DIST_BUCKETS) -> int:
    for i, b in enumerate(buckets):
        if value <= b:
            return i
    return len(buckets)


def _hash(feature: str, n: int) -> int:
    return zlib.crc32(feature.encode("utf-8", "surrogatepass")) % n


class PairFeaturizer:
    """Sparse features of (VAL, IND candidate) pairs, hashed into ``n_features`` buckets."""

    def __init__(self, n_features: int, window: int) -> None:
        self.n_features = n_features
        self.window = window
        self._heuristic = HeuristicLinker()

    def candidates(self, layout: TextLayout, value: Span) -> list[Span]:
        return candidates_for(layout, value, window=self.window)

    def features(self, layout: TextLayout, value: Span, unit: Span | None,
                 cands: list[Span]) -> list[list[int]]:
        text = layout.doc.text
        choice = self._heuristic.choose_indicator(layout, value, unit)
        heuristic_id = choice[0].id if choice else None
        anchor = unit.end if unit is not None else value.end
        unit_text = unit.text if unit is not None else "<none>"
        before_value = text[max(value.start - 2, 0):value.start]
        left = [c for c in cands if c.end <= value.start]
        right = [c for c in cands if c.start >= anchor]
        respectively = "分别" in text[layout.sentence_of(value.start)[0]:value.start]
        out = []
        for cand in cands:
            is_left = cand.end <= value.start
            d = "L" if is_left else "R"
            rank = (len(left) - 1 - left.index(cand)) if is_left else (right.index(cand) if cand in right else 9)
            lo, hi = (cand.end, value.start) if is_left else (anchor, cand.start)
            lo, hi = min(lo, hi), max(lo, hi)
            gap = text[lo:hi]
            clauses = layout.breaks_between(lo, hi)
            sentences = layout.breaks_between(lo, hi, sentence=True)
            vals_between = len(layout.between("VAL", lo, hi))
            labels_between = "".join(s.label[0] for s in layout.between(None, lo, hi))[:5]
            ind = cand.text
            feats = [
                "bias", f"dir={d}", f"rank={d}{min(rank, 4)}", f"dist={d}{_bucket(hi - lo)}",
                f"clauses={d}{min(clauses, 4)}", f"sent={d}{min(sentences, 2)}",
                f"vals={d}{min(vals_between, 4)}", f"lab={d}{labels_between}",
                f"rank_cl={d}{min(rank, 3)}_{min(clauses, 3)}",
                f"heur={cand.id == heuristic_id}", f"heur_d={d}{cand.id == heuristic_id}",
                f"unit_d={d}{unit_text}", f"unit_gap={d}{unit_text}_{_bucket(hi - lo)}",
                f"prev={d}{before_value}", f"prev1={d}{before_value[-1:]}",
                f"ind_last={ind[-1:]}", f"ind_last2={ind[-2:]}", f"ind_first2={ind[:2]}",
                f"ind_len={min(len(ind), 12)}", f"resp={d}{respectively}_{min(rank, 3)}",
                f"dun={d}{gap.count('、')}", f"he={d}{'和' in gap or '及' in gap}",
                f"grow={d}{any(w in gap for w in ('增长', '下降', '提高', '减少', '增加'))}",
            ]
            if len(gap) <= 4:
                feats.append(f"gap={d}{gap}")
            else:
                feats.append(f"gapl={d}{gap[:2]}")
                feats.append(f"gapr={d}{gap[-2:]}")
            for k in range(len(ind) - 1):
                feats.append(f"bi={ind[k:k + 2]}")
            out.append(sorted({_hash(f, self.n_features) for f in feats}))
        return out


@dataclass
class _Example:
    features: list[list[int]]
    gold: int


class LearnedLinker(SpanLinker):
    """Learned VAL→IND linker with the same interface as :class:`govie.linker.HeuristicLinker`."""

    name = "learned"

    def __init__(self, config: RelationConfig | None = None, weights: np.ndarray | None = None) -> None:
        self.config = config or RelationConfig()
        self.weights = weights if weights is not None else np.zeros(self.config.n_features, dtype=np.float32)
        self.featurizer = PairFeaturizer(self.config.n_features, self.config.window)
        self._fallback = HeuristicLinker()

    # -- inference -------------------------------------------------------------------------------
    def link_spans(self, doc: Document) -> list[Link]:
        layout = TextLayout(doc)
        links = []
        for value in layout.spans("VAL"):
            unit = unit_after(layout, value)
            cands = self.featurizer.candidates(layout, value)
            if not cands:
                chosen = self._fallback.choose_indicator(layout, value, unit)
                if chosen is not None:
                    links.append(Link(value, chosen[0], unit, chosen[1] * 0.5))
                continue
            probs = self._softmax(self.featurizer.features(layout, value, unit, cands))
            best = int(np.argmax(probs))
            links.append(Link(value, cands[best], unit, float(probs[best])))
        return links

    def _softmax(self, feats: list[list[int]]) -> np.ndarray:
        scores = np.array([self.weights[f].sum() for f in feats], dtype=np.float64)
        scores -= scores.max()
        e = np.exp(scores)
        return e / e.sum()

    # -- training --------------------------------------------------------------------------------
    def examples(self, docs: Iterable[Document]) -> list[_Example]:
        """One listwise example per gold tuple whose IND is among the value's candidates."""
        out = []
        for doc in docs:
            layout = TextLayout(doc)
            spans = doc.span_by_id()
            for t in doc.tuples:
                value = spans[t.value]
                unit = spans.get(t.unit) if t.unit is not None else None
                cands = self.featurizer.candidates(layout, value)
                ids = [c.id for c in cands]
                if t.indicator not in ids or len(cands) < 2:
                    continue
                out.append(_Example(self.featurizer.features(layout, value, unit, cands), ids.index(t.indicator)))
        return out

    def fit(self, docs: Sequence[Document], *, seed: int = 0) -> "LearnedLinker":
        """Train on gold documents (their spans and tuples) with AdaGrad on the listwise log-loss."""
        examples = self.examples(docs)
        if not examples:
            raise ValueError("no training examples: the documents have no tuples with IND candidates")
        self.weights = train_listwise(examples, self.config, seed=seed)
        return self

    # -- persistence -----------------------------------------------------------------------------
    def save_pretrained(self, path: str | Path, *, metrics: dict | None = None) -> None:
        from safetensors.numpy import save_file

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        config = asdict(self.config)
        from govie import __version__

        config["govie_version"] = __version__
        if metrics:
            config["metrics"] = metrics
        (path / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
        nonzero = np.flatnonzero(self.weights).astype(np.int64)
        save_file({"index": nonzero, "weight": self.weights[nonzero]}, str(path / "model.safetensors"))

    @classmethod
    def from_pretrained(cls, path: str | Path) -> "LearnedLinker":
        from safetensors.numpy import load_file

        path = Path(path)
        try:
            data = json.loads((path / "config.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise FileNotFoundError(f"{path}/config.json: cannot read a linker config ({err})") from None
        if data.get("model_type") != "govie-relation":
            raise ValueError(f"{path}/config.json: model_type {data.get('model_type')!r}, expected 'govie-relation'")
        known = RelationConfig.__dataclass_fields__
        config = RelationConfig(**{k: v for k, v in data.items() if k in known})
        if config.feature_version != FEATURE_VERSION:
            raise ValueError(f"{path}: linker features v{config.feature_version}, this govie computes v{FEATURE_VERSION}")
        tensors = load_file(str(path / "model.safetensors"))
        weights = np.zeros(config.n_features, dtype=np.float32)
        weights[tensors["index"]] = tensors["weight"]
        return cls(config, weights)


def train_listwise(examples: Sequence[_Example], config: RelationConfig, *, seed: int = 0) -> np.ndarray:
    """AdaGrad on the softmax log-loss over each example's options (candidates or classes)."""
    rng = np.random.default_rng(seed)
    w = np.zeros(config.n_features, dtype=np.float64)
    g2 = np.full(config.n_features, 1e-8)
    lr, l2 = config.learning_rate, config.l2
    for epoch in range(config.epochs):
        loss = 0.0
        for i in rng.permutation(len(examples)):
            ex = examples[i]
            scores = np.array([w[f].sum() for f in ex.features])
            scores -= scores.max()
            p = np.exp(scores)
            p /= p.sum()
            loss -= np.log(p[ex.gold] + 1e-12)
            for k, f in enumerate(ex.features):
                grad = p[k] - (1.0 if k == ex.gold else 0.0)
                if grad == 0.0:
                    continue
                idx = np.asarray(f)
                gr = grad + l2 * w[idx]
                g2[idx] += gr * gr
                w[idx] -= lr * gr / np.sqrt(g2[idx])
        logger.info("epoch %d: mean loss %.4f over %d examples", epoch + 1, loss / len(examples), len(examples))
    return w.astype(np.float32)


class FieldClassifier:
    """A learned ``measure`` or ``status`` classifier, to compare with the cues of derive_fields.

    Features: character uni/bigrams of the 24 characters before the value and the 6 after it
    (position-tagged near the value), and the cue's own answer, so it can learn where cues fail.
    """

    def __init__(self, field: str, classes: Sequence[str], config: RelationConfig | None = None) -> None:
        self.field, self.classes = field, tuple(classes)
        self.config = config or RelationConfig(n_features=1 << 16)
        self.weights = np.zeros(self.config.n_features, dtype=np.float32)

    def _options(self, doc: Document, value: Span, cue: str) -> list[list[int]]:
        text = doc.text
        before, after = text[max(value.start - 24, 0):value.start], text[value.end:value.end + 6]
        base = [f"cue={cue}", "bias"] + [f"b{min(len(before) - k, 9)}:{before[k:k + 2]}" for k in range(len(before) - 1)]
        base += [f"u:{ch}" for ch in before] + [f"a{k}:{after[k:k + 2]}" for k in range(len(after) - 1)]
        n = self.config.n_features
        return [sorted({_hash(f"{c}|{f}", n) for f in base}) for c in self.classes]

    def examples(self, docs: Iterable[Document], cues: dict[tuple[str, int], str]) -> list[_Example]:
        out = []
        for doc in docs:
            spans = doc.span_by_id()
            for t in doc.tuples:
                gold = getattr(t, self.field)
                out.append(_Example(self._options(doc, spans[t.value], cues[(doc.id, t.value)]),
                                    self.classes.index(gold)))
        return out

    def fit(self, docs: Sequence[Document], cues: dict[tuple[str, int], str]) -> "FieldClassifier":
        self.weights = train_listwise(self.examples(docs, cues), self.config)
        return self

    def predict(self, doc: Document, value: Span, cue: str) -> str:
        options = self._options(doc, value, cue)
        return self.classes[int(np.argmax([self.weights[f].sum() for f in options]))]


def align_to_predicted(gold: Document, ranges: Sequence) -> Document:
    """Gold links transferred onto a tagger's spans, to train the linker on the spans it will see.

    A predicted VAL equal to a gold VAL keeps the gold tuple, with its IND replaced by the
    predicted IND that overlaps the gold IND most (values whose IND the tagger missed are left out).
    """
    spans = [Span(i, r.label, r.start, r.end, gold.text[r.start:r.end])
             for i, r in enumerate(sorted(ranges, key=lambda r: r.start))]
    by_offsets = {(s.label, s.start, s.end): s for s in spans}
    inds = [s for s in spans if s.label == "IND"]
    gold_spans = gold.span_by_id()
    tuples = []
    for t in gold.tuples:
        gv, gi = gold_spans[t.value], gold_spans[t.indicator]
        value = by_offsets.get(("VAL", gv.start, gv.end))
        overlaps = [(min(s.end, gi.end) - max(s.start, gi.start), s) for s in inds]
        best = max(overlaps, key=lambda o: o[0], default=(0, None))
        if value is None or best[0] <= 0:
            continue
        tuples.append(IndicatorTuple(value=value.id, indicator=best[1].id, value_norm=t.value_norm,
                                     period_norm=t.period_norm, town=t.town, unit=None))
    return Document(id=gold.id, text=gold.text, meta=gold.meta, spans=spans, tuples=tuples)


def silver_documents(docs: Sequence[Document]) -> list[Document]:
    """Each document's gold links on the rule tagger's spans, the tagger's lexicon built without
    that document (so its spans are as noisy as on an unseen report)."""
    from govie.rules import RuleTagger

    out = []
    for doc in docs:
        tagger = RuleTagger.from_documents([d for d in docs if d.id != doc.id])
        out.append(align_to_predicted(doc, tagger.predict(doc.text, town=doc.meta.town)))
    return out
