"""A plain ``pip install govie`` (no extras) and an environment without torch: ``govie extract`` still
works, and whatever needs more says exactly what to install. The missing packages are made
unimportable in a fresh interpreter, as if they had never been installed."""

from __future__ import annotations

import subprocess
import sys

from conftest import RAW_DIR, ROOT

REPORT = RAW_DIR / "guali-2023h1.txt"
EXTRAS = ("spacy", "pandas", "matplotlib", "accelerate", "IPython")


def run_without(blocked: tuple[str, ...], code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a new interpreter where importing any of ``blocked`` fails as if not installed."""
    prelude = (
        "import sys\n"
        "class Blocked:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {blocked!r}:\n"
        "            raise ModuleNotFoundError(f\"No module named {name!r}\", name=name)\n"
        "sys.meta_path.insert(0, Blocked())\n"
    )
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_extract_and_the_api_need_no_extra():
    code = (
        "from govie.cli import main\n"
        f"assert main(['extract', {str(REPORT)!r}, '--no-progress', '--format', 'csv']) == 0\n"
        "import govie\n"
        "result = govie.load()('上半年,实现财政总收入17.03亿元', town='瓜沥镇', default_period='2023-H1')\n"
        "assert result.tuples[0].value == 1703000000\n"
        "for call, extra in ((result.to_frame, 'govie[pandas]'), (lambda: __import__('govie.display').display.render(result), 'govie[spacy]')):\n"
        "    try:\n"
        "        call()\n"
        "    except ImportError as err:\n"
        "        assert extra in str(err), err\n"
        "    else:\n"
        "        raise AssertionError(extra)\n"
    )
    proc = run_without(EXTRAS, code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("file,indicator,value") and "财政总收入,1703000000" in proc.stdout


def test_without_torch_the_rule_tagger_runs_and_the_message_says_what_to_install():
    folder = ROOT / "govie" / "models" / "default"
    code = (
        "from govie.cli import main\n"
        f"assert main(['extract', {str(REPORT)!r}, '--no-progress', '--format', 'jsonl']) == 0\n"
        f"assert main(['extract', {str(REPORT)!r}, '--no-progress', '--model', {str(folder)!r}]) == 2\n"
    )
    proc = run_without(("torch",), code)
    assert proc.returncode == 0, proc.stderr
    assert '"indicator": "财政总收入"' in proc.stdout
    lines = proc.stderr.splitlines()
    assert lines[0] == ("govie: the shipped neural tagger needs torch and transformers (govie is tested with torch "
                        "2.13.0: pip install torch==2.13.0 transformers); No module named 'torch'; using the rule tagger")
    assert lines[-1].startswith(f"govie extract: {folder}: a neural tagger needs torch and transformers") and len(lines) == 2
