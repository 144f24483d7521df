"""The panel: merged figures with all their sources, conflicts kept and flagged, the wide pivot, the CLI."""

from __future__ import annotations

import argparse
import logging

import pandas as pd
import pytest

from govie.commands import panel as panel_command
from govie.consistency import Tolerances, check, examined, flags_frame, summary
from govie.panels import PANEL_COLUMNS, collect_rows, compatible, merge_rows, panel, wide

ANNUAL_2023 = ("瓜沥镇2023年工作报告\n2023年,全镇实现财政总收入30亿元,同比增长10%;一般公共预算收入35亿元。"
               "新增国家高新技术企业12家,高新技术企业总数达到80家。\n"
               "2024年主要目标:财政总收入力争达到100亿元,固定资产投资增长30%。\n")
HALF_2024 = ("瓜沥镇2024年上半年工作报告\n2023年,瓜沥镇财政总收入30亿元。2023年,全镇固定资产投资50亿元。"
             "上半年,实现财政总收入17.03亿元,同比增长42.87%。\n")
ANNUAL_2024 = ("瓜沥镇2024年工作报告\n2024年,全镇实现财政总收入33亿元,同比增长20%;固定资产投资55亿元,增长10%。"
               "2023年,全镇固定资产投资52亿元。\n")


@pytest.fixture()
def reports(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in (("a-2023.txt", ANNUAL_2023), ("b-2024h1.txt", HALF_2024), ("c-2024.txt", ANNUAL_2024)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture()
def long(reports):
    return panel(reports, model="rules", town="瓜沥镇", show_progress=False)


def _row(**fields):
    base = {"file": "r.txt", "town": "甲镇", "period": "2023", "indicator_code": "FAI", "indicator": "固定资产投资",
            "measure": "level", "status": "actual", "value": 100.0, "unit": "元", "approx": None, "value_text": "100",
            "value_start": 0, "value_end": 3, "indicator_start": 0, "indicator_end": 0, "confidence": 1.0,
            "sentence": ""}
    return {**base, **fields}


def _find(frame, **fields):
    mask = pd.Series(True, index=frame.index)
    for key, value in fields.items():
        mask &= frame[key] == value
    return frame[mask]


def test_the_same_figure_in_two_reports_is_one_row_with_both_sources(long, reports):
    assert list(long.columns) == list(PANEL_COLUMNS)
    revenue = _find(long, indicator_code="FISCAL_REVENUE_TOTAL", period="2023", measure="level")
    assert len(revenue) == 1 and revenue.iloc[0]["n_sources"] == 2 and revenue.iloc[0]["value"] == 3e9
    sources = revenue.iloc[0]["sources"].split("; ")
    assert [s.rsplit(":", 1)[0] for s in sources] == [str(reports / "a-2023.txt"), str(reports / "b-2024h1.txt")]
    start, end = map(int, sources[1].rsplit(":", 1)[1].split("-"))
    assert HALF_2024[start:end] == "30亿"


def test_conflicting_figures_are_all_kept_and_flagged(long):
    investment = _find(long, indicator_code="FAI", period="2023", measure="level")
    assert sorted(investment["value"]) == [5e9, 5.2e9] and investment["conflict"].all()
    assert all("conflict#" in flags for flags in investment["flags"])
    conflicts = [f for f in check(long) if f.kind == "conflict"]
    assert len(conflicts) == 1 and {long.iloc[r]["value"] for r in conflicts[0].rows} == {5e9, 5.2e9}
    assert "b-2024h1.txt" in conflicts[0].sources[0] and "c-2024.txt" in conflicts[0].sources[1]


def test_the_consistency_checks_fire_on_the_fixture_reports(long):
    counts = summary(check(long))
    assert counts == {"conflict": 1, "change_vs_levels": 2, "part_exceeds_total": 1, "far_from_target": 2,
                      "unit_mismatch": 0}
    # growth 2024 of revenue against 2023 and 2024, of investment against 2024 and each 2023 figure
    assert examined(long)["change_vs_levels"] == 3 and examined(long)["part_exceeds_total"] == 1
    frame = flags_frame(check(long), long)
    part = frame[frame["kind"] == "part_exceeds_total"].iloc[0]
    assert (part["indicator_a"], part["indicator_b"]) == ("一般公共预算收入", "财政总收入")
    assert part["sources_a"].endswith(f":{ANNUAL_2023.index('35亿')}-{ANNUAL_2023.index('35亿') + 3}")
    growth = frame[(frame["kind"] == "change_vs_levels") & (frame["indicator_code"] == "FISCAL_REVENUE_TOTAL")]
    assert len(growth) == 1 and "imply 10.00%" in growth.iloc[0]["message"]


def test_uncoded_names_merge_identical_figures_but_never_conflict():
    rows = [_row(indicator_code=None, indicator="投资", value=1.0, value_start=0),
            _row(indicator_code=None, indicator="投资", value=2.0, value_start=10),
            _row(indicator_code=None, indicator="投资", value=2.0, value_start=20, approx="approx")]
    long = merge_rows(rows)
    assert sorted(long["value"]) == [1.0, 2.0] and not long["conflict"].any() and check(long) == []
    assert _find(long, value=2.0).iloc[0]["approx"] == "mixed"


def test_a_bound_or_an_approximation_that_another_figure_satisfies_is_no_conflict():
    rows = [_row(indicator_code="GDP", value=4168.5e8, value_start=0),
            _row(indicator_code="GDP", value=4000e8, approx="more_than", value_start=10),  # 首破4000亿元大关
            _row(indicator_code="GDP", value=4100e8, approx="approx", value_start=20)]  # 约4100亿元
    long = merge_rows(rows)
    assert len(long) == 3 and not long["conflict"].any() and check(long) == []
    long = merge_rows(rows + [_row(indicator_code="GDP", value=3500e8, value_start=30)])
    assert long["conflict"].all()  # 3500 contradicts each of the three
    flags = check(long)
    assert [(f.kind, f.rows) for f in flags] == [("conflict", (0, 3)), ("conflict", (1, 3)), ("conflict", (2, 3))]
    assert compatible(5.0, "less_than", 4.0, None) and not compatible(5.0, "less_than", 6.0, None)


def _flags(rows, **tolerances):
    return check(merge_rows(rows), tolerances=Tolerances(**tolerances))


def test_growth_against_levels_allows_the_rounding_of_the_figures_as_written():
    levels = [_row(period="2022", value=1.5e8, value_text="1.5亿"), _row(period="2023", value=1.7e8, value_text="1.7亿")]
    # 1.7/1.5 - 1 = 13.3%, but 1.65..1.75 over 1.45..1.55 allows 6.5% .. 20.7%
    assert not _flags(levels + [_row(measure="change", unit="%", value=7.0, value_text="7")])
    assert [f.kind for f in _flags(levels + [_row(measure="change", unit="%", value=25.0, value_text="25")])] == \
        ["change_vs_levels"]
    real = [dict(r, indicator_code="GDP") for r in levels] + [_row(indicator_code="GDP", measure="change", unit="%",
                                                                   value=25.0, value_text="25")]
    assert not _flags(real)  # GDP grows at constant prices: nominal levels cannot check it


def test_a_part_larger_than_its_total_is_flagged_only_in_the_same_period_and_unit():
    total = _row(indicator_code="FAI", value=100.0)
    assert [f.kind for f in _flags([total, _row(indicator_code="FAI_MANUFACTURING", value=120.0)])] == \
        ["part_exceeds_total"]
    assert not _flags([total, _row(indicator_code="FAI_MANUFACTURING", value=80.0)])
    assert not _flags([total, _row(indicator_code="FAI_MANUFACTURING", value=120.0, period="2024")])
    assert not _flags([total, _row(indicator_code="FAI_MANUFACTURING", value=120.0, unit="美元")])


def test_actuals_far_from_their_targets_are_flagged():
    target = _row(status="target", measure="change", unit="%", value=6.0, period="2024")
    assert not _flags([target, _row(measure="change", unit="%", value=8.0, period="2024-H1")])
    flags = _flags([target, _row(measure="change", unit="%", value=12.0, period="2024-H1")])
    assert [f.kind for f in flags] == ["far_from_target"] and "12 vs target 6" in flags[0].message
    assert _flags([target, _row(measure="change", unit="%", value=12.0, period="2024-H1")], target_points=7) == []
    level_target = _row(status="target", value=100.0, period="2024")
    assert not _flags([level_target, _row(value=90.0, period="2024")])
    assert [f.kind for f in _flags([level_target, _row(value=30.0, period="2024")])] == ["far_from_target"]
    assert not _flags([level_target, _row(value=30.0, period="2024-H1")])  # half a year of a year's amount


def test_units_that_disagree_within_a_code_are_flagged():
    grain = [_row(indicator_code="GRAIN_OUTPUT", unit="吨", value=1.0, town="甲"),
             _row(indicator_code="GRAIN_OUTPUT", unit="吨", value=2.0, town="乙"),
             _row(indicator_code="GRAIN_OUTPUT", unit="斤", value=3.0, town="丙")]
    flags = _flags(grain)
    assert [f.kind for f in flags] == ["unit_mismatch"] and "斤" in flags[0].message
    firms = [_row(indicator_code="HIGH_TECH_ENTERPRISES", unit="家", value=1.0, town="甲"),
             _row(indicator_code="HIGH_TECH_ENTERPRISES", unit="户", value=2.0, town="乙")]
    assert not _flags(firms)  # 户 and 家 count the same enterprises
    changes = [_row(measure="change", unit="%", value=1.0, town="甲"), _row(measure="change", unit="倍", value=2.0),
               _row(measure="change", unit="个百分点", value=3.0, town="丙")]
    assert [f.kind for f in _flags(changes)] == ["unit_mismatch"]


def test_the_wide_pivot_has_a_column_per_code_and_measure_and_leaves_conflicts_empty(long, caplog):
    with caplog.at_level(logging.WARNING, logger="govie.panels"):
        table = wide(long)
    assert table.loc[("瓜沥镇", "2024"), "FISCAL_REVENUE_TOTAL [元]"] == 3.3e9
    assert table.loc[("瓜沥镇", "2024-H1"), "FISCAL_REVENUE_TOTAL change [%]"] == 42.87
    assert pd.isna(table.loc[("瓜沥镇", "2023"), "FAI [元]"])
    assert "1 cell(s) left empty" in caplog.text and "瓜沥镇 2023 FAI [元]" in caplog.text
    targets = wide(long, status="target")
    assert targets.loc[("瓜沥镇", "2024"), "FAI change [%]"] == 30


def test_unreadable_files_are_reported_and_the_others_kept(reports, caplog):
    (reports / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    rows, errors = collect_rows([reports])
    assert [path for path, _ in errors] == [str(reports / "broken.txt")] and "binary" in errors[0][1]
    assert rows
    with caplog.at_level(logging.WARNING, logger="govie.panels"):
        frame = panel([reports], model="rules", show_progress=False)
    assert "broken.txt" in caplog.text and len(frame) > 5


def run_panel(argv, capsys):
    parser = argparse.ArgumentParser()
    panel_command.add_arguments(parser)
    code = panel_command.run(parser.parse_args(argv + ["--no-progress", "--model", "rules", "--town", "瓜沥镇"]))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_writes_the_long_table_the_pivot_and_the_flags(reports, tmp_path, capsys, long):
    out_long, out_wide, out_flags = tmp_path / "panel.parquet", tmp_path / "wide.csv", tmp_path / "flags.csv"
    code, out, err = run_panel([str(reports), "-o", str(out_long), "--wide", str(out_wide), "--flags",
                                str(out_flags)], capsys)
    assert code == 0, err
    written = pd.read_parquet(out_long)
    pd.testing.assert_frame_equal(written, long, check_dtype=False)
    assert "FISCAL_REVENUE_TOTAL [元]" in pd.read_csv(out_wide).columns
    assert list(pd.read_csv(out_flags)["kind"]).count("conflict") == 1
    assert "1 figure(s) with several sources" in err and "part_exceeds_total 1" in err


def test_the_command_prints_csv_without_output_and_refuses_bad_arguments(reports, capsys):
    code, out, _ = run_panel([str(reports)], capsys)
    assert code == 0 and out.splitlines()[0].startswith("town,period,indicator_code,indicator")
    code, _, err = run_panel([str(reports), "-o", "panel.xlsx"], capsys)
    assert code == 2 and "expected a .csv or .parquet file" in err
    code, _, err = run_panel([str(reports), "--workers", "0"], capsys)
    assert code == 2 and "--workers must be at least 1" in err
    (reports / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    code, out, err = run_panel([str(reports)], capsys)
    assert code == 1 and "broken.txt" in err and len(out.splitlines()) > 5
