"""Reading report files: UTF-8 (with or without BOM), else a detected GB18030 fallback, never binary.

Chinese reports saved on Windows are often GBK/GB18030; decoding them as UTF-8 fails loudly, but
decoding a UTF-8 file as GB18030 would "succeed" with mojibake, so the order matters and the
encoding used is reported back to the caller (the CLI says so when it is not UTF-8). A file that
is UTF-8 in one part and not in another (cut inside a character, or GB18030 and UTF-8 pasted
together) is refused with the byte and line where it breaks: decoding it either way would turn one
part into mojibake. An empty or blank file is readable: it is a report with nothing in it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

#: bytes that never occur in text files (NUL and most C0 controls except tab, LF, CR, FF, ESC)
_BINARY_BYTES = set(range(0, 9)) | {11} | set(range(14, 27)) | set(range(28, 32))


class TextFileError(ValueError):
    """A file cannot be read as text; the message is one line naming the file and the reason."""


@dataclass(frozen=True)
class TextFile:
    """A decoded file: its text and the encoding that decoded it (``utf-8``, ``utf-8-sig``, ``gb18030``)."""

    path: Path
    text: str
    encoding: str


def decode_bytes(data: bytes, *, where: str = "<bytes>") -> tuple[str, str]:
    """Decode report bytes; returns ``(text, encoding)`` or raises :class:`TextFileError`."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise TextFileError(f"{where}: UTF-8 BOM but invalid UTF-8 at byte {err.start + 3}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise TextFileError(f"{where}: UTF-16 BOM but undecodable at byte {err.start}") from None
    sample = data[:8192]
    if sample and sum(b in _BINARY_BYTES for b in sample) > max(1, len(sample) // 1000):
        raise TextFileError(f"{where}: binary file (control bytes), not a text report")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        bad, truncated = utf8_error.start, utf8_error.reason == "unexpected end of data"
    if _cjk_count(data[:bad].decode("utf-8")) >= 2:  # UTF-8 Chinese up to there: the file is UTF-8, broken
        if truncated:
            raise TextFileError(f"{where}: UTF-8 cut inside a character at byte {bad} (line {_line(data, bad)}), "
                                "the end of the file: the file is truncated")
        raise TextFileError(f"{where}: UTF-8 up to byte {bad} (line {_line(data, bad)}), then bytes that are not "
                            "UTF-8 (mixed encodings?): save the whole file in one encoding")
    utf8_run = _UTF8_CJK_RUN.search(data, bad)
    if utf8_run:
        raise TextFileError(f"{where}: not UTF-8 at byte {bad} (line {_line(data, bad)}), but UTF-8 Chinese from "
                            f"byte {utf8_run.start()} (line {_line(data, utf8_run.start())}) (mixed encodings?): "
                            "save the whole file in one encoding")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise TextFileError(f"{where}: neither UTF-8 (bad byte at {bad}) nor GB18030") from None
    if not _looks_chinese(text):
        raise TextFileError(f"{where}: not UTF-8 (bad byte at {bad}) and GB18030 gives no Chinese text")
    return text, "gb18030"


#: eight UTF-8 Chinese characters (CJK, CJK or full-width punctuation) with at most ASCII between
#: them: GB18030 bytes line up like that only by a chance far below one in a billion
_UTF8_CJK_RUN = re.compile(rb"(?:[\xe3-\xe9\xef][\x80-\xbf]{2}[\t\n\r\x20-\x7e]*){8}")


def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _cjk_count(text: str) -> int:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text)


def _looks_chinese(text: str) -> bool:
    """GB18030 decodes almost any byte string; accept it only if common CJK characters dominate."""
    letters = [ch for ch in text if not ch.isspace() and not ch.isascii()]
    if not letters:
        return True
    cjk = sum("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" for ch in letters)
    return cjk / len(letters) >= 0.8


def read_text(path: str | Path) -> TextFile:
    """Read one report file (an empty one gives empty text); every failure is a :class:`TextFileError`
    with a one-line reason."""
    path = Path(path)
    if not path.exists():
        raise TextFileError(f"{path}: no such file")
    if path.is_dir():
        raise TextFileError(f"{path}: is a folder")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise TextFileError(f"{path}: cannot read ({err.strerror})") from None
    text, encoding = decode_bytes(data, where=str(path))
    return TextFile(path=path, text=text, encoding=encoding)


def expand_paths(paths: Iterable[str | Path], *, pattern: str = "*.txt") -> list[Path]:
    """Files as given, folders expanded recursively to their ``*.txt`` files (sorted).

    Missing paths are kept so that the caller reports them with the other unreadable files.
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob(pattern) if p.is_file()))
        else:
            out.append(path)
    return out
