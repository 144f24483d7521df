"""Learned edits of indicator boundaries: an ordered list of transformations over a tagger's IND spans.

The rule tagger (and the neural tagger, which reads its tags) finds nearly every value, but where an
indicator name starts and ends is its main error on reports it was not written on: a predicate left on
the name (``审批时间平均压减``), a frame in front (``降低相关市场主体融资成本``), an enumeration cut at ``、``
(``食品`` for ``纺织服装、食品、建材产业增加值``), a word missing (``贷款余额`` for ``各项贷款余额``). These
errors recur as the same few strings in report after report, so they are learned from annotated
documents the way Brill (1995) learned tagging corrections: for each template (trim a suffix, trim a
prefix, take the word in front, take the word after, take the whole enumeration, drop a span) every
instance that would fix an error of the base tagger is scored on all training spans — spans it fixes
minus correct spans it breaks — and the best one is kept and applied, until no edit gains at least
``min_gain`` spans over at least ``min_documents`` documents. The edits are plain data
(``boundary_edits.json`` in a model folder), applied in order, and readable: each says what it changes
and how many training spans it fixed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from govie.labels import LabeledRange

EDITS_FILE = "boundary_edits.json"

#: what each kind of edit does with an IND span ``s`` whose context matches ``text``
KINDS = {
    "trim_end": "s ends with text: cut it off",
    "trim_start": "s starts with text: cut it off",
    "extend_start": "text stands right before s: take it in",
    "extend_end": "text stands right after s: take it in",
    "enumeration": "s ends with text and follows an enumeration 'A、B、': start at the enumeration",
    "drop": "s is text: not an indicator",
    "drop_prefix": "s starts with text: not an indicator",
}

#: characters no edit moves a boundary across (a name does not span them)
STOPS = frozenset("，。；;！？!?\n：:（）()“”\"《》 ,")
#: a trimmed span keeps at least this many characters
_MIN_LENGTH = 2


@dataclass(frozen=True)
class BoundaryEdit:
    """One transformation: ``kind`` (a key of :data:`KINDS`) with the string it matches; ``gain`` is
    its net number of IND spans fixed on the training documents when it was learned."""

    kind: str
    text: str
    gain: int = 0
    documents: int = 0

    def apply(self, text: str, start: int, end: int, taken: Sequence[bool]) -> tuple[int, int] | None:
        """The span's new boundaries, ``None`` to drop it, or ``(start, end)`` when it does not fire.
        ``taken`` marks characters of other labels (VAL, UNIT, PER, TOWN), which no edit takes in."""
        span, x = text[start:end], self.text
        kind = self.kind
        if kind == "trim_end" and span.endswith(x) and len(span) - len(x) >= _MIN_LENGTH:
            return start, end - len(x)
        if kind == "trim_start" and span.startswith(x) and len(span) - len(x) >= _MIN_LENGTH:
            return start + len(x), end
        if kind == "extend_start" and start >= len(x) and text[start - len(x):start] == x \
                and not any(taken[start - len(x):start]):
            return start - len(x), end
        if kind == "extend_end" and text[end:end + len(x)] == x and not any(taken[end:end + len(x)]):
            return start, end + len(x)
        if kind == "enumeration" and span.endswith(x):
            first = enumeration_start(text, start)
            if first is not None and not any(taken[first:start]):
                return first, end
        if kind == "drop" and span == x:
            return None
        if kind == "drop_prefix" and span.startswith(x):
            return None
        return start, end


def enumeration_start(text: str, start: int) -> int | None:
    """Where an enumeration ``A、B、`` that ends right before ``start`` begins (None if there is none)."""
    if start == 0 or text[start - 1] != "、":
        return None
    i = start - 1
    while i > 0 and text[i - 1] not in STOPS and not text[i - 1].isdigit():
        i -= 1
    return i if i < start - 1 else None


@dataclass
class EditExample:
    """A training document: its text, the base tagger's spans, and the gold IND spans."""

    doc_id: str
    text: str
    predicted: list[LabeledRange]
    gold: set[tuple[int, int]]

    def __post_init__(self) -> None:
        self.taken = taken_mask(self.text, self.predicted)
        self.inds = [(r.start, r.end) for r in self.predicted if r.label == "IND"]


def taken_mask(text: str, ranges: Iterable[LabeledRange]) -> list[bool]:
    """Which characters belong to a span of another label than IND (no boundary moves into them)."""
    taken = [False] * len(text)
    for r in ranges:
        if r.label != "IND":
            taken[r.start:r.end] = [True] * (r.end - r.start)
    return taken


def with_indicators(ranges: Iterable[LabeledRange], indicators: Iterable[tuple[int, int]]) -> list[LabeledRange]:
    """The non-IND spans of ``ranges`` with ``indicators`` as the IND spans, sorted; where two of them
    overlap, the one that starts first stays."""
    kept, last = [], -1
    for start, end in sorted(indicators):
        if start >= last:
            kept.append(LabeledRange("IND", start, end))
            last = end
    return sorted([r for r in ranges if r.label != "IND"] + kept, key=lambda r: r.start)


@dataclass
class BoundaryEdits:
    """An ordered list of :class:`BoundaryEdit`; :meth:`apply` runs them over a tagger's spans."""

    edits: list[BoundaryEdit] = field(default_factory=list)
    #: how it was learned: the documents and the two thresholds
    trained_on: list[str] = field(default_factory=list)
    min_gain: int = 2
    min_documents: int = 2

    def __len__(self) -> int:
        return len(self.edits)

    def apply(self, text: str, ranges: Sequence[LabeledRange]) -> list[LabeledRange]:
        """``ranges`` with their IND spans edited; the other labels are kept as they are. Where an
        edited span overlaps another, the one that starts first stays."""
        if not self.edits:
            return sorted(ranges, key=lambda r: r.start)
        taken = taken_mask(text, ranges)
        inds = [(r.start, r.end) for r in ranges if r.label == "IND"]
        for edit in self.edits:
            inds = [new for a, b in inds if (new := edit.apply(text, a, b, taken)) is not None]
        return with_indicators(ranges, inds)

    # -- learning ------------------------------------------------------------------------------

    @classmethod
    def learn(cls, examples: Sequence[EditExample], *, min_gain: int = 2, min_documents: int = 2,
              max_edits: int = 200) -> "BoundaryEdits":
        """Greedy transformation-based learning (module docstring); ``examples`` are left as they are."""
        if min_gain < 1 or min_documents < 1:
            raise ValueError(f"min_gain and min_documents must be at least 1, got {min_gain} and {min_documents}")
        examples = [EditExample(ex.doc_id, ex.text, ex.predicted, ex.gold) for ex in examples]  # edited below
        learned: list[BoundaryEdit] = []
        while len(learned) < max_edits:
            best: BoundaryEdit | None = None
            for candidate, fixes in _candidates(examples).most_common():
                if fixes < min_gain or (best is not None and fixes <= best.gain):
                    break  # a candidate cannot gain more than the errors it fixes
                gain, documents = _score(candidate, examples)
                if gain >= min_gain and documents >= min_documents and (best is None or gain > best.gain):
                    best = BoundaryEdit(candidate.kind, candidate.text, gain, documents)
            if best is None:
                break
            learned.append(best)
            for ex in examples:
                ex.inds = [new for a, b in ex.inds if (new := best.apply(ex.text, a, b, ex.taken)) is not None]
        return cls(learned, sorted({ex.doc_id for ex in examples}), min_gain, min_documents)

    # -- files ---------------------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        path = Path(folder) / EDITS_FILE
        data = {"about": "learned IND boundary edits, applied in order (govie.boundary_edits)",
                "kinds": KINDS, "min_gain": self.min_gain, "min_documents": self.min_documents,
                "trained_on": self.trained_on, "edits": [asdict(e) for e in self.edits]}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "BoundaryEdits":
        """Read a ``boundary_edits.json`` (or the folder holding one); errors name the file and entry."""
        path = Path(path)
        if path.is_dir():
            path = path / EDITS_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{path}: not valid JSON ({err})") from None
        if not isinstance(data, dict) or not isinstance(data.get("edits"), list):
            raise ValueError(f"{path}: expected a JSON object with an 'edits' list")
        edits = []
        for i, item in enumerate(data["edits"]):
            if not isinstance(item, dict) or item.get("kind") not in KINDS \
                    or not isinstance(item.get("text"), str) or not item["text"]:
                raise ValueError(f"{path}: edits[{i}]: expected {{'kind': one of {', '.join(KINDS)}, "
                                 f"'text': a non-empty string}}, got {item!r}")
            edits.append(BoundaryEdit(item["kind"], item["text"], int(item.get("gain", 0)),
                                      int(item.get("documents", 0))))
        return cls(edits, list(data.get("trained_on", [])), int(data.get("min_gain", 2)),
                   int(data.get("min_documents", 2)))


def _candidates(examples: Sequence[EditExample]) -> Counter:
    """Every edit that would turn one wrong predicted span into a gold one (or drop a spurious one),
    with the number of spans it would fix so."""
    counts: Counter = Counter()
    for ex in examples:
        text = ex.text
        for a, b in ex.inds:
            if (a, b) in ex.gold:
                continue
            overlapping = [g for g in ex.gold if g[0] < b and a < g[1]]
            if not overlapping:
                counts[BoundaryEdit("drop", text[a:b])] += 1
                counts[BoundaryEdit("drop_prefix", text[a])] += 1
                if b - a > 2:
                    counts[BoundaryEdit("drop_prefix", text[a:a + 2])] += 1
            for c, d in overlapping:
                for kind, x in _fixes(text, a, b, c, d):
                    counts[BoundaryEdit(kind, x)] += 1
    return counts


def _fixes(text: str, a: int, b: int, c: int, d: int) -> list[tuple[str, str]]:
    """Edits that turn predicted ``[a, b)`` into gold ``[c, d)`` in one step."""
    out = []
    if a == c and d < b <= d + 4:
        out.append(("trim_end", text[d:b]))
    if b == d and a < c <= a + 4:
        out.append(("trim_start", text[a:c]))
    if b == d and c < a <= c + 3 and not any(ch in STOPS for ch in text[c:a]):
        out.append(("extend_start", text[c:a]))
    if a == c and b < d <= b + 3 and not any(ch in STOPS for ch in text[b:d]):
        out.append(("extend_end", text[b:d]))
    if b == d and c < a and enumeration_start(text, a) == c:
        out += [("enumeration", text[b - k:b]) for k in (1, 2, 3) if b - a >= k]
    return out


def _score(edit: BoundaryEdit, examples: Sequence[EditExample]) -> tuple[int, int]:
    """Net gain (IND true positives won, or false positives removed, minus true positives lost) and
    the number of documents where it wins."""
    gain, documents = 0, set()
    for ex in examples:
        for a, b in ex.inds:
            new = edit.apply(ex.text, a, b, ex.taken)
            if new == (a, b):
                continue
            if (a, b) in ex.gold:
                gain -= new is None or new not in ex.gold
            elif new is None or new in ex.gold:
                gain += 1
                documents.add(ex.doc_id)
    return gain, len(documents)
