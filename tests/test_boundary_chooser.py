"""The boundary chooser: it learns kinds of boundaries (not only strings), leaves right spans alone, its files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from govie.boundary_chooser import CONFIG_FILE, WEIGHTS_FILE, BoundaryChooser, ChooserConfig
from govie.boundary_edits import EditExample
from govie.labels import LabeledRange
from govie.tagger import ModelLoadError, Tagger

SMALL = dict(buckets=1 << 14, epochs=80)
NAMES = ["审批时间", "公用经费", "办事时间", "会议费用", "出差经费", "培训费用", "接待费用", "办结时间"]
#: predicates a rule tagger leaves on the name; all start with 平均 but end differently
PREDICATES = ["平均压减", "平均缩短", "平均下降", "平均减少"]


def _doc(i: int, name: str, predicate: str | None, value: str = "20") -> EditExample:
    """``name`` + ``predicate`` + value; the base tagger's IND covers both, gold only the name
    (``predicate`` None: a correct span that ends right before the value)."""
    text = f"全县{name}{predicate or ''}{value}%。"
    start, end = 2, 2 + len(name) + len(predicate or "")
    ranges = [LabeledRange("IND", start, end), LabeledRange("VAL", end, end + len(value)),
              LabeledRange("UNIT", end + len(value), end + len(value) + 1)]
    return EditExample(f"d{i}", text, ranges, {(start, start + len(name))})


def _training_set() -> list[EditExample]:
    docs = [_doc(i, name, PREDICATES[i % 3]) for i, name in enumerate(NAMES)]
    return docs + [_doc(10 + i, name + "总额", None) for i, name in enumerate(NAMES)]


def test_it_learns_a_kind_of_boundary_and_moves_an_unseen_predicate_off_the_name():
    chooser = BoundaryChooser.learn(_training_set(), ChooserConfig(**SMALL))
    text = "全县招待费用平均减少15%。"  # 平均减少 never seen in training, 招待费用 neither
    ranges = [LabeledRange("IND", 2, 10), LabeledRange("VAL", 10, 12), LabeledRange("UNIT", 12, 13)]
    out = chooser.apply(text, ranges)
    assert [(r.label, text[r.start:r.end]) for r in out] == [("IND", "招待费用"), ("VAL", "15"), ("UNIT", "%")]
    right = [LabeledRange("IND", 2, 8), LabeledRange("VAL", 8, 10)]
    assert chooser.apply("全县招待费用总额15亿元", right) == right
    assert chooser.config.trained_on == sorted(ex.doc_id for ex in _training_set())


def test_an_untrained_chooser_changes_nothing_and_no_boundary_crosses_a_value_or_punctuation():
    text = "其中，会议费用20%，"
    ranges = [LabeledRange("IND", 5, 7), LabeledRange("VAL", 7, 9)]
    assert BoundaryChooser(ChooserConfig(**SMALL)).apply(text, ranges) == ranges
    chooser = BoundaryChooser(ChooserConfig(**SMALL))
    chooser.end_weights[:] = 1.0  # every feature pushes: moves win over staying
    chooser.start_weights[:] = 1.0
    (ind, val) = chooser.apply(text, ranges)
    assert ind.end == 7 and 3 <= ind.start < 5 and (val.start, val.end) == (7, 9)


def test_save_and_load_give_the_same_choices_and_damaged_files_are_named(tmp_path):
    chooser = BoundaryChooser.learn(_training_set(), ChooserConfig(**SMALL))
    chooser.save(tmp_path)
    loaded = BoundaryChooser.load(tmp_path)
    np.testing.assert_array_equal(loaded.end_weights, chooser.end_weights)
    np.testing.assert_array_equal(loaded.start_weights, chooser.start_weights)
    for i, name in enumerate(["招待费用", "印刷费用"]):
        ex = _doc(i, name, "平均下降")
        assert loaded.apply(ex.text, ex.predicted) == chooser.apply(ex.text, ex.predicted)
    config = json.loads((tmp_path / CONFIG_FILE).read_text(encoding="utf-8"))
    (tmp_path / CONFIG_FILE).write_text(json.dumps({**config, "feature_scheme": "md5-v0"}), encoding="utf-8")
    with pytest.raises(ValueError, match="boundary_chooser.json: feature_scheme 'md5-v0'"):
        BoundaryChooser.load(tmp_path)
    (tmp_path / CONFIG_FILE).write_text(json.dumps({**config, "window": 3}), encoding="utf-8")
    with pytest.raises(ValueError, match="boundary_chooser.json: not a boundary chooser config"):
        BoundaryChooser.load(tmp_path)
    (tmp_path / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    (tmp_path / WEIGHTS_FILE).write_bytes(b"\x00" * 12)
    with pytest.raises(ValueError, match="boundary_chooser.safetensors: cannot read"):
        BoundaryChooser.load(tmp_path)


def test_a_model_folder_with_a_damaged_chooser_does_not_load(tmp_path):
    from test_boundary_edits import _all_ind_tagger

    tagger = _all_ind_tagger()
    tagger.chooser = BoundaryChooser.learn(_training_set(), ChooserConfig(**SMALL))
    tagger.save_pretrained(tmp_path)
    loaded = Tagger.from_pretrained(tmp_path)
    text = "审批时间平均压减"
    assert loaded.predict(text) == tagger.chooser.apply(text, [LabeledRange("IND", 0, 8)])
    (tmp_path / WEIGHTS_FILE).write_bytes(b"")
    with pytest.raises(ModelLoadError, match="boundary_chooser.safetensors"):
        Tagger.from_pretrained(tmp_path)
