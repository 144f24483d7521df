"""Where an indicator name ends and starts, chosen among the nearby boundaries by a log-linear model.

The boundary edits (:mod:`govie.boundary_edits`) fix errors that recur as the same string. Many more
recur as the same *kind* of boundary: a name ends before ``压``/``缩短``/``完成`` and before a value, starts
after ``举办``/``落实``/``被评为``, takes in the word before ``、``. For every IND span the chooser scores
each end within ``radius`` characters of the tagger's end (never across punctuation or another label),
then each start likewise (plus the start of an enumeration ``A、B、`` before it), by a linear model over
hashed features of the candidate — the characters on both sides of the boundary, the string it cuts off
or takes in, whether a value or punctuation follows, how far it moves — and keeps the best one. The two
models are trained on the annotated documents as a softmax over each span's candidates with the gold
boundary as the answer (spans that overlap exactly one gold IND), with an L2 penalty, so "leave it where
it is" wins unless the features say otherwise. Weights are saved sparse in ``boundary_chooser.safetensors``
with ``boundary_chooser.json`` (the feature scheme and training settings).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from govie.boundary_edits import STOPS, EditExample, enumeration_start, taken_mask, with_indicators
from govie.labels import LabeledRange

WEIGHTS_FILE = "boundary_chooser.safetensors"
CONFIG_FILE = "boundary_chooser.json"
#: bump when the features change: weights of another scheme do not fit
FEATURE_SCHEME = "crc32-v1"


@dataclass
class ChooserConfig:
    """Feature space and training settings (written to ``boundary_chooser.json``)."""

    buckets: int = 1 << 18
    radius: int = 4
    l2: float = 0.1
    epochs: int = 200
    learning_rate: float = 0.1
    seed: int = 0
    feature_scheme: str = FEATURE_SCHEME
    trained_on: list[str] = field(default_factory=list)


class BoundaryChooser:
    """The end and start models; :meth:`apply` moves each IND span's boundaries to their best candidates."""

    def __init__(self, config: ChooserConfig | None = None, end_weights: np.ndarray | None = None,
                 start_weights: np.ndarray | None = None) -> None:
        self.config = config or ChooserConfig()
        size = self.config.buckets
        self.end_weights = np.zeros(size, np.float32) if end_weights is None else end_weights
        self.start_weights = np.zeros(size, np.float32) if start_weights is None else start_weights

    # -- inference ----------------------------------------------------------------------------

    def apply(self, text: str, ranges: Sequence[LabeledRange]) -> list[LabeledRange]:
        """``ranges`` with each IND span's end, then start, moved to the best-scoring candidate; the
        other labels are kept. Where two spans come to overlap, the one that starts first stays."""
        return with_indicators(ranges, [(start, end) for start, end, _ in self.choices(text, ranges)])

    def choices(self, text: str, ranges: Sequence[LabeledRange]) -> list[tuple[int, int, float]]:
        """Each IND span's chosen (start, end) and the margin of the less certain of its two choices:
        the best candidate's score minus the runner-up's (infinite where there was nothing to choose)."""
        taken = taken_mask(text, ranges)
        out = []
        for r in ranges:
            if r.label != "IND":
                continue
            start, end, margin = r.start, r.end, float("inf")
            ends = self._end_candidates(text, start, end, taken)
            if ends:
                best, gap = _best(self.end_weights, [self._end_features(text, start, end, e, taken) for e in ends],
                                  ends.index(end) if end in ends else None)
                end, margin = ends[best], min(margin, gap)
            starts = self._start_candidates(text, start, end, taken)
            if starts:
                first = enumeration_start(text, start)
                best, gap = _best(self.start_weights,
                                  [self._start_features(text, start, end, s, taken, first) for s in starts],
                                  starts.index(start) if start in starts else None)
                start, margin = starts[best], min(margin, gap)
            out.append((start, end, margin))
        return out

    # -- candidates and features --------------------------------------------------------------

    def _end_candidates(self, text: str, start: int, end: int, taken: Sequence[bool]) -> list[int]:
        out = []
        for e in range(max(start + 2, end - self.config.radius), end + self.config.radius + 1):
            if e > len(text) or (e > end and (taken[e - 1] or text[e - 1] in STOPS)):
                break
            out.append(e)
        return out

    def _start_candidates(self, text: str, start: int, end: int, taken: Sequence[bool]) -> list[int]:
        out = {start} if end - start >= 2 else set()
        for s in range(start - 1, start - self.config.radius - 1, -1):
            if s < 0 or taken[s] or text[s] in STOPS:
                break
            out.add(s)
        out.update(range(start + 1, min(start + self.config.radius, end - 2) + 1))
        first = enumeration_start(text, start)
        if first is not None and not any(taken[first:start]):
            out.add(first)
        return sorted(out)

    def _end_features(self, text: str, start: int, end: int, e: int, taken: Sequence[bool]) -> list[int]:
        move = _direction(e - end)
        left1, left2 = text[e - 1], text[max(start, e - 2):e]
        right1, right2 = (text[e] if e < len(text) else "#"), text[e:e + 2]
        kind = _kind(text, e, taken)
        names = [f"d={e - end}", "s=" + move, "L1=" + left1, "L2=" + left2, "R1=" + right1, "R2=" + right2,
                 "rk=" + kind, "sL1=" + move + left1, "sR1=" + move + right1, "rkL1=" + kind + left1,
                 "rkL2=" + kind + left2, "sL2=" + move + left2]
        if e < end:
            names += ["rm=" + text[e:end], "rm1=" + text[e], "rmlast=" + text[end - 1]]
        elif e > end:
            names += ["add=" + text[end:e], "add1=" + text[end]]
        return [self._hash("E" + n) for n in names]

    def _start_features(self, text: str, start: int, end: int, s: int, taken: Sequence[bool],
                        first: int | None) -> list[int]:
        move = _direction(s - start)
        right1, right2 = text[s], text[s:s + 2]
        left1, left2 = (text[s - 1] if s > 0 else "#"), text[max(0, s - 2):s]
        kind = _kind(text, s - 1, taken) if s > 0 else "P"
        names = [f"d={max(-5, min(5, s - start))}", "s=" + move, "R1=" + right1, "R2=" + right2, "L1=" + left1,
                 "L2=" + left2, "lk=" + kind, "sR1=" + move + right1, "sL1=" + move + left1,
                 "lkR1=" + kind + right1, "lkR2=" + kind + right2, "sR2=" + move + right2,
                 "last=" + text[end - 1], f"enum={s == first}"]
        if s == first:
            names += ["enumlast=" + text[end - 1], "enumlast2=" + text[end - 2:end]]
        if s > start:
            names += ["rm=" + text[start:s], "rmlast=" + text[s - 1]]
        elif s < start:
            names += ["add=" + text[s:start], "addlast=" + text[start - 1]]
        return [self._hash("S" + n) for n in names]

    def _hash(self, name: str) -> int:
        """A stable bucket in 1..buckets-1 (0 pads candidate feature lists in training)."""
        return 1 + zlib.crc32(name.encode("utf-8", "surrogatepass")) % (self.config.buckets - 1)

    # -- learning -----------------------------------------------------------------------------

    @classmethod
    def learn(cls, examples: Sequence[EditExample], config: ChooserConfig | None = None) -> "BoundaryChooser":
        """Train both models on the predicted spans of ``examples`` against their gold IND spans."""
        config = config or ChooserConfig()
        chooser = cls(config)
        ends, starts = [], []
        for ex in examples:
            for r in ex.predicted:
                if r.label != "IND":
                    continue
                a, b = r.start, r.end
                overlapping = [g for g in ex.gold if g[0] < b and a < g[1]]
                if len(overlapping) != 1:
                    continue
                c, d = overlapping[0]
                candidates = chooser._end_candidates(ex.text, a, b, ex.taken)
                if d in candidates:
                    ends.append(([chooser._end_features(ex.text, a, b, e, ex.taken) for e in candidates],
                                 candidates.index(d)))
                candidates = chooser._start_candidates(ex.text, a, b, ex.taken)
                first = enumeration_start(ex.text, a)
                if c in candidates:
                    starts.append(([chooser._start_features(ex.text, a, b, s, ex.taken, first) for s in candidates],
                                   candidates.index(c)))
        chooser.end_weights = _fit(ends, config)
        chooser.start_weights = _fit(starts, config)
        chooser.config.trained_on = sorted({ex.doc_id for ex in examples})
        return chooser

    # -- files --------------------------------------------------------------------------------

    def save(self, folder: str | Path) -> None:
        from safetensors.numpy import save_file

        folder = Path(folder)
        tensors = {}
        for name, weights in (("end", self.end_weights), ("start", self.start_weights)):
            index = np.flatnonzero(weights).astype(np.int64)
            tensors[f"{name}.index"], tensors[f"{name}.value"] = index, weights[index].astype(np.float32)
        save_file(tensors, str(folder / WEIGHTS_FILE))
        (folder / WEIGHTS_FILE).chmod(0o644)
        (folder / CONFIG_FILE).write_text(json.dumps(asdict(self.config), ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> "BoundaryChooser":
        """Read the two files of a model folder; errors name the file and what was expected."""
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        folder = Path(folder)
        config_file, weights_file = folder / CONFIG_FILE, folder / WEIGHTS_FILE
        try:
            data = json.loads(config_file.read_text(encoding="utf-8"))
            config = ChooserConfig(**data)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{config_file}: not valid JSON ({err})") from None
        except TypeError as err:
            raise ValueError(f"{config_file}: not a boundary chooser config ({err})") from None
        if config.feature_scheme != FEATURE_SCHEME:
            raise ValueError(f"{config_file}: feature_scheme {config.feature_scheme!r}, this govie computes "
                             f"{FEATURE_SCHEME!r}; relearn it with training/learn_boundary_edits.py")
        try:
            tensors = load_file(str(weights_file))
        except (SafetensorError, OSError) as err:
            raise ValueError(f"{weights_file}: cannot read the weights ({err})") from None
        weights = []
        for name in ("end", "start"):
            index, value = tensors.get(f"{name}.index"), tensors.get(f"{name}.value")
            if index is None or value is None or index.shape != value.shape \
                    or (index.size and (index.min() < 0 or index.max() >= config.buckets)):
                raise ValueError(f"{weights_file}: expected {name}.index and {name}.value of one length, "
                                 f"indices below {config.buckets}")
            dense = np.zeros(config.buckets, np.float32)
            dense[index] = value
            weights.append(dense)
        return cls(config, *weights)


def _direction(delta: int) -> str:
    return "0" if delta == 0 else ("+" if delta > 0 else "-")


def _kind(text: str, i: int, taken: Sequence[bool]) -> str:
    """What stands at ``i``: another label (a value...), punctuation, a digit, or a character."""
    if i >= len(text):
        return "P"
    if taken[i]:
        return "V"
    return "P" if text[i] in STOPS else ("D" if text[i].isdigit() else "c")


def _best(weights: np.ndarray, candidates: list[list[int]], current: int | None) -> tuple[int, float]:
    """The best-scoring candidate and its lead over the runner-up; the current boundary wins ties (an
    untrained model moves nothing)."""
    scores = np.array([weights[ids].sum() for ids in candidates])
    best = int(np.argmax(scores))
    if current is not None and scores[current] >= scores[best]:
        best = current
    rest = np.delete(scores, best)
    return best, float(scores[best] - rest.max()) if rest.size else float("inf")


def _fit(groups: list[tuple[list[list[int]], int]], config: ChooserConfig) -> np.ndarray:
    """Softmax over each group's candidates (answer: the gold index), L2-penalised, full-batch Adam."""
    import torch

    if not groups:
        return np.zeros(config.buckets, np.float32)
    n_cand = max(len(c) for c, _ in groups)
    n_feat = max(len(f) for c, _ in groups for f in c)
    ids = torch.zeros(len(groups), n_cand, n_feat, dtype=torch.long)
    valid = torch.zeros(len(groups), n_cand, dtype=torch.bool)
    for g, (candidates, _) in enumerate(groups):
        for k, features in enumerate(candidates):
            ids[g, k, :len(features)] = torch.tensor(features)
            valid[g, k] = True
    answers = torch.tensor([answer for _, answer in groups])
    torch.manual_seed(config.seed)
    weights = torch.nn.Embedding(config.buckets, 1, padding_idx=0)
    torch.nn.init.zeros_(weights.weight)
    optimizer = torch.optim.Adam(weights.parameters(), lr=config.learning_rate)
    for _ in range(config.epochs):
        scores = weights(ids).sum(dim=(2, 3)).masked_fill(~valid, float("-inf"))
        loss = torch.nn.functional.cross_entropy(scores, answers, reduction="sum") \
            + config.l2 * weights.weight.pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return weights.weight.detach().numpy()[:, 0].copy()
