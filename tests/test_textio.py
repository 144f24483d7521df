"""Reading report files: encodings, BOM, binary and unreadable files, folder expansion."""

from __future__ import annotations

import codecs

import pytest

from govie.textio import TextFileError, decode_bytes, expand_paths, read_text

REPORT = "上半年,实现财政总收入17.03亿元,同比增长42.87%。\n"


@pytest.mark.parametrize("data, encoding", [
    (REPORT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + REPORT.encode("utf-8"), "utf-8-sig"),
    (REPORT.encode("gb18030"), "gb18030"),
    (REPORT.encode("gbk"), "gb18030"),
    (REPORT.encode("utf-16"), "utf-16"),
])
def test_decodes_and_says_how(data, encoding):
    text, used = decode_bytes(data)
    assert text == REPORT and used == encoding


def test_binary_is_refused():
    with pytest.raises(TextFileError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, where="x.png")


def test_garbage_that_gb18030_would_accept_is_refused():
    data = bytes([0x81, 0x30, 0x81, 0x30]) * 50 + "ÿþ".encode("latin-1") * 20
    with pytest.raises(TextFileError, match="x.txt"):
        decode_bytes(data, where="x.txt")


def test_read_text_errors_are_one_line(tmp_path):
    with pytest.raises(TextFileError, match="no such file") as err:
        read_text(tmp_path / "missing.txt")
    assert "\n" not in str(err.value)
    with pytest.raises(TextFileError, match="folder"):
        read_text(tmp_path)


def test_empty_and_blank_files_are_readable(tmp_path):
    """An empty report is still an input: it gives empty text, not an error."""
    for name, data in (("empty.txt", b""), ("blank.txt", b"  \r\n\t")):
        (tmp_path / name).write_bytes(data)
        loaded = read_text(tmp_path / name)
        assert loaded.text == data.decode("ascii") and loaded.encoding == "utf-8"


def test_utf8_cut_inside_a_character_is_named():
    data = ("第一行\n" + REPORT).encode("utf-8")[:-2]  # '。' loses its last byte, '\n' is gone
    with pytest.raises(TextFileError, match=rf"r\.txt: UTF-8 cut inside a character at byte {len(data) - 2} "
                                            r"\(line 2\), the end of the file: the file is truncated"):
        decode_bytes(data, where="r.txt")


@pytest.mark.parametrize("first, second, message", [
    ("utf-8", "gb18030", r"UTF-8 up to byte 65 \(line 2\), then bytes that are not UTF-8"),
    ("gb18030", "utf-8", r"not UTF-8 at byte 0 \(line 1\), but UTF-8 Chinese from byte 48 \(line 2\)"),
])
def test_mixed_encodings_are_refused_with_where_they_change(first, second, message):
    """Decoding such a file either way would turn one half into mojibake."""
    data = REPORT.encode(first) + ("第二段" + REPORT).encode(second)
    with pytest.raises(TextFileError, match=rf"^x\.txt: {message}"):
        decode_bytes(data, where="x.txt")
    assert decode_bytes(REPORT.encode(first) * 3)[0] == REPORT * 3  # one encoding alone is fine


def test_read_text_keeps_text_exact(tmp_path):
    path = tmp_path / "r.txt"
    raw = "标题\r\n  第一段 17.03亿元\r\n"
    path.write_bytes(raw.encode("gb18030"))
    loaded = read_text(path)
    assert loaded.text == raw and loaded.encoding == "gb18030"


def test_expand_paths_recurses_into_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "y.json").write_text("{}", encoding="utf-8")
    (tmp_path / "z.txt").write_text("z", encoding="utf-8")
    files = expand_paths([tmp_path, tmp_path / "missing.txt"])
    assert [p.name for p in files] == ["x.txt", "z.txt", "missing.txt"]
