"""govie.evaluate and `govie evaluate`: self-scores, planted errors with hand-counted scores, validation."""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import logging
import random
from pathlib import Path

import pytest

from govie.document import Document, read_documents, write_json, write_jsonl
from govie.evaluate import EvaluationError, evaluate, span_scores, tuple_scores

from conftest import SHARED_VALIDATOR

DATA = Path(__file__).parent / "data" / "eval"
GOLD = DATA / "gold.json"
PRED = DATA / "pred.json"  # GOLD with the five plants listed in test_planted_errors_give_hand_counted_scores


def _one(path: Path) -> Document:
    return next(read_documents(path))


def _assert_perfect(report) -> None:
    for label, score in report.spans.per_label.items():
        if score.n_gold:
            assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0), label
    assert report.spans.micro.f1 == 1.0
    for name in ("strict", "relaxed", "core_strict", "core_relaxed"):
        assert getattr(report.tuples, name).f1 == 1.0, name
    assert all(acc.accuracy == 1.0 for acc in report.tuples.fields.values())
    assert all(d.spans.f1 == d.strict.f1 == d.relaxed.f1 == d.core_strict.f1 == 1.0 for d in report.per_document)
    assert report.errors == []


def test_gold_corpus_against_itself_scores_one_everywhere(gold_documents):
    if not gold_documents:
        pytest.skip("corpora/gold/*.json not in this checkout")
    report = evaluate(gold_documents, copy.deepcopy(gold_documents))
    _assert_perfect(report)
    assert report.documents == len(gold_documents)
    assert report.tuples.strict.n_gold == sum(len(d.tuples) for d in gold_documents)
    assert report.spans.micro.n_gold == sum(len(d.spans) for d in gold_documents)


def test_fixture_against_itself_from_paths_scores_one():
    _assert_perfect(evaluate(GOLD, GOLD))


def test_planted_errors_give_hand_counted_scores():
    """The plants in pred.json, counted by hand:

    1. value of `新增国家高新技术企业 12家` changed to 13  -> tuple missed + spurious, value_norm wrong
    2. the tuple of `引进大学生约300人` removed with its VAL and UNIT spans -> tuple missed, VAL and UNIT missed
    3. a spurious tuple `运动会 19` with new IND and VAL spans -> tuple, IND and VAL spurious
    4. IND `财政总收入` shifted to `总收入` -> strict miss, relaxed match; IND missed + spurious
    5. TOWN `斜桥镇` labelled IND -> TOWN missed, IND spurious
    """
    report = evaluate(GOLD, PRED)
    counts = {label: (s.tp, s.n_pred, s.n_gold) for label, s in report.spans.per_label.items()}
    assert counts == {"IND": (3, 6, 4), "VAL": (4, 5, 5), "UNIT": (4, 4, 5), "PER": (2, 2, 2), "TOWN": (0, 0, 1)}
    micro = report.spans.micro
    assert (micro.tp, micro.n_pred, micro.n_gold) == (13, 17, 17)
    assert micro.f1 == pytest.approx(13 / 17)
    assert report.spans.per_label["IND"].f1 == pytest.approx(2 * 0.5 * 0.75 / 1.25)

    t = report.tuples
    assert (t.strict.tp, t.strict.n_pred, t.strict.n_gold) == (2, 5, 5)
    assert (t.relaxed.tp, t.relaxed.n_pred, t.relaxed.n_gold) == (3, 5, 5)
    assert (t.core_strict.tp, t.core_strict.n_pred, t.core_strict.n_gold) == (2, 3, 3)
    assert (t.core_relaxed.tp, t.core_relaxed.n_pred, t.core_relaxed.n_gold) == (3, 3, 3)
    assert t.value_matched == 4
    fields = {name: (acc.correct, acc.total) for name, acc in t.fields.items()}
    assert fields["indicator"] == (3, 4)
    assert fields["indicator_relaxed"] == (4, 4)
    assert fields["value_norm"] == (3, 4)
    assert all(fields[name] == (4, 4) for name in
               ("unit", "period", "unit_norm", "period_norm", "town", "measure", "status", "approx"))

    errors = [(e.kind, e.value, e.indicator, e.differs) for e in report.errors]
    assert errors == [
        ("missed", "12", "新增国家高新技术企业", ["value_norm"]),
        ("spurious", "12", "新增国家高新技术企业", ["value_norm"]),
        ("missed", "300", "引进大学生", []),
        ("spurious", "19", "运动会", []),
        ("missed", "5亿", "财政总收入", ["indicator boundary"]),
        ("spurious", "5亿", "总收入", ["indicator boundary"]),
    ]
    assert report.errors[3].sentence == "举办第19届运动会。"


def test_span_scores_agree_with_seqeval_metrics():
    from seqeval.metrics import f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    from govie.labels import spans_to_bio

    gold, pred = _one(GOLD), _one(PRED)
    y_true = [spans_to_bio(len(gold.text), gold.spans)]
    y_pred = [spans_to_bio(len(pred.text), pred.spans)]
    scores = span_scores([gold], [pred])
    options = {"mode": "strict", "scheme": IOB2}
    assert scores.micro.f1 == pytest.approx(f1_score(y_true, y_pred, **options))
    assert scores.micro.precision == pytest.approx(precision_score(y_true, y_pred, **options))
    assert scores.micro.recall == pytest.approx(recall_score(y_true, y_pred, **options))


def test_scores_do_not_depend_on_tuple_or_span_order():
    gold, pred = _one(GOLD), _one(PRED)
    expected = evaluate([gold], [pred]).to_dict()
    rng = random.Random(0)
    for _ in range(5):
        shuffled = copy.deepcopy(pred)
        rng.shuffle(shuffled.tuples)
        rng.shuffle(shuffled.spans)
        assert evaluate([gold], [shuffled]).to_dict() == expected


def test_maximum_matching_beats_a_greedy_order():
    """Two gold tuples share fields; IND A overlaps both predictions, IND B only the first.

    A greedy pass giving gold A the first prediction would leave gold B unmatched; the maximum
    matching pairs A with the second and B with the first: relaxed tp 2.
    """
    text = "甲乙丙丁戊己庚辛增长5%。增长5%。"
    doc = Document.from_dict({
        "id": "m", "text": text,
        "meta": {"town": "甲镇", "default_period": "2024", "reference_month": "2024-12"},
        "spans": [], "tuples": []})
    from govie.document import IndicatorTuple, Span

    def with_inds(inds):
        d = copy.deepcopy(doc)
        d.spans = [Span(i, "IND", s, e, text[s:e]) for i, (s, e) in enumerate(inds)]
        for k, start in enumerate((10, 15)):
            d.spans += [Span(10 + k, "VAL", start, start + 1, "5"), Span(20 + k, "UNIT", start + 1, start + 2, "%")]
            d.tuples.append(IndicatorTuple(value=10 + k, unit=20 + k, indicator=k, value_norm=5, unit_norm="%",
                                           period_norm="2024", town="甲镇", measure="change",
                                           indicator_text=text[inds[k][0]:inds[k][1]]))
        return d

    gold = with_inds([(0, 4), (5, 8)])      # A = 甲乙丙丁, B = 己庚辛
    pred = with_inds([(2, 7), (0, 2)])      # first overlaps A (2/4) and B (2/3); second overlaps A only (2/4)
    assert tuple_scores([gold], [pred]).relaxed.tp == 2


def test_missing_and_unknown_predictions(caplog):
    gold = _one(GOLD)
    other = copy.deepcopy(gold)
    other.id = "not-in-gold"
    with caplog.at_level(logging.WARNING, logger="govie.evaluate"):
        report = evaluate([gold], [other])
    assert report.missing_predictions == ["planted"]
    assert report.unknown_predictions == ["not-in-gold"]
    assert (report.tuples.strict.tp, report.tuples.strict.n_pred, report.tuples.strict.n_gold) == (0, 0, 5)
    assert report.spans.micro.recall == 0.0
    assert "no prediction" in caplog.text and "not-in-gold" in caplog.text


def test_path_forms_jsonl_and_folder(tmp_path):
    gold = _one(GOLD)
    write_jsonl([gold], tmp_path / "gold.jsonl")
    (tmp_path / "pred").mkdir()
    write_json(_one(PRED), tmp_path / "pred" / "planted.json")
    report = evaluate(tmp_path / "gold.jsonl", str(tmp_path / "pred"))
    assert report.tuples.strict.tp == 2
    assert json.loads(json.dumps(report.to_dict()))["tuples"]["relaxed"]["tp"] == 3


def test_different_text_is_refused():
    gold, pred = _one(GOLD), _one(GOLD)
    pred.text = pred.text + "。"
    with pytest.raises(EvaluationError, match="text differs"):
        evaluate([gold], [pred])


def _load_shared_validator():
    if not SHARED_VALIDATOR.exists():
        pytest.skip(f"{SHARED_VALIDATOR} not present")
    spec = importlib.util.spec_from_file_location("shared_validate", SHARED_VALIDATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mutations():
    def overlap(d):
        d["spans"][3]["start"] -= 1
        d["spans"][3]["text"] = d["text"][d["spans"][3]["start"]:d["spans"][3]["end"]]

    def orphan_val(d):
        d["tuples"].pop()

    def bad_text(d):
        d["spans"][2]["text"] = "地区生产"

    def bad_measure(d):
        d["tuples"][0]["measure"] = "growth"

    def bad_period(d):
        d["tuples"][0]["period_norm"] = "2024年"

    def no_town(d):
        d["meta"]["town"] = None

    def wrong_label_link(d):
        d["tuples"][0]["indicator"] = 1

    def valid_extra_ind(d):
        d["spans"].append({"id": 99, "label": "IND", "start": 57, "end": 58, "text": d["text"][57:58]})

    return [overlap, orphan_val, bad_text, bad_measure, bad_period, no_town, wrong_label_link, valid_extra_ind]


@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_agrees_with_shared_validator_on_validity(mutate, tmp_path):
    validator = _load_shared_validator()
    data = json.loads(GOLD.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shared_problems = validator.check(data)
    try:
        evaluate(GOLD, path)
        ours: list[str] = []
    except EvaluationError as err:
        ours = err.problems
    assert bool(ours) == bool(shared_problems)
    assert len(ours) == len(shared_problems)


def _run_cli(argv: list[str]) -> int:
    from govie.commands import evaluate as command

    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return command.run(parser.parse_args(argv))


def test_cli_table_and_json(capsys):
    assert _run_cli([str(GOLD), str(PRED), "--errors", "2"]) == 0
    out = capsys.readouterr().out
    assert "strict" in out and "0.400" in out and "missed" in out
    assert _run_cli([str(GOLD), str(PRED), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tuples"]["strict"]["tp"] == 2 and len(data["errors"]) == 6


def test_cli_refuses_invalid_file_one_line_per_problem(tmp_path, capsys):
    data = json.loads(GOLD.read_text(encoding="utf-8"))
    data["tuples"][0]["measure"] = "growth"
    data["tuples"][1]["approx"] = "about"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert _run_cli([str(GOLD), str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "'growth'" in err[0] and "'about'" in err[1] and err[-1].endswith("2 problems; nothing scored")
    assert _run_cli([str(GOLD), str(tmp_path / "absent.json")]) == 2
    assert "no such file" in capsys.readouterr().err
