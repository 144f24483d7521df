"""Tokenizers that keep exact character offsets, so tags map back onto the raw report text.

Two kinds share one :class:`Encoding` and the same tag alignment:

- :class:`CharTokenizer`: one token per character (Chinese, digits, Latin, full-width forms,
  spaces and line breaks alike; unknown characters become ``[UNK]``), so offsets never shift.
  Its vocabulary is a ``vocab.txt`` built from the corpora (``training/build_vocab.py``).
- :class:`HFTokenizerAdapter`: any fast Hugging Face tokenizer (e.g. the WordPiece of
  ``bert-base-chinese``); tokens map to characters through ``offset_mapping``. A token is
  labelled by its first character, and a token's tag spreads back over its other characters.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol, Sequence

logger = logging.getLogger(__name__)

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPACE, NEWLINE = "[SPACE]", "[NL]"
SPECIAL_TOKENS: tuple[str, ...] = (PAD, UNK, CLS, SEP, MASK, SPACE, NEWLINE)
VOCAB_FILE = "vocab.txt"
TOKENIZER_CONFIG_FILE = "tokenizer_config.json"
CHAR_TOKENIZER_CLASS = "GovieCharTokenizer"
IGNORE_INDEX = -100


class TokenizerError(ValueError):
    """A tokenizer folder or vocabulary file is missing or malformed; the message names the file."""


@dataclass
class Encoding:
    """Token ids of one text and, for each token, its character range (``None`` for [CLS]/[SEP])."""

    input_ids: list[int]
    offsets: list[tuple[int, int] | None]

    def __len__(self) -> int:
        return len(self.input_ids)


class TokenAligner(Protocol):
    """What the tagger needs from a tokenizer."""

    pad_token_id: int

    def encode(self, text: str, *, offset: int = 0) -> Encoding: ...

    def save_pretrained(self, path: str | Path) -> None: ...


class CharTokenizer:
    """One token per character; whitespace gets its own tokens so offsets stay exact.

    >>> tok = CharTokenizer(["增", "长", "1", "%"])
    >>> enc = tok.encode("增长 1２%")
    >>> [tok.id_to_token[i] for i in enc.input_ids]
    ['[CLS]', '增', '长', '[SPACE]', '1', '[UNK]', '%', '[SEP]']
    >>> enc.offsets[1:3]
    [(0, 1), (1, 2)]
    """

    def __init__(self, characters: Iterable[str]):
        tokens = list(SPECIAL_TOKENS)
        seen = set(tokens)
        for char in characters:
            if char not in seen:
                tokens.append(char)
                seen.add(char)
        self.id_to_token: list[str] = tokens
        self.token_to_id: dict[str, int] = {token: i for i, token in enumerate(tokens)}
        self.pad_token_id = self.token_to_id[PAD]
        self.unk_token_id = self.token_to_id[UNK]
        self.cls_token_id = self.token_to_id[CLS]
        self.sep_token_id = self.token_to_id[SEP]
        self.mask_token_id = self.token_to_id[MASK]
        self._cache: dict[str, int] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.id_to_token)

    def token_id(self, char: str) -> int:
        """The id of one character: itself, else its NFKC form (``１``→``1``), else ``[UNK]``."""
        cached = self._cache.get(char)
        if cached is not None:
            return cached
        if char == "\n" or char == "\r":
            found = self.token_to_id[NEWLINE]
        elif char.isspace():
            found = self.token_to_id[SPACE]
        else:
            found = self.token_to_id.get(char)
            if found is None:
                folded = unicodedata.normalize("NFKC", char)
                found = self.token_to_id.get(folded, self.unk_token_id) if len(folded) == 1 else self.unk_token_id
        self._cache[char] = found
        return found

    def encode(self, text: str, *, offset: int = 0) -> Encoding:
        """``[CLS]`` + one token per character + ``[SEP]``; offsets are shifted by ``offset``."""
        ids = [self.cls_token_id] + [self.token_id(c) for c in text] + [self.sep_token_id]
        offsets: list[tuple[int, int] | None] = [None]
        offsets.extend((offset + i, offset + i + 1) for i in range(len(text)))
        offsets.append(None)
        return Encoding(ids, offsets)

    def max_chars(self, max_length: int) -> int:
        """Characters that fit in ``max_length`` tokens."""
        return max_length - 2

    @classmethod
    def build(cls, texts: Iterable[str], *, min_count: int = 2, max_size: int | None = None) -> "CharTokenizer":
        """A vocabulary of the characters seen at least ``min_count`` times (NFKC-folded, no whitespace),
        most frequent first, plus printable ASCII so digits and Latin letters are never unknown."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(unicodedata.normalize("NFKC", text))
        chars = [c for c, n in counts.most_common() if n >= min_count and not c.isspace() and len(c) == 1]
        if max_size is not None:
            chars = chars[: max(0, max_size - len(SPECIAL_TOKENS) - 95)]
        ascii_chars = [chr(i) for i in range(33, 127)]
        return cls(chars + [c for c in ascii_chars if c not in set(chars)])

    def save_pretrained(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / VOCAB_FILE).write_text("\n".join(self.id_to_token) + "\n", encoding="utf-8")
        config = {"tokenizer_class": CHAR_TOKENIZER_CLASS, "vocab_size": self.vocab_size}
        (path / TOKENIZER_CONFIG_FILE).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def from_pretrained(cls, path: str | Path) -> "CharTokenizer":
        file = Path(path) / VOCAB_FILE
        if not file.is_file():
            raise TokenizerError(f"{file}: vocabulary file missing")
        try:
            lines = file.read_text(encoding="utf-8").split("\n")
        except UnicodeDecodeError as err:
            raise TokenizerError(f"{file}: not UTF-8 (byte {err.start})") from None
        if lines and lines[-1] == "":
            lines.pop()
        for number, (line, special) in enumerate(zip(lines, SPECIAL_TOKENS), 1):
            if line != special:
                raise TokenizerError(f"{file}:{number}: expected special token {special!r}, got {line!r}")
        if len(lines) < len(SPECIAL_TOKENS):
            raise TokenizerError(f"{file}: {len(lines)} lines, need at least the {len(SPECIAL_TOKENS)} special tokens")
        for number, line in enumerate(lines[len(SPECIAL_TOKENS):], len(SPECIAL_TOKENS) + 1):
            if len(line) != 1:
                raise TokenizerError(f"{file}:{number}: expected one character per line, got {line!r}")
        return cls(lines[len(SPECIAL_TOKENS):])


class HFTokenizerAdapter:
    """Wraps a fast Hugging Face tokenizer; tokens keep their character ranges via ``offset_mapping``."""

    def __init__(self, tokenizer):
        if not getattr(tokenizer, "is_fast", False):
            raise TokenizerError(f"{type(tokenizer).__name__} is not a fast tokenizer; offsets need one")
        self.tokenizer = tokenizer
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path) -> "HFTokenizerAdapter":
        from transformers import AutoTokenizer

        try:
            return cls(AutoTokenizer.from_pretrained(str(name_or_path)))
        except (OSError, ValueError) as err:
            raise TokenizerError(f"{name_or_path}: cannot load a Hugging Face tokenizer ({err})") from None

    @property
    def vocab_size(self) -> int:
        return len(self.tokenizer)

    def max_chars(self, max_length: int) -> int:
        # A WordPiece/BPE token covers at least one character, so this many characters always fit.
        return max_length - 2

    def encode(self, text: str, *, offset: int = 0) -> Encoding:
        out = self.tokenizer(text, return_offsets_mapping=True, add_special_tokens=True)
        special = set(self.tokenizer.all_special_ids)
        offsets: list[tuple[int, int] | None] = []
        for token_id, (start, end) in zip(out["input_ids"], out["offset_mapping"]):
            if end <= start and token_id in special:
                offsets.append(None)
            else:
                offsets.append((offset + start, offset + max(end, start + 1)))
        return Encoding(list(out["input_ids"]), offsets)

    def save_pretrained(self, path: str | Path) -> None:
        self.tokenizer.save_pretrained(str(path))


def load_tokenizer(path: str | Path) -> CharTokenizer | HFTokenizerAdapter:
    """The tokenizer saved in a model folder: govie's character tokenizer or a Hugging Face one."""
    path = Path(path)
    config_file = path / TOKENIZER_CONFIG_FILE
    if not config_file.is_file():
        raise TokenizerError(f"{config_file}: tokenizer config missing")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise TokenizerError(f"{config_file}: not valid JSON ({err})") from None
    if config.get("tokenizer_class") == CHAR_TOKENIZER_CLASS:
        return CharTokenizer.from_pretrained(path)
    return HFTokenizerAdapter.from_pretrained(path)


def char_tags_to_token_labels(char_tags: Sequence[str], encoding: Encoding, tag_to_id: dict[str, int]) -> list[int]:
    """Training labels: each token takes the tag of its first character; [CLS]/[SEP] are ignored.

    A token that starts inside a span (``I-X``) but is the first token of it keeps ``B-X`` so
    that token sequences stay valid IOB2.
    """
    labels: list[int] = []
    previous = "O"
    for span in encoding.offsets:
        if span is None:
            labels.append(IGNORE_INDEX)
            continue
        tag = char_tags[span[0]]
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        elif tag == "O" and any(t != "O" for t in char_tags[span[0]:span[1]]):
            inner = next(t for t in char_tags[span[0]:span[1]] if t != "O")
            tag = "B-" + inner[2:]
        labels.append(tag_to_id[tag])
        previous = tag
    return labels


def token_feature_ids(char_tags: Sequence[str], encoding: Encoding, tag_to_id: dict[str, int]) -> list[int]:
    """Rule-tag features per token: the tag of its first character (``O`` for [CLS]/[SEP])."""
    return [max(label, 0) for label in char_tags_to_token_labels(char_tags, encoding, tag_to_id)]


def token_scores_to_char_scores(token_scores, encoding: Encoding, length: int, tags: Sequence[str],
                                *, offset: int = 0):
    """Per-character log-scores (``length`` x tags) from per-token log-scores.

    The first character of a token takes the token's scores. Its other characters, and
    characters no token covers (whitespace a WordPiece drops), may only continue what came
    before: ``B-X`` is ruled out, so constrained decoding spreads the token's tag over them.
    Inside a token ``I-X`` is slightly preferred over ``O``; between tokens ``O`` is.
    """
    import numpy as np

    scores = np.full((length, len(tags)), 0.0, dtype=np.float32)
    begin = np.array([t.startswith("B-") for t in tags])
    inside = np.array([t.startswith("I-") for t in tags])
    outside = ~(begin | inside)
    scores[:, begin] = -1e4
    scores[:, inside] = -1e-4
    token_scores = np.asarray(token_scores)
    for index, span in enumerate(encoding.offsets):
        if span is None:
            continue
        start, end = span[0] - offset, min(span[1] - offset, length)
        if not 0 <= start < length:
            continue
        scores[start] = token_scores[index]
        if end > start + 1:
            scores[start + 1:end][:, begin] = -1e4
            scores[start + 1:end][:, inside] = 0.0
            scores[start + 1:end][:, outside] = -1e-4
    return scores
