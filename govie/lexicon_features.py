"""Lexicon-match features for the tagger: where each character sits in known words.

A character encoder trained on a few dozen reports cannot learn every indicator name or word
boundary from them; lexicons bring that knowledge in softly (in the spirit of SoftLexicon/LEBERT):
each character gets its position — none, Begin, Middle, End, Single — in the forward-maximum-match
of two word lists, the indicator lexicon (indicator names) and a general word list (pkuseg words of
the unlabeled reports). The pair is one categorical feature (5 x 5 ids), embedded and added to the
character embedding; the network, not a rule, decides what a match means for a span boundary.

Both lists are plain text files in the model folder (``lexicon_indicators.txt``,
``lexicon_words.txt``), one entry per line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

__all__ = ["LexiconFeaturizer", "FEATURE_COUNT", "INDICATOR_FILE", "WORD_FILE"]

INDICATOR_FILE = "lexicon_indicators.txt"
WORD_FILE = "lexicon_words.txt"
_STATES = 5  # none, B, M, E, S
FEATURE_COUNT = _STATES * _STATES
_MAX_WORD = 16


def _positions(text: str, words: frozenset[str], longest: int) -> list[int]:
    """Forward maximum matching: the B/M/E/S state (1-4) of each character, 0 outside matches."""
    states = [0] * len(text)
    i, n = 0, len(text)
    while i < n:
        for size in range(min(longest, n - i), 1, -1):
            if text[i:i + size] in words:
                states[i] = 1
                for j in range(i + 1, i + size - 1):
                    states[j] = 2
                states[i + size - 1] = 3
                i += size
                break
        else:
            if text[i] in words:
                states[i] = 4
            i += 1
    return states


class LexiconFeaturizer:
    """Per-character feature ids in ``[0, FEATURE_COUNT)`` from an indicator lexicon and a word list."""

    def __init__(self, indicators: Iterable[str], words: Iterable[str]):
        self.indicators = frozenset(w for w in (s.strip() for s in indicators) if w and not w.startswith("#"))
        self.words = frozenset(w for w in (s.strip() for s in words) if w and not w.startswith("#"))
        self._longest_indicator = min(_MAX_WORD, max(map(len, self.indicators), default=1))
        self._longest_word = min(_MAX_WORD, max(map(len, self.words), default=1))

    def without(self, names: Iterable[str]) -> "LexiconFeaturizer":
        """The same featurizer minus some indicator names: a training document's own names are left
        out of its features (jackknife), so the features are as incomplete as on an unseen report."""
        dropped = set(names)
        return LexiconFeaturizer((w for w in self.indicators if w not in dropped), self.words)

    def char_feature_ids(self, text: str) -> list[int]:
        ind = _positions(text, self.indicators, self._longest_indicator)
        word = _positions(text, self.words, self._longest_word)
        return [a * _STATES + b for a, b in zip(ind, word)]

    def token_feature_ids(self, char_ids: Sequence[int], offsets: Sequence[tuple[int, int] | None]) -> list[int]:
        """Token features: the feature of the token's first character (0 for [CLS]/[SEP])."""
        return [char_ids[span[0]] if span is not None and span[0] < len(char_ids) else 0 for span in offsets]

    # -- persistence -------------------------------------------------------------------------

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        (folder / INDICATOR_FILE).write_text("\n".join(sorted(self.indicators)) + "\n", encoding="utf-8")
        (folder / WORD_FILE).write_text("\n".join(sorted(self.words)) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> "LexiconFeaturizer":
        """Read both lists; a missing or non-UTF-8 file raises ``OSError``/``ValueError`` naming it."""
        folder = Path(folder)
        lists = []
        for name in (INDICATOR_FILE, WORD_FILE):
            path = folder / name
            if not path.is_file():
                raise FileNotFoundError(f"{path}: lexicon missing (this model reads lexicon features)")
            try:
                lists.append(path.read_text(encoding="utf-8").splitlines())
            except UnicodeDecodeError as err:
                raise ValueError(f"{path}: not UTF-8 (byte {err.start})") from None
        return cls(*lists)
