"""The README's commands and code run as written (the install command is run by .ci/run)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def _blocks(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(text)]


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def _commands(block: str) -> list[str]:
    return [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]


def _quickstart() -> list[str]:
    blocks = [body for lang, body in _blocks(_section(README.read_text(encoding="utf-8"), "Quickstart"))
              if lang == "bash"]
    assert len(blocks) == 1, "Quickstart must hold exactly one bash block"
    commands = _commands(blocks[0])
    assert len(commands) == 2, f"Quickstart must hold exactly two commands, found {commands}"
    return commands


def _govie() -> list[str]:
    """The installed ``govie`` script beside this interpreter, else the module (checkouts without install)."""
    script = Path(sys.executable).with_name("govie")
    return [str(script)] if script.exists() else [sys.executable, "-m", "govie.cli"]


def _run(argv: list[str], *, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)


def test_quickstart_is_install_then_extract_and_tests():
    install, tests = _quickstart()
    steps = [s.strip() for s in install.split("&&")]
    assert steps[0] == "python3 -m venv .venv"
    assert steps[1] == ".venv/bin/pip install torch==2.13.0"  # torch first: the CPU build
    assert steps[2] == '.venv/bin/pip install -e ".[dev]"'
    assert steps[3].startswith(".venv/bin/govie extract corpora/raw/")
    assert (ROOT / shlex.split(steps[3])[-1]).exists()
    assert tests.startswith(".venv/bin/python -m pytest")


def test_ci_runs_the_readme_test_command():
    _, tests = _quickstart()
    command = tests.removeprefix(".venv/bin/")
    ci = CI.read_text(encoding="utf-8")
    assert command in [line.strip() for line in ci.splitlines()], f"{CI} does not run {command!r}"
    assert "torch==2.13.0" in ci and '-e ".[dev]"' in ci and "set -euo pipefail" in ci
    assert os.access(CI, os.X_OK)


def test_quickstart_extract_runs_and_prints_the_table_shown():
    install, _ = _quickstart()
    argv = shlex.split(install.split("&&")[-1].strip())
    proc = _run(_govie() + argv[1:] + ["--no-progress"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert len(lines) > 20 and re.match(r"\d+ tuple\(s\)", lines[-1]), proc.stdout[-500:]
    shown = _section(README.read_text(encoding="utf-8"), "Quickstart")
    example = [body for lang, body in _blocks(shown) if lang == "text"]
    assert example, "the Quickstart shows no example output"
    assert example[0].splitlines()[0].split() == lines[0].split(), "the example output's header is stale"


def _cli_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    quickstart = _section(text, "Quickstart")
    lines = []
    for lang, body in _blocks(text):
        if lang == "bash" and body not in quickstart:
            lines += _commands(body)
    return lines


def test_readme_has_no_untested_commands():
    for line in _cli_lines():
        assert line.startswith("govie "), f"README command {line!r} is run by no test; add it to tests/test_readme.py"


@pytest.mark.parametrize("line", _cli_lines())
def test_readme_cli_command_runs(line):
    proc = _run(_govie() + shlex.split(line)[1:])
    assert proc.returncode == 0, f"{line}: {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("index", range(len([b for lang, b in _blocks(README.read_text(encoding="utf-8"))
                                              if lang == "python"])))
def test_readme_python_block_runs(index):
    code = [b for lang, b in _blocks(README.read_text(encoding="utf-8")) if lang == "python"][index]
    proc = _run([sys.executable, "-c", code])
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_readme_json_example_is_valid_json():
    import json

    blocks = [b for lang, b in _blocks(README.read_text(encoding="utf-8")) if lang == "json"]
    assert blocks
    for block in blocks:
        json.loads(block.replace('"text": "..."', '"text": "x"'))


def test_no_placeholder_left():
    assert "EXAMPLE_OUTPUT" not in README.read_text(encoding="utf-8")
