"""``govie extract`` at the edges: every input gives one document or one named error, never a traceback.

Inputs are generated (hypothesis, a bounded number of examples, derandomized): random bytes,
UTF-8 cut inside a character, a BOM, CRLF line ends, GB18030 and UTF-8 pasted together, empty and
blank files, and text made of the characters reports are made of; plus one 5 MB line.
"""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RAW_DIR, ROOT
from govie.cli import main
from govie.textio import TextFileError, decode_bytes
from govie.validation import check_dict

SEED = (RAW_DIR / "guali-2023h1.txt").read_text(encoding="utf-8")[:800]
REPORT_CHARS = "0123456789.%亿万元个家项上半年同比增长下降实现财政总收入地区生产总值瓜沥镇街道，。、：；（）\n\r \t　１２"
FORMATS = ("doc", "jsonl")


def _cut(text: str, encoding: str, at: float) -> bytes:
    data = text.encode(encoding)
    return data[:max(1, int(len(data) * at))]


piece = st.builds(lambda a, b: SEED[min(a, b):max(a, b) + 1], st.integers(0, len(SEED) - 1), st.integers(0, len(SEED) - 1))
encoding = st.sampled_from(["utf-8", "gb18030"])
file_content = st.one_of(
    st.binary(max_size=600),
    st.just(b""),
    st.sampled_from([b" ", b"\r\n\r\n", "\u3000\n".encode("utf-8")]),
    st.builds(_cut, piece, encoding, st.floats(0.05, 1.0)),
    st.builds(lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), piece),
    st.builds(lambda text, enc: text.replace("\n", "\r\n").encode(enc), piece, encoding),
    st.builds(lambda a, b: a.encode("utf-8") + b.encode("gb18030"), piece, piece),
    st.builds(lambda a, b: a.encode("gb18030") + b.encode("utf-8"), piece, piece),
    st.builds(lambda text, enc: text.encode(enc), st.text(REPORT_CHARS, max_size=300), encoding),
)


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    code = main(["extract", *argv, "--model", "rules", "--no-progress"])
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    return code, err


def check_outputs(paths: list[Path], fmt: str, out: Path, code: int, err: str) -> None:
    """One document (``doc``) or one named error per input, and every offset valid."""
    lines_err = err.splitlines()
    assert all(line.startswith(("govie extract: ", "govie: ")) for line in lines_err), lines_err
    errors = [line for line in lines_err if not line.startswith(("govie extract: no tuples from", "govie: "))]
    without = next((line for line in lines_err if line.startswith("govie extract: no tuples from")), "")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    failed = 0
    for path in paths:
        data = path.read_bytes()
        named = [line for line in errors if line.startswith(f"govie extract: {path}: ")]
        try:
            text, used = decode_bytes(data)
        except TextFileError:
            assert len(named) == 1, (path, err)
            failed += 1
            continue
        assert len(named) == (0 if used in ("utf-8", "utf-8-sig") else 1), (path, named)  # 'decoded as …'
        mine = [item for item in lines if (item["source"] if fmt == "doc" else item["file"]) == path.name]
        if fmt == "doc":
            assert len(mine) == 1, (path, len(mine))
            assert mine[0]["text"] == text and check_dict(mine[0]) == [], check_dict(mine[0])
        for row in (mine if fmt == "jsonl" else []):
            assert text[row["value_start"]:row["value_end"]] == row["value_text"]
            assert 0 <= row["indicator_start"] < row["indicator_end"] <= len(text)
            assert row["sentence"] == text[row["sentence_start"]:row["sentence_start"] + len(row["sentence"])]
            for part in ("unit", "period"):
                assert row[f"{part}_start"] is None or 0 <= row[f"{part}_start"] < row[f"{part}_end"] <= len(text)
        if fmt != "doc" and not mine:
            assert str(path) in without, (path, err)
    assert code == (1 if failed else 0)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(contents=st.lists(file_content, min_size=1, max_size=4), fmt=st.sampled_from(FORMATS))
def test_generated_files_give_one_document_or_one_named_error(contents, fmt, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("inputs")
    paths = []
    for i, data in enumerate(contents):
        paths.append(folder / f"input-{i}.txt")
        paths[-1].write_bytes(data)
    out = folder / f"out.{fmt}"
    code, err = run_cli([str(p) for p in paths] + ["--format", fmt, "-o", str(out)], capsys)
    check_outputs(paths, fmt, out, code, err)


def test_empty_and_blank_files_are_counted(tmp_path, capsys):
    """The issue's case: a report, an empty and a blank file give three documents, and in the other
    formats stderr names the two files without tuples."""
    paths = [tmp_path / "report.txt", tmp_path / "empty.txt", tmp_path / "blank.txt"]
    paths[0].write_text(SEED, encoding="utf-8")
    paths[1].write_bytes(b"")
    paths[2].write_bytes(b" \n\t\r\n")
    out = tmp_path / "out.jsonl"
    code, err = run_cli([str(p) for p in paths] + ["--format", "doc", "-o", str(out)], capsys)
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert code == 0 and [d["id"] for d in docs] == ["report", "empty", "blank"]
    assert docs[0]["tuples"] and docs[1]["spans"] == docs[2]["tuples"] == [] and docs[2]["text"] == " \n\t\r\n"
    assert docs[1]["meta"]["town"] is None and all(check_dict(d) == [] for d in docs)
    assert "no tuples" not in err
    code, err = run_cli([str(p) for p in paths] + ["--format", "csv", "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 0
    assert err.strip() == f"govie extract: no tuples from 2 of 3 file(s): {paths[1]} (empty), {paths[2]} (empty)"


def test_one_5mb_line(tmp_path, capsys):
    """No line breaks in 5 MB: one document, every value found, every offset valid."""
    unit = "全面推进高质量发展，持续优化营商环境，" * 300 + "实现财政总收入17.03亿元，同比增长42.87%。"
    text = unit * (5 * 2**20 // len(unit.encode("utf-8")) + 1)
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    assert len(path.read_bytes()) > 5 * 2**20 and "\n" not in text
    out = tmp_path / "out.jsonl"
    code, err = run_cli([str(path), "--format", "doc", "-o", str(out)], capsys)
    check_outputs([path], "doc", out, code, err)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert sorted({(t["value_norm"], t["unit_norm"]) for t in doc["tuples"]}) == [(42.87, "%"), (1703000000, "元")]
    assert len(doc["tuples"]) == 2 * text.count("实现财政总收入")


def test_the_command_itself_never_prints_a_traceback(tmp_path):
    """The real process, on one file of each kind, a missing file and a folder without reports."""
    kinds = {"random.txt": bytes(range(256)) * 3, "cut.txt": SEED.encode()[:SEED.encode().rindex("。".encode()) + 2], "bom.txt": codecs.BOM_UTF8 + SEED.encode(),
             "crlf.txt": SEED.replace("\n", "\r\n").encode("gb18030"), "mixed.txt": SEED.encode() + SEED.encode("gb18030"),
             "empty.txt": b"", "report.txt": SEED.encode("utf-8")}
    for name, data in kinds.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "nothing").mkdir()
    paths = [str(tmp_path / name) for name in kinds] + [str(tmp_path / "missing.txt"), str(tmp_path / "nothing")]
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "govie.cli", "extract", *paths, "--model", "rules", "--no-progress",
                           "--format", "doc", "-o", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    sources = [json.loads(line)["source"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sources == ["bom.txt", "crlf.txt", "empty.txt", "report.txt"]
    for name in ("random.txt", "cut.txt", "mixed.txt", "missing.txt", "nothing"):
        assert sum(line.startswith(f"govie extract: {tmp_path / name}: ") for line in proc.stderr.splitlines()) == 1, name
    assert f"govie extract: {tmp_path / 'crlf.txt'}: decoded as gb18030" in proc.stderr
