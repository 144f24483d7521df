"""CoNLL-style character BIO files, for people who train or score other taggers on govie data.

One character per line, ``char<TAB>TAG`` (IOB2 tags of :mod:`govie.labels`); a document starts with
``-DOCSTART- <id>`` and ends with a blank line. Characters that a line-based format would lose are
escaped so that offsets survive: ``\\s`` space, ``\\n`` newline, ``\\t`` tab, ``\\r`` carriage return,
``\\\\`` backslash, ``\\uXXXX`` (``\\UXXXXXXXX`` beyond the BMP) any other white space or
control character.

CoNLL holds spans only: imported documents have no tuples and empty metadata.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from govie.corpus import ImportResult
from govie.document import Document, FormatError, Span
from govie.labels import BIO_TAGS, bio_to_spans, spans_to_bio

DOCSTART = "-DOCSTART-"
_ESCAPES = {" ": r"\s", "\n": r"\n", "\t": r"\t", "\r": r"\r", "\\": "\\\\"}
_UNESCAPES = {v: k for k, v in _ESCAPES.items()}
_UNICODE_ESCAPE = re.compile(r"^\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))$")


def escape_char(char: str) -> str:
    """The token written for one character (never empty, never containing white space)."""
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isspace() or not char.isprintable():
        return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"
    return char


def unescape_token(token: str) -> str:
    """Inverse of :func:`escape_char`; raises ``ValueError`` for a token that is not one character."""
    if token in _UNESCAPES:
        return _UNESCAPES[token]
    match = _UNICODE_ESCAPE.match(token)
    if match:
        return chr(int(match.group(1) or match.group(2), 16))
    if len(token) != 1:
        raise ValueError(f"expected one character or an escape, got {token!r}")
    return token


def to_conll(doc: Document) -> str:
    """One document as CoNLL lines (ending with a blank line)."""
    tags = spans_to_bio(len(doc.text), doc.spans)
    lines = [f"{DOCSTART} {doc.id}"]
    lines += [f"{escape_char(c)}\t{tag}" for c, tag in zip(doc.text, tags)]
    return "\n".join(lines) + "\n\n"


def write_conll(documents: Iterable[Document], path: str | Path) -> int:
    """Write documents to a CoNLL file; returns the number written."""
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for doc in documents:
            f.write(to_conll(doc))
            count += 1
    return count


def read_conll(path: str | Path) -> ImportResult:
    """Documents (text and spans, ids numbered in text order) from a CoNLL file; a malformed line
    raises :class:`FormatError` with its line number."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as err:
        raise FormatError(f"{path}: cannot read ({err})") from None
    result = ImportResult(documents=[])
    doc_id: str | None = None
    chars: list[str] = []
    tags: list[str] = []

    def finish() -> None:
        if doc_id is None:
            return
        text = "".join(chars)
        spans = [Span(id=i, label=r.label, start=r.start, end=r.end, text=text[r.start:r.end])
                 for i, r in enumerate(bio_to_spans(tags))]
        result.documents.append(Document(id=doc_id, text=text, spans=spans))

    for number, line in enumerate(lines, 1):
        if line.startswith(DOCSTART):
            finish()
            doc_id = line[len(DOCSTART):].strip() or f"conll-{len(result.documents)}"
            chars, tags = [], []
            continue
        if not line.strip():
            continue
        where = f"{path}:{number}"
        if doc_id is None:
            raise FormatError(f"{where}: a character line before the first {DOCSTART} line")
        token, sep, tag = line.partition("\t")
        if not sep:
            raise FormatError(f"{where}: expected 'char<TAB>TAG', got {line!r}")
        if tag not in BIO_TAGS:
            raise FormatError(f"{where}: unknown tag {tag!r} (expected one of {', '.join(BIO_TAGS)})")
        try:
            chars.append(unescape_token(token))
        except ValueError as err:
            raise FormatError(f"{where}: {err}") from None
        tags.append(tag)
    finish()
    return result
