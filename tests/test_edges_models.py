"""Damaged model folders: each is one error naming the file (or the documented warning), never a
traceback from inside torch and never silently wrong weights."""

from __future__ import annotations

import json
import logging
import shutil
import struct

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from transformers import BertConfig

from govie.cli import main
from govie.configuration import GovieTaggerConfig
from govie.model_files import ModelLoadError
from govie.modeling import GovieTaggerModel
from govie.pipeline import PACKAGE_MODELS, load
from govie.relation_model import LearnedLinker, RelationConfig
from govie.tagger import Tagger, default_model_path
from govie.tokenizer import CharTokenizer
from test_tagger import random_tagger


def _data_start(path) -> int:
    """Offset of a safetensors file's tensor bytes (after the 8-byte length and the JSON header)."""
    return 8 + struct.unpack("<Q", path.read_bytes()[:8])[0]


def _flip(path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01  # a low mantissa bit at the offsets used here: still finite, all but invisible
    path.write_bytes(bytes(data))


@pytest.fixture()
def tagger_dir(tmp_path):
    random_tagger().save_pretrained(tmp_path / "tagger")
    return tmp_path / "tagger"


def _edit_json(path, **changes) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_truncated_tagger_weights(tagger_dir):
    weights = tagger_dir / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(ModelLoadError, match=rf"^{weights}: corrupt safetensors file \(.*incomplete"):
        Tagger.from_pretrained(tagger_dir)


def test_a_changed_byte_is_caught_by_the_digest_saved_with_the_weights(tagger_dir):
    weights = tagger_dir / "model.safetensors"
    _flip(weights, _data_start(weights) + 41)
    with pytest.raises(ModelLoadError, match=rf"^{weights}: damaged: its tensors do not match the sha256"):
        Tagger.from_pretrained(tagger_dir)


def test_non_finite_weights_in_a_file_without_digest(tagger_dir):
    state = {k: v.clone() for k, v in random_tagger().model.state_dict().items()}
    state["classifier.bias"][2] = float("nan")
    save_file(state, str(tagger_dir / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(ModelLoadError, match=r"model\.safetensors: damaged: tensor 'classifier\.bias' holds NaN"):
        Tagger.from_pretrained(tagger_dir)


def test_config_from_a_newer_govie(tagger_dir, caplog):
    config = tagger_dir / "config.json"
    saved = config.read_text(encoding="utf-8")
    _edit_json(config, govie_version="9.1.0", crf_transitions=True)
    with pytest.raises(ModelLoadError, match=rf"^{config}: saved by govie 9\.1\.0 with settings govie .* does not "
                                             r"know \(crf_transitions\); upgrade govie"):
        Tagger.from_pretrained(tagger_dir)
    config.write_text(saved, encoding="utf-8")
    _edit_json(config, govie_version="9.1.0")  # only the version is newer: loads, and says so
    with caplog.at_level(logging.WARNING, logger="govie.model_files"):
        Tagger.from_pretrained(tagger_dir)
    assert f"{config}: saved by govie 9.1.0" in caplog.text and "predictions may differ" in caplog.text


@pytest.mark.parametrize("damage, pattern", [
    ("delete", r"vocab\.txt: vocabulary file missing"),
    ("shorten", r"vocab\.txt: \d+ tokens, but .*config\.json gives the network \d+ \(encoder\.vocab_size\)"),
    ("binary", r"vocab\.txt: not UTF-8"),
])
def test_missing_or_foreign_vocabulary(tagger_dir, damage, pattern):
    vocab = tagger_dir / "vocab.txt"
    if damage == "delete":
        vocab.unlink()
    elif damage == "shorten":
        vocab.write_text("\n".join(vocab.read_text(encoding="utf-8").splitlines()[:-3]) + "\n", encoding="utf-8")
    else:
        vocab.write_bytes(b"\xff\xfe" + vocab.read_bytes())
    with pytest.raises(ModelLoadError, match=pattern):
        Tagger.from_pretrained(tagger_dir)


def test_a_config_the_network_cannot_be_built_from(tagger_dir):
    _edit_json(tagger_dir / "config.json", encoder=None)
    with pytest.raises(ModelLoadError, match=r"config\.json: invalid tagger config"):
        Tagger.from_pretrained(tagger_dir)


# -- the relation layer -------------------------------------------------------------------------------

@pytest.fixture()
def linker_dir(tmp_path, gold_documents):
    LearnedLinker(RelationConfig(n_features=1 << 12, epochs=1)).fit(gold_documents[:1]).save_pretrained(tmp_path / "l")
    return tmp_path / "l"


def test_linker_round_trip_checks_its_digest(linker_dir, gold_documents):
    assert LearnedLinker.from_pretrained(linker_dir).source == linker_dir
    weights = linker_dir / "model.safetensors"
    _flip(weights, weights.stat().st_size - 2)
    with pytest.raises(ModelLoadError, match=rf"^{weights}: damaged"):
        LearnedLinker.from_pretrained(linker_dir)


@pytest.mark.parametrize("tensors, pattern", [
    ({"weight": np.ones(2, np.float32)}, r"tensor 'index' missing"),
    ({"index": np.array([1, 5000]), "weight": np.ones(2, np.float32)}, r"'index' must hold one integer in \[0, 4096\)"),
    ({"index": np.array([1, 2]), "weight": np.ones(3, np.float32)}, r"'index' must hold one integer"),
    ({"index": np.array([1]), "weight": np.ones((1, 1), np.float32)}, r"weight has shape \(1, 1\), expected one dimension"),
])
def test_linker_weights_of_the_wrong_shape(linker_dir, tensors, pattern):
    from safetensors.numpy import save_file as save_numpy

    save_numpy(tensors, str(linker_dir / "model.safetensors"))
    with pytest.raises(ModelLoadError, match=rf"{linker_dir / 'model.safetensors'}: {pattern}"):
        LearnedLinker.from_pretrained(linker_dir)


def test_linker_truncated_newer_or_malformed(linker_dir):
    weights, config = linker_dir / "model.safetensors", linker_dir / "config.json"
    original = weights.read_bytes()
    weights.write_bytes(original[:50])
    with pytest.raises(ModelLoadError, match=rf"^{weights}: cannot read the linker weights"):
        LearnedLinker.from_pretrained(linker_dir)
    weights.write_bytes(original)
    _edit_json(config, govie_version="0.9.0", relation_heads=4)
    with pytest.raises(ModelLoadError, match=rf"^{config}: saved by govie 0\.9\.0 .*\(relation_heads\)"):
        LearnedLinker.from_pretrained(linker_dir)
    _edit_json(config, govie_version="0.1.0", n_features="many")
    with pytest.raises(ModelLoadError, match=rf"^{config}: n_features 'many', expected a non-negative integer"):
        LearnedLinker.from_pretrained(linker_dir)
    config.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ModelLoadError, match=rf"^{config}: model_type 'list', expected 'govie-relation'"):
        LearnedLinker.from_pretrained(linker_dir)


def test_dense_linker_whose_hidden_size_does_not_fit_its_weights(tmp_path):
    size = 4
    dense = {"dense_weights": np.ones(3 * size), "dense_mean": np.zeros(3 * size), "dense_scale": np.ones(3 * size)}
    LearnedLinker(RelationConfig(n_features=64, dense=True, hidden_size=size), np.ones(64, np.float32),
                  **dense).save_pretrained(tmp_path)
    assert LearnedLinker.from_pretrained(tmp_path).uses_hidden
    _edit_json(tmp_path / "config.json", hidden_size=5)
    with pytest.raises(ModelLoadError, match=r"dense_weight has shape \(12,\), expected one dimension of 15 "
                                             r"\(3 x hidden_size 5 in config\.json\)"):
        LearnedLinker.from_pretrained(tmp_path)


def test_linker_whose_tagger_fingerprint_differs_warns_naming_both(tmp_path, caplog):
    """The documented warning (README: the linker says so and links with its hashed features only).
    A shipped tagger whose weights changed since (a damaged copy) is caught the same way."""
    shipped = default_model_path()
    if not (PACKAGE_MODELS / "linker" / "config.json").exists() or not shipped.exists():
        pytest.skip("no shipped model")
    copy = tmp_path / "default"
    shutil.copytree(shipped, copy)
    _flip(copy / "model.safetensors", _data_start(copy / "model.safetensors") + 1001)
    with caplog.at_level(logging.WARNING):
        pipeline = load(copy, linker="learned")
    assert not pipeline.pass_hidden
    assert f"{PACKAGE_MODELS / 'linker'}: linker/tagger mismatch: tagger weights ({copy}/model.safetensors)" in caplog.text
    assert "another tagger, or damaged weights" in caplog.text and len(caplog.records) == 1
    assert pipeline("上半年,实现财政总收入17.03亿元", town="瓜沥镇", default_period="2023-H1").tuples


def test_other_hidden_size_is_named_too(caplog):
    torch.manual_seed(0)
    tokenizer = CharTokenizer(list("元亿"))
    encoder = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=16, max_position_embeddings=40)
    tagger = Tagger(GovieTaggerModel(GovieTaggerConfig(encoder, window_length=24)), tokenizer, device="cpu")
    linker = LearnedLinker.from_pretrained(PACKAGE_MODELS / "linker")
    with caplog.at_level(logging.WARNING):
        assert linker.check_encoder(tagger) is False
    assert f"{PACKAGE_MODELS / 'linker'}: linker/tagger mismatch: hidden size 8" in caplog.text


def test_the_command_says_it_in_one_line(tagger_dir, linker_dir, tmp_path, capsys):
    report = tmp_path / "r.txt"
    report.write_text("上半年,实现财政总收入17.03亿元。", encoding="utf-8")
    (tagger_dir / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}")
    (linker_dir / "model.safetensors").unlink()
    for option, folder, file in (("--model", tagger_dir, "model.safetensors"), ("--linker", linker_dir, "model.safetensors")):
        argv = ["extract", str(report), "--no-progress", option, str(folder)] + (["--model", "rules"] if option == "--linker" else [])
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and len(err.splitlines()) == 1 and err.startswith(f"govie extract: {folder / file}: ")
