"""``govie extract``: formats, exit codes, unreadable files, and valid §5 output on the seed reports."""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys

import pytest

from govie.commands import extract
from govie.commands.extract import display_width, format_table

from conftest import RAW_DIR, ROOT, SHARED_VALIDATOR

REPORT = "瓜沥镇2023年上半年工作报告\n上半年,瓜沥实现财政总收入17.03亿元,同比增长42.87%。新增10家银行保险分支机构。\n"
META = ["--town", "瓜沥镇", "--default-period", "2023-H1", "--reference-month", "2023-06"]


def run_extract(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    extract.add_arguments(parser)
    code = extract.run(parser.parse_args(argv + ["--no-progress", "--model", "rules"]))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def report(tmp_path):
    path = tmp_path / "guali.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def test_table_is_aligned_for_cjk(report, capsys):
    code, out, err = run_extract([str(report)] + META, capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["file", "indicator", "value"]
    assert "财政总收入" in out and lines[-1] == "3 tuple(s)"
    # columns line up in terminal cells: indicator starts, and the right-aligned value ends, at the
    # same display column on every row
    header = lines[0]
    ind_col = display_width(header[:header.index("indicator")])
    value_end = display_width(header[:header.index("value") + len("value")])
    for row in lines[2:-1]:
        ind = next(t for t in ("财政总收入", "银行保险分支机构") if t in row)
        assert display_width(row[:row.index(ind)]) == ind_col
        number = row.split()[2]
        assert display_width(row[:row.index(number) + len(number)]) == value_end


def test_csv_has_a_header_and_one_row_per_tuple(report, capsys):
    code, out, _ = run_extract([str(report), "--format", "csv"] + META, capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3 and rows[0]["indicator"] == "财政总收入" and rows[0]["value"] == "1703000000"
    assert rows[0]["file"] == "guali.txt"


def test_jsonl_one_tuple_per_line(report, capsys):
    code, out, _ = run_extract([str(report), "--format", "jsonl"] + META, capsys)
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    assert [i["value"] for i in items][:2] == [1703000000, 42.87]
    text = REPORT
    for item in items:
        assert text[item["value_start"]:item["value_end"]] == item["value_text"]


def test_doc_format_validates_and_uses_the_stem(report, capsys, tmp_path):
    out_path = tmp_path / "out.jsonl"
    code, _, _ = run_extract([str(report), "--format", "doc", "-o", str(out_path)] + META, capsys)
    assert code == 0
    docs = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    assert [(d["id"], d["source"]) for d in docs] == [("guali", "guali.txt")]
    _validate(out_path)


def _validate(path) -> None:
    if not SHARED_VALIDATOR.exists():
        pytest.skip("shared validator not present")
    run = subprocess.run([sys.executable, str(SHARED_VALIDATOR), str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]


def test_unreadable_files_fail_but_others_are_processed(report, tmp_path, capsys):
    binary = tmp_path / "img.txt"
    binary.write_bytes(b"\x00\x01\x02\x03" * 100)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(REPORT.encode("gb18030"))
    code, out, err = run_extract([str(report), str(tmp_path / "missing.txt"), str(binary), str(gbk),
                                  "--format", "jsonl"] + META, capsys)
    assert code == 1
    reasons = err.strip().splitlines()
    assert any("missing.txt: no such file" in r for r in reasons)
    assert any("img.txt: binary file" in r for r in reasons)
    assert any("gbk.txt: decoded as gb18030" in r for r in reasons)
    files = {json.loads(line)["file"] for line in out.splitlines()}
    assert files == {"guali.txt", "gbk.txt"}


def test_folders_are_searched_recursively(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    code, out, _ = run_extract([str(tmp_path), "--format", "jsonl"] + META, capsys)
    assert code == 0 and {json.loads(l)["file"] for l in out.splitlines()} == {"a.txt"}
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run_extract([str(empty)] + META, capsys)
    assert code == 1 and "no .txt files" in err


def test_bad_arguments_exit_2(report, capsys):
    code, _, err = run_extract([str(report), "--published", "2024/08/29"], capsys)
    assert code == 2 and "YYYY-MM-DD" in err


def test_format_table_clips_and_marks_empty():
    assert format_table([]) == "(no tuples)\n"
    table = format_table([{"file": "a", "indicator": "很长" * 30, "value": 1}], ("file", "indicator", "value"))
    assert "…" in table and max(display_width(line) for line in table.splitlines()) < 60


def test_seed_reports_give_valid_documents(tmp_path, capsys):
    """Every seed report, with metadata inferred from its text, passes the shared validator."""
    raws = sorted(RAW_DIR.glob("*.txt"))
    if not raws:
        pytest.skip("corpora/raw not present")
    out_path = tmp_path / "seed.jsonl"
    code, _, err = run_extract([str(RAW_DIR), "--format", "doc", "-o", str(out_path)], capsys)
    assert code == 0, err
    docs = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    assert sorted(d["id"] for d in docs) == sorted(p.stem for p in raws)
    assert all(d["tuples"] for d in docs)
    _validate(out_path)


def test_seed_report_table_is_readable(capsys):
    raw = RAW_DIR / "guali-2023h1.txt"
    if not raw.exists():
        pytest.skip("corpora/raw not present")
    code, out, err = run_extract([str(raw)], capsys)
    assert code == 0, err
    assert "财政总收入" in out and out.splitlines()[-1].endswith("tuple(s)")


def test_cli_entry_point(report):
    run = subprocess.run([sys.executable, "-m", "govie.cli", "extract", str(report), "--model", "rules",
                          "--no-progress", "--format", "csv"] + META, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].startswith("file,indicator,value")


@pytest.mark.slow
def test_seed_reports_with_the_shipped_default_model(tmp_path):
    """The default pipeline (neural tagger when shipped) on every seed report: valid §5 output."""
    raws = sorted(RAW_DIR.glob("*.txt"))
    if not raws:
        pytest.skip("corpora/raw not present")
    out_path = tmp_path / "seed.jsonl"
    run = subprocess.run([sys.executable, "-m", "govie.cli", "extract", str(RAW_DIR), "--format", "doc",
                          "-o", str(out_path), "--no-progress"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    _validate(out_path)
    table = subprocess.run([sys.executable, "-m", "govie.cli", "extract", str(raws[0]), "--no-progress"],
                           capture_output=True, text=True, cwd=ROOT)
    assert table.returncode == 0 and table.stdout.splitlines()[-1].endswith("tuple(s)")
