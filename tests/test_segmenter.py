"""Chinese spaCy pipelines: the shipped pkuseg model loads offline and segments a seed report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")
pytest.importorskip("spacy_pkuseg")

from govie.segmenter import default_pkuseg_model, load_pkuseg, make_nlp  # noqa: E402
from tests.conftest import GOLD_DIR, RAW_DIR, ROOT  # noqa: E402

SHARED_RAW = ROOT.parent / "shared" / "corpora" / "raw"
SHARED_GOLD = ROOT.parent / "shared" / "corpora" / "gold"


def _seed_report() -> str:
    folder = RAW_DIR if (RAW_DIR / "guali-2023h1.txt").exists() else SHARED_RAW
    path = folder / "guali-2023h1.txt"
    if not path.exists():
        pytest.skip("no seed report in corpora/raw or ../shared/corpora/raw")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pkuseg_nlp():
    return make_nlp("pkuseg")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or to download a pkuseg model fails the test."""
    import socket

    import spacy_pkuseg

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(spacy_pkuseg, "download_model", refuse)


def test_shipped_model_is_small_and_documented():
    folder = default_pkuseg_model()
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size <= 5 * 1024 * 1024, f"shipped pkuseg model is {size} bytes"
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["heldout_alignment_pkuseg"]["boundaries"] > 0.8
    assert not list(folder.glob("*.pkl")), "no pickle in the shipped model"


def test_pkuseg_loads_offline_and_segments_a_seed_report(no_network):
    nlp = make_nlp("pkuseg")
    text = _seed_report()
    doc = nlp(text)
    assert doc.text == text  # offsets never shift, whitespace included
    words = [t.text for t in doc if not t.is_space]
    assert len(words) < 0.8 * len(text.replace(" ", "").replace("\n", ""))  # real words, not characters
    assert sum(len(w) >= 2 for w in words) / len(words) > 0.3


def test_pkuseg_tokens_mostly_fall_on_gold_span_boundaries_of_a_held_out_report(pkuseg_nlp):
    # suoqian-2022 is held out of the segmenter's lexicon (training/pkuseg/build_segmenter.py)
    from govie.document import read_documents

    folder = GOLD_DIR if (GOLD_DIR / "suoqian-2022.json").exists() else SHARED_GOLD
    if not (folder / "suoqian-2022.json").exists():
        pytest.skip("gold document suoqian-2022 not found")
    doc = next(read_documents(folder / "suoqian-2022.json"))
    tokens = pkuseg_nlp(doc.text)
    cuts = {t.idx for t in tokens} | {t.idx + len(t.text) for t in tokens}
    ends = [o for s in doc.spans for o in (s.start, s.end)]
    assert sum(o in cuts for o in ends) / len(ends) > 0.95


def test_pkuseg_cuts_number_from_unit_and_keeps_common_words(pkuseg_nlp):
    tokens = [t.text for t in pkuseg_nlp("全镇实现财政总收入17.03亿元,同比增长42.87%。")]
    # trained on silver data that splits VAL from UNIT as the guidelines do
    assert "17.03亿" in tokens and "元" in tokens and "42.87" in tokens and "%" in tokens
    assert "同比" in tokens or "同比增长" in tokens


def test_char_segmenter_gives_characters():
    nlp = make_nlp("char")
    assert [t.text for t in nlp("增长7.9%")] == ["增", "长", "7", ".", "9", "%"]


def test_user_words_stay_whole():
    nlp = make_nlp("pkuseg", user_words=["规上工业增加值"])
    assert "规上工业增加值" in [t.text for t in nlp("规上工业增加值增长5%")]


def test_jieba_if_installed_falls_back_to_pkuseg(monkeypatch):
    monkeypatch.setitem(sys.modules, "jieba", None)  # import jieba now raises ImportError
    nlp = make_nlp("jieba-if-installed")
    assert nlp.tokenizer.segmenter == "pkuseg" and nlp.tokenizer.pkuseg_seg is not None


def test_bad_choices_say_what_was_expected(tmp_path):
    with pytest.raises(ValueError, match="unknown segmenter 'spaces'; expected one of pkuseg, char"):
        make_nlp("spaces")
    with pytest.raises(FileNotFoundError, match=r"not a pkuseg model folder \(missing features.msgpack"):
        load_pkuseg(tmp_path)


def test_pkuseg_pipeline_round_trips_through_disk(tmp_path: Path, pkuseg_nlp):
    text = "上半年,实现财政总收入17.03亿元,同比增长42.87%。"
    before = [t.text for t in pkuseg_nlp(text)]
    pkuseg_nlp.to_disk(tmp_path / "zh")
    loaded = spacy.load(tmp_path / "zh")
    assert [t.text for t in loaded(text)] == before


def test_make_nlp_registers_the_govie_factory_in_a_fresh_process():
    import subprocess

    code = ("from govie.segmenter import make_nlp; nlp = make_nlp('char'); nlp.add_pipe('govie'); "
            "print(nlp.pipe_names)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "['govie']" in result.stdout


def test_jieba_without_jieba_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "jieba", None)
    with pytest.raises(ImportError, match="install it with"):
        make_nlp("jieba")
