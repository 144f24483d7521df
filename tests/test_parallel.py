"""Scale-out: worker processes and a real 2-worker Dask cluster give the rows of one process, in order."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from govie.panels import tuple_rows
from govie.parallel import ExtractOptions, FileResult, extract_files

from conftest import GOLD_DIR, RAW_DIR, ROOT

#: the bundled reports that have gold annotations (committed, whatever else corpora/raw holds)
REPORTS = sorted(str(RAW_DIR / f"{p.stem}.txt") for p in GOLD_DIR.glob("*.json"))
RULES = ExtractOptions(model="rules")


def rows_and_pid(result: FileResult) -> dict:
    """A transform: it runs in the worker, so the pid says where."""
    return {"rows": tuple_rows(result), "pid": os.getpid()}


@pytest.fixture(scope="module")
def one_process():
    return extract_files(REPORTS, RULES, transform=rows_and_pid, show_progress=False)


def test_one_process_runs_here_in_input_order(one_process):
    assert [r.path for r in one_process] == REPORTS
    assert {r.result["pid"] for r in one_process} == {os.getpid()}
    assert sum(len(r.result["rows"]) for r in one_process) > 500


def test_two_worker_processes_give_the_same_rows(one_process):
    results = extract_files(REPORTS, RULES, workers=2, transform=rows_and_pid, show_progress=False)
    assert [r.path for r in results] == REPORTS
    assert [r.result["rows"] for r in results] == [r.result["rows"] for r in one_process]
    assert os.getpid() not in {r.result["pid"] for r in results}


def test_a_real_two_worker_dask_cluster_gives_the_same_rows(one_process):
    results = extract_files(REPORTS, RULES, workers=2, engine="dask", transform=rows_and_pid, batch_size=2,
                            show_progress=False)
    assert [r.path for r in results] == REPORTS
    assert [r.result["rows"] for r in results] == [r.result["rows"] for r in one_process]
    pids = {r.result["pid"] for r in results}
    assert os.getpid() not in pids and len(pids) <= 2


def test_unreadable_files_come_back_as_errors_in_place(tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02binary")
    results = extract_files([REPORTS[0], broken, tmp_path / "missing.txt"], RULES, show_progress=False)
    assert results[0].error is None and results[0].result.tuples
    assert "binary" in results[1].error and "no such file" in results[2].error
    assert results[1].result is None


def test_bad_worker_settings_are_refused():
    with pytest.raises(ValueError, match="workers must be at least 1"):
        extract_files(REPORTS, RULES, workers=0)
    with pytest.raises(ValueError, match="unknown engine 'spark'"):
        extract_files(REPORTS, RULES, engine="spark")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govie.cli", *args, "--model", "rules", "--no-progress"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_extract_and_panel_with_two_workers_print_what_one_process_prints():
    for command in (["extract", "--format", "csv"], ["panel"]):
        one, two = _cli(*command, *REPORTS), _cli(*command, *REPORTS, "--workers", "2")
        assert one.returncode == 0 and two.returncode == 0, two.stderr[-2000:]
        assert one.stdout == two.stdout and len(one.stdout.splitlines()) > 500
