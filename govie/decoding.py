"""Constrained Viterbi decoding over IOB2 tags: the best sequence that forms only valid spans.

``I-X`` may only follow ``B-X`` or ``I-X``, and never starts a sequence, so decoding never emits
a stray ``I-`` tag. Decoding runs over a whole document's per-character scores (merged from
overlapping windows), so a span cut by a window edge still comes out whole.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

NEG_INF = -1e9


def allowed_transitions(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(start, transitions)``: additive scores, 0 where allowed and a large negative where not."""
    n = len(tags)
    start = np.zeros(n, dtype=np.float64)
    trans = np.zeros((n, n), dtype=np.float64)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            start[j] = NEG_INF
            for i, previous in enumerate(tags):
                if previous[2:] != tag[2:] or previous == "O":
                    trans[i, j] = NEG_INF
    return start, trans


def viterbi_decode(scores, tags: Sequence[str]) -> list[int]:
    """Indices of the best valid tag sequence for ``scores`` (length x tags, log-probabilities).

    >>> tags = ["O", "B-VAL", "I-VAL"]
    >>> import numpy as np
    >>> viterbi_decode(np.log([[0.6, 0.1, 0.3], [0.1, 0.1, 0.8]]), tags)  # argmax would be O, I-VAL
    [1, 2]
    """
    scores = np.asarray(scores, dtype=np.float64)
    length = scores.shape[0]
    if length == 0:
        return []
    start, trans = allowed_transitions(tags)
    backpointers = np.empty((length, len(tags)), dtype=np.int64)
    best = start + scores[0]
    for position in range(1, length):
        candidates = best[:, None] + trans
        backpointers[position] = candidates.argmax(axis=0)
        best = candidates.max(axis=0) + scores[position]
    path = [int(best.argmax())]
    for position in range(length - 1, 0, -1):
        path.append(int(backpointers[position, path[-1]]))
    path.reverse()
    return path


def is_valid_iob2(tags: Sequence[str]) -> bool:
    """No ``I-X`` at the start or after ``O`` or another label."""
    previous = "O"
    for tag in tags:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            return False
        previous = tag
    return True
