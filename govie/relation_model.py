"""The learned relation layer: a listwise pair scorer that picks each VAL's IND among candidates.

For every VAL, the candidates are the IND spans of its sentence and the one before
(:func:`govie.linker.candidates_for`); each (VAL, IND) pair is described by sparse hashed features
(direction, distance, rank, clause and sentence breaks between, spans between, the text between,
the candidate's character n-grams, the value's unit, ``分别`` lists, and whether the heuristic
linker would pick it), scored by a linear model, and trained with a softmax over the candidates
so that decoding is an argmax: every VAL gets exactly one IND. UNIT is the unit right after the
value (:func:`govie.linker.unit_after`, 882/882 on gold spans), periods, measure and status come
from :func:`govie.fields.derive_fields` (the governing period of §4).

With ``RelationConfig(dense=True)`` the score of a pair also has a dense part: a learned linear
layer over span representations from the tagger's encoder (the mean of its last hidden layer over
the VAL span and over the IND span, standardized: ``[ind, val * ind, |val - ind|]``), trained
jointly with the sparse weights on the same listwise loss. The hidden states come per character
for the whole document (:meth:`govie.tagger.Tagger.predict_batch_with_hidden`, one forward pass
for tags and states), so linking still ignores tagger windows. In training, the dense part is
dropped for a share of the examples (``dense_dropout``) so that the sparse part alone stays a
calibrated linker: without hidden states (the rule tagger, or a tagger other than the one the
linker was trained with, which :meth:`LearnedLinker.check_encoder` reports) the linker scores with
its sparse part only and never crashes.

Linking runs over the whole document, so tagger windows play no role here. Weights are a
safetensors file plus a JSON config; nothing is pickled.
"""

from __future__ import annotations

import json
import logging
import zlib
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from govie.document import Document, IndicatorTuple, Span
from govie.linker import HeuristicLinker, Link, SpanLinker, TextLayout, build_tuples, candidates_for, unit_after
from govie.model_files import DIGEST_KEY, ModelLoadError, check_saved_version, check_weights, weights_digest

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
    #: score pairs also with span representations from the tagger's encoder
    dense: bool = False
    #: in training, the share of examples scored without the dense part (sparse part stays usable alone)
    dense_dropout: float = 0.5
    dense_learning_rate: float = 0.02
    dense_l2: float = 0.1
    #: the encoder the dense part was trained with (set by :meth:`LearnedLinker.fit`)
    hidden_size: int = 0
    encoder_fingerprint: str | None = None


class EncoderMismatchError(ValueError):
    """A dense linker is used with hidden states of an encoder other than the one it was trained with."""


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


def span_means(hidden: np.ndarray, spans: Sequence[Span]) -> np.ndarray:
    """Mean hidden state over each span's characters (``len(spans)`` x hidden)."""
    out = np.zeros((len(spans), hidden.shape[1]), dtype=np.float64)
    for k, span in enumerate(spans):
        if span.end > span.start:
            out[k] = hidden[span.start:span.end].mean(axis=0)
    return out


def dense_pair_features(hidden: np.ndarray, value: Span, cands: Sequence[Span]) -> np.ndarray:
    """Raw dense features of (value, candidate) pairs: ``[ind, val * ind, |val - ind|]`` (C x 3H)."""
    v = span_means(hidden, [value])
    c = span_means(hidden, cands)
    return np.concatenate([c, v * c, np.abs(v - c)], axis=1)


@dataclass
class _Example:
    features: list[list[int]]
    gold: int
    dense: np.ndarray | None = None


class LearnedLinker(SpanLinker):
    """Learned VAL→IND linker with the same interface as :class:`govie.linker.HeuristicLinker`.

    ``link(doc, hidden=...)`` and ``link_spans(doc, hidden=...)`` take the per-character encoder
    states of ``doc.text`` (``len(text)`` x ``hidden_size``) for a dense linker; without them (or
    for a sparse-only linker) only the sparse part scores.
    """

    name = "learned"

    def __init__(self, config: RelationConfig | None = None, weights: np.ndarray | None = None, *,
                 dense_weights: np.ndarray | None = None, dense_mean: np.ndarray | None = None,
                 dense_scale: np.ndarray | None = None) -> None:
        self.config = replace(config) if config is not None else RelationConfig()  # fit() records the encoder in it
        self.weights = weights if weights is not None else np.zeros(self.config.n_features, dtype=np.float32)
        self.dense_weights = dense_weights
        self.dense_mean = dense_mean
        self.dense_scale = dense_scale
        self.featurizer = PairFeaturizer(self.config.n_features, self.config.window)
        self._fallback = HeuristicLinker()
        #: the folder it was loaded from (named in messages about it), None when built in memory
        self.source: Path | None = None

    @property
    def uses_hidden(self) -> bool:
        """Whether this linker reads encoder states (a trained dense part)."""
        return self.config.dense and self.dense_weights is not None

    def check_encoder(self, tagger, *, strict: bool = False) -> bool:
        """True when ``tagger`` gives the hidden states this linker's dense part was trained on.

        A tagger without hidden states (the rule tagger) gives False (the sparse part is used);
        a different encoder (hidden size or weights fingerprint) raises :class:`EncoderMismatchError`
        with ``strict``, else logs a warning naming both fingerprints and gives False.
        """
        if not self.uses_hidden:
            return False
        if not hasattr(tagger, "predict_batch_with_hidden") or not hasattr(tagger, "fingerprint"):
            logger.info("%s gives no hidden states; the linker scores with its sparse part only",
                        type(tagger).__name__)
            return False
        size, fingerprint = int(tagger.hidden_size), tagger.fingerprint()
        problem = None
        if size != self.config.hidden_size:
            problem = f"hidden size {size}, but the linker was trained on {self.config.hidden_size}"
        elif self.config.encoder_fingerprint and fingerprint != self.config.encoder_fingerprint:
            weights = getattr(tagger, "source", None)
            problem = (f"tagger weights{f' ({weights}/model.safetensors)' if weights else ''} sha256 {fingerprint[:12]}…, "
                       f"but the linker was trained with {self.config.encoder_fingerprint[:12]}… (another tagger, or "
                       "damaged weights; retrain the linker: training/train_linker.py)")
        if problem is None:
            return True
        message = f"{self.source or 'linker'}: linker/tagger mismatch: {problem}"
        if strict:
            raise EncoderMismatchError(message)
        logger.warning("%s; linking with the sparse part only", message)
        return False

    # -- inference -------------------------------------------------------------------------------
    def link(self, doc: Document, hidden: np.ndarray | None = None) -> list[IndicatorTuple]:
        return build_tuples(doc, self.link_spans(doc, hidden=hidden))

    def link_spans(self, doc: Document, hidden: np.ndarray | None = None) -> list[Link]:
        layout = TextLayout(doc)
        hidden = self._usable_hidden(doc, hidden)
        links = []
        for value in layout.spans("VAL"):
            unit = unit_after(layout, value)
            cands = self.featurizer.candidates(layout, value)
            if not cands:
                chosen = self._fallback.choose_indicator(layout, value, unit)
                if chosen is not None:
                    links.append(Link(value, chosen[0], unit, chosen[1] * 0.5))
                continue
            dense = self._dense(hidden, value, cands) if hidden is not None else None
            probs = self._softmax(self.featurizer.features(layout, value, unit, cands), dense)
            best = int(np.argmax(probs))
            links.append(Link(value, cands[best], unit, float(probs[best])))
        return links

    def _usable_hidden(self, doc: Document, hidden: np.ndarray | None) -> np.ndarray | None:
        if hidden is None or not self.uses_hidden:
            return None
        hidden = np.asarray(hidden)
        if hidden.ndim != 2 or hidden.shape != (len(doc.text), self.config.hidden_size):
            raise ValueError(f"{doc.id}: hidden states of shape {hidden.shape}, expected "
                             f"({len(doc.text)}, {self.config.hidden_size}) (one vector per character)")
        return hidden

    def _dense(self, hidden: np.ndarray, value: Span, cands: list[Span]) -> np.ndarray:
        return (dense_pair_features(hidden, value, cands) - self.dense_mean) / self.dense_scale

    def _softmax(self, feats: list[list[int]], dense: np.ndarray | None = None) -> np.ndarray:
        scores = np.array([self.weights[f].sum() for f in feats], dtype=np.float64)
        if dense is not None:
            scores += dense @ self.dense_weights
        scores -= scores.max()
        e = np.exp(scores)
        return e / e.sum()

    # -- training --------------------------------------------------------------------------------
    def examples(self, docs: Iterable[Document], hidden: Sequence[np.ndarray | None] | None = None) -> list[_Example]:
        """One listwise example per gold tuple whose IND is among the value's candidates (with the
        raw dense features of its pairs when the document's hidden states are given)."""
        docs = list(docs)
        hidden = list(hidden) if hidden is not None else [None] * len(docs)
        if len(hidden) != len(docs):
            raise ValueError(f"{len(docs)} documents but {len(hidden)} hidden-state arrays")
        out = []
        for doc, states in zip(docs, hidden):
            if states is not None and np.shape(states)[0] != len(doc.text):
                raise ValueError(f"{doc.id}: hidden states for {np.shape(states)[0]} characters, "
                                 f"the text has {len(doc.text)}")
            layout = TextLayout(doc)
            spans = doc.span_by_id()
            for t in doc.tuples:
                value = spans[t.value]
                unit = spans.get(t.unit) if t.unit is not None else None
                cands = self.featurizer.candidates(layout, value)
                ids = [c.id for c in cands]
                if t.indicator not in ids or len(cands) < 2:
                    continue
                dense = dense_pair_features(states, value, cands) if states is not None else None
                out.append(_Example(self.featurizer.features(layout, value, unit, cands), ids.index(t.indicator),
                                    dense))
        return out

    def fit(self, docs: Sequence[Document], *, hidden: Sequence[np.ndarray | None] | None = None,
            encoder: object | None = None, seed: int = 0) -> "LearnedLinker":
        """Train on gold documents (their spans and tuples) with AdaGrad on the listwise log-loss.

        A dense linker needs ``hidden`` (per-character states of each document's text, None for a
        document without) and records ``encoder`` (the :class:`govie.tagger.Tagger` that made
        them: hidden size and weights fingerprint) in its config.
        """
        if self.config.dense and hidden is None:
            raise ValueError("a dense linker (RelationConfig.dense) is trained with the tagger's hidden states: "
                             "pass hidden=[...] (govie.pipeline.encoder_states)")
        examples = self.examples(docs, hidden if self.config.dense else None)
        if not examples:
            raise ValueError("no training examples: the documents have no tuples with IND candidates")
        if self.config.dense:
            with_dense = [ex.dense for ex in examples if ex.dense is not None]
            if not with_dense:
                raise ValueError("a dense linker got no hidden states for any training example")
            stacked = np.concatenate(with_dense)
            self.dense_mean = stacked.mean(axis=0)
            self.dense_scale = stacked.std(axis=0) + 1e-6
            for ex in examples:
                if ex.dense is not None:
                    ex.dense = (ex.dense - self.dense_mean) / self.dense_scale
            self.config.hidden_size = int(stacked.shape[1] // 3)
            if encoder is not None and hasattr(encoder, "fingerprint"):
                if int(encoder.hidden_size) != self.config.hidden_size:
                    raise ValueError(f"hidden states have size {self.config.hidden_size}, the encoder "
                                     f"{encoder.hidden_size}")
                self.config.encoder_fingerprint = encoder.fingerprint()
            else:
                logger.warning("dense linker trained without its encoder: only the hidden size will be checked")
        self.weights, self.dense_weights = train_listwise(examples, self.config, seed=seed)
        if not self.config.dense:
            self.dense_weights = None
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
        from govie.model_card import linker_card

        (path / "README.md").write_text(linker_card(config), encoding="utf-8")
        nonzero = np.flatnonzero(self.weights).astype(np.int64)
        tensors = {"index": nonzero, "weight": self.weights[nonzero]}
        if self.uses_hidden:
            tensors.update(dense_weight=self.dense_weights.astype(np.float32),
                           dense_mean=self.dense_mean.astype(np.float32),
                           dense_scale=self.dense_scale.astype(np.float32))
        save_file(tensors, str(path / "model.safetensors"), metadata={DIGEST_KEY: weights_digest(tensors)})
        (path / "model.safetensors").chmod(0o644)  # safetensors writes 0600; a shipped model must be readable by all

    @classmethod
    def from_pretrained(cls, path: str | Path) -> "LearnedLinker":
        """Load a folder saved by :meth:`save_pretrained`; a missing or damaged file, or a config from
        a newer govie with settings this one does not know, raises :class:`ModelLoadError` naming it."""
        from safetensors import SafetensorError, safe_open

        path = Path(path)
        config_file, weights_file = path / "config.json", path / "model.safetensors"
        try:
            data = json.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ModelLoadError(f"{config_file}: cannot read a linker config ({err})") from None
        if not isinstance(data, dict) or data.get("model_type") != "govie-relation":
            found = data.get("model_type") if isinstance(data, dict) else type(data).__name__
            raise ModelLoadError(f"{config_file}: model_type {found!r}, expected 'govie-relation'")
        known = RelationConfig.__dataclass_fields__
        check_saved_version(data.get("govie_version"), set(data) - set(known) - {"govie_version", "metrics"},
                            config_file)
        config = RelationConfig(**{k: v for k, v in data.items() if k in known})
        for name in ("n_features", "window", "hidden_size", "feature_version"):
            value = getattr(config, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ModelLoadError(f"{config_file}: {name} {value!r}, expected a non-negative integer")
        if config.feature_version != FEATURE_VERSION:
            raise ModelLoadError(f"{config_file}: linker features v{config.feature_version}, "
                                 f"this govie computes v{FEATURE_VERSION}")
        try:
            with safe_open(str(weights_file), framework="np") as f:
                metadata = f.metadata()
                tensors = {name: f.get_tensor(name) for name in f.keys()}
        except (SafetensorError, OSError) as err:
            raise ModelLoadError(f"{weights_file}: cannot read the linker weights ({err})") from None
        check_weights(weights_file, tensors, metadata)
        sizes: dict[str, int | None] = {"index": None, "weight": None}
        if config.dense:
            sizes.update(dict.fromkeys(("dense_weight", "dense_mean", "dense_scale"), 3 * config.hidden_size))
        for name, size in sizes.items():
            if name not in tensors:
                raise ModelLoadError(f"{weights_file}: tensor {name!r} missing")
            if tensors[name].ndim != 1 or size not in (None, len(tensors[name])):
                raise ModelLoadError(f"{weights_file}: {name} has shape {tensors[name].shape}, expected one dimension"
                                     + (f" of {size} (3 x hidden_size {config.hidden_size} in config.json)" if size else ""))
        index = tensors["index"]
        if index.shape != tensors["weight"].shape or index.dtype.kind not in "iu" or \
                (index.size and (index.min() < 0 or index.max() >= config.n_features)):
            raise ModelLoadError(f"{weights_file}: 'index' must hold one integer in [0, {config.n_features}) "
                                 "(config.json n_features) per 'weight'")
        weights = np.zeros(config.n_features, dtype=np.float32)
        weights[index] = tensors["weight"]
        dense = {}
        if config.dense:
            dense = {"dense_weights": tensors["dense_weight"].astype(np.float64),
                     "dense_mean": tensors["dense_mean"].astype(np.float64),
                     "dense_scale": tensors["dense_scale"].astype(np.float64)}
        linker = cls(config, weights, **dense)
        linker.source = path
        return linker


def train_listwise(examples: Sequence[_Example], config: RelationConfig, *,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray | None]:
    """AdaGrad on the softmax log-loss over each example's options (candidates or classes).

    Returns the sparse weights and, when examples carry dense features, the dense layer's weights
    (trained jointly; each example is seen without its dense part with probability
    ``config.dense_dropout``, drawn from a generator of its own so the sparse-only run is unchanged).
    """
    rng = np.random.default_rng(seed)
    w = np.zeros(config.n_features, dtype=np.float64)
    g2 = np.full(config.n_features, 1e-8)
    lr, l2 = config.learning_rate, config.l2
    dim = next((ex.dense.shape[1] for ex in examples if ex.dense is not None), 0)
    u = np.zeros(dim) if dim else None
    u_g2 = np.full(dim, 1e-8)
    drop_rng = np.random.default_rng(seed + 1)
    for epoch in range(config.epochs):
        loss = 0.0
        for i in rng.permutation(len(examples)):
            ex = examples[i]
            scores = np.array([w[f].sum() for f in ex.features])
            dense = ex.dense if u is not None and ex.dense is not None else None
            if dense is not None and drop_rng.random() < config.dense_dropout:
                dense = None
            if dense is not None:
                scores += dense @ u
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
            if dense is not None:
                target = np.zeros(len(p))
                target[ex.gold] = 1.0
                gu = (p - target) @ dense + config.dense_l2 * u
                u_g2 += gu * gu
                u -= config.dense_learning_rate * gu / np.sqrt(u_g2)
        logger.info("epoch %d: mean loss %.4f over %d examples", epoch + 1, loss / len(examples), len(examples))
    return w.astype(np.float32), u


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
        self.weights, _ = train_listwise(self.examples(docs, cues), self.config)
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
