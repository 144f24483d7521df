"""The character-level BIO scheme shared by the tagger, the datasets bridge and the scorer.

Kept apart from model and training code so that inference never imports training code.
"""

from __future__ import annotations

from dataclasses import dataclass

from govie.document import LABELS

OUTSIDE = "O"
BIO_TAGS: tuple[str, ...] = (OUTSIDE,) + tuple(f"{p}-{label}" for label in LABELS for p in ("B", "I"))
TAG_TO_ID: dict[str, int] = {tag: i for i, tag in enumerate(BIO_TAGS)}


@dataclass(frozen=True)
class LabeledRange:
    """A predicted or gold span without an id: ``label`` over ``text[start:end]``."""

    label: str
    start: int
    end: int


def spans_to_bio(length: int, spans) -> list[str]:
    """Character BIO tags (IOB2) for a text of ``length`` characters.

    ``spans`` are objects with ``label``, ``start`` and ``end``; they must not overlap.
    """
    tags = [OUTSIDE] * length
    for span in spans:
        if not 0 <= span.start < span.end <= length:
            raise ValueError(f"span {span.label} {span.start}-{span.end} outside a text of {length} characters")
        if any(tag != OUTSIDE for tag in tags[span.start:span.end]):
            raise ValueError(f"span {span.label} {span.start}-{span.end} overlaps another span")
        tags[span.start] = f"B-{span.label}"
        for i in range(span.start + 1, span.end):
            tags[i] = f"I-{span.label}"
    return tags


def bio_to_spans(tags: list[str]) -> list[LabeledRange]:
    """Spans of an IOB2 sequence; a stray ``I-X`` (no ``B-X`` before it) starts a new span.

    Constrained decoding never produces stray tags; this leniency only matters for tags read
    from outside (CoNLL files, other taggers).
    """
    spans: list[LabeledRange] = []
    label, start = None, 0
    for i, tag in enumerate(list(tags) + [OUTSIDE]):
        prefix, _, name = tag.partition("-")
        continues = prefix == "I" and name == label
        if label is not None and not continues:
            spans.append(LabeledRange(label, start, i))
            label = None
        if prefix == "B" or (prefix == "I" and not continues):
            label, start = name, i
    return spans
