"""Consistency checks over a long panel (:func:`govie.panels.merge_rows`): figures that cannot all be right.

Each :class:`Flag` names two rows of the panel and their sources, so that a reader can open both
places. The checks, with the tolerances of :class:`Tolerances`:

- ``conflict``: one figure key (town, period, code, measure, status, unit) with two values that
  cannot both be right (:func:`govie.panels.compatible`: a bound or an approximation may hold both).
- ``change_vs_levels``: a growth rate (%) against the levels of the same period one year apart,
  widened by the rounding of all three as written; skipped for codes whose growth is at constant
  prices (``growth: real``, GDP and value added), which nominal levels cannot reproduce.
- ``part_exceeds_total``: a part (``part_of`` in the code list, transitively) larger than its total
  in the same town, period, status and unit.
- ``far_from_target``: an actual against the target of its period (a growth rate also against the
  target of a period containing it: H1 growth against the year's target).
- ``unit_mismatch``: levels of one code in different units (or none; counting units such as ``个``,
  ``家`` and, for enterprises, ``户`` count alike), or changes in ``%`` and in ``个百分点``; ``倍``
  against a base year (guidelines §7.19) is another measure, not a mismatch.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from govie.indicator_codes import CodeBook, default_codebook
from govie.periods import period_bounds, shift_period
from govie.units import unit_category

KINDS = ("conflict", "change_vs_levels", "part_exceeds_total", "far_from_target", "unit_mismatch")


@dataclass(frozen=True)
class Tolerances:
    """How far figures may be apart before a flag."""

    #: percentage points between a reported growth rate and the one its levels imply (after rounding)
    change_points: float = 1.0
    #: an actual level outside [target / ratio, target * ratio]
    target_ratio: float = 2.0
    #: percentage points between an actual growth rate and its target
    target_points: float = 5.0


@dataclass(frozen=True)
class Flag:
    """Two panel rows (positions in the long table) that disagree, and why."""

    kind: str
    rows: tuple[int, int]
    sources: tuple[str, str]
    message: str


def check(long, *, tolerances: Tolerances = Tolerances(), codebook: CodeBook | None = None) -> list[Flag]:
    """Every flag of a long panel: kinds in the order of :data:`KINDS`, each in the order of the panel's rows."""
    return [flag for flags, _ in _run(long, tolerances, codebook).values() for flag in flags]


def examined(long, *, tolerances: Tolerances = Tolerances(), codebook: CodeBook | None = None) -> dict[str, int]:
    """How many comparisons each check made (figure keys with several tuples, growth rates with both levels,
    part-total pairs, actual-target pairs, codes with several rows): no flag means little where none was made."""
    return {kind: compared for kind, (_, compared) in _run(long, tolerances, codebook).items()}


def _run(long, tolerances: Tolerances, codebook: CodeBook | None) -> dict[str, tuple[list[Flag], int]]:
    codebook = codebook or default_codebook()
    records = [{k: None if _isnan(v) else v for k, v in r.items()} for r in long.to_dict("records")]
    for i, r in enumerate(records):
        r["_row"] = i
    coded = [r for r in records if isinstance(r["indicator_code"], str) and r["indicator_code"] in codebook.codes]
    return {"conflict": _conflicts(records), "change_vs_levels": _change_vs_levels(coded, codebook, tolerances),
            "part_exceeds_total": _part_exceeds_total(coded, codebook),
            "far_from_target": _far_from_target(coded, tolerances), "unit_mismatch": _unit_mismatch(coded, codebook)}


def flags_frame(flags: list[Flag], long):
    """Flags as a DataFrame: kind, message, and for each of the two rows its figure and sources."""
    import pandas as pd

    columns = ["kind", "message", "indicator_code", "town"] + [f"{field}_{side}" for side in ("a", "b") for field in
                                                               ("row", "period", "status", "measure", "value", "unit",
                                                                "indicator", "sources")]
    out = []
    for flag in flags:
        entry = {"kind": flag.kind, "message": flag.message}
        for side, row in zip(("a", "b"), flag.rows):
            r = long.iloc[row]
            entry.update({f"row_{side}": row, f"period_{side}": r["period"], f"status_{side}": r["status"],
                          f"measure_{side}": r["measure"], f"value_{side}": r["value"], f"unit_{side}": r["unit"],
                          f"indicator_{side}": r["indicator"], f"sources_{side}": r["sources"]})
        first = long.iloc[flag.rows[0]]
        entry["indicator_code"], entry["town"] = first["indicator_code"], first["town"]
        out.append(entry)
    return pd.DataFrame(out, columns=columns)


def _flag(kind: str, a: dict, b: dict, message: str) -> Flag:
    return Flag(kind, (a["_row"], b["_row"]), (a["sources"], b["sources"]), message)


def _conflicts(records: list[dict]) -> tuple[list[Flag], int]:
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        if r["conflict"]:
            key = (r["town"], r["period"], r["indicator_code"], r["measure"], r["status"], r["unit"])
            groups.setdefault(key, []).append(r)
    flags = []
    for rows in groups.values():  # every conflicting row is named once, beside the first row it contradicts
        named: set[int] = set()
        for i, row in enumerate(rows):
            other = next((j for j, r in enumerate(rows) if j != i and not _compatible(r, row)), None)
            if i in named or other is None:
                continue
            a, b = sorted((i, other))
            named |= {a, b}
            flags.append(_flag("conflict", rows[a], rows[b], f"{row['indicator_code']} {row['period']} {row['status']} "
                               f"{row['measure']}: {rows[a]['value']:g} vs {rows[b]['value']:g}"))
    merged = sum(1 for r in records if r["indicator_code"] and not r["conflict"] and r["n_sources"] > 1)
    return flags, merged + len(groups)  # coded figure keys that several tuples report


def _compatible(a: dict, b: dict) -> bool:
    from govie.panels import compatible

    return compatible(a["value"], a["approx"], b["value"], b["approx"])


def _half_unit(value: float, text: Any) -> float:
    """Half the last written digit of a value, in its normalized magnitude (``17.03亿`` → 5e5)."""
    m = re.search(r"\d+(?:\.(\d+))?", str(text or "").replace(",", ""))
    if not m or float(m.group()) == 0:
        return 0.0
    return abs(value) * 0.5 * 10 ** -len(m.group(1) or "") / float(m.group())


def _change_vs_levels(coded: list[dict], codebook: CodeBook, tol: Tolerances) -> tuple[list[Flag], int]:
    levels: dict[tuple, list[dict]] = {}
    for r in coded:
        if r["measure"] == "level" and r["status"] == "actual" and r["unit"] != "%":
            levels.setdefault((r["town"], r["indicator_code"], r["period"]), []).append(r)
    flags, compared = [], 0
    for change in coded:
        code = codebook.codes[change["indicator_code"]]
        if change["measure"] != "change" or change["unit"] != "%" or change["status"] != "actual" \
                or code.growth == "real":
            continue
        now = levels.get((change["town"], code.code, change["period"]), [])
        before = levels.get((change["town"], code.code, shift_period(change["period"], -1)), [])
        for new in now:
            for old in before:
                if old["unit"] != new["unit"] or old["value"] <= 0:
                    continue
                compared += 1
                h_new, h_old = _half_unit(new["value"], new["value_text"]), _half_unit(old["value"], old["value_text"])
                low = ((new["value"] - h_new) / (old["value"] + h_old) - 1) * 100
                high = ((new["value"] + h_new) / max(old["value"] - h_old, 1e-12) - 1) * 100
                h_change = _half_unit(change["value"], change["value_text"])
                if change["value"] + h_change < low - tol.change_points \
                        or change["value"] - h_change > high + tol.change_points:
                    implied = (new["value"] / old["value"] - 1) * 100
                    flags.append(_flag("change_vs_levels", change, new,
                                       f"{code.code} {change['period']}: growth {change['value']:g}% but the levels "
                                       f"{old['value']:g} ({old['period']}, {old['sources']}) and {new['value']:g} "
                                       f"imply {implied:.2f}%"))
    return flags, compared


def _part_exceeds_total(coded: list[dict], codebook: CodeBook) -> tuple[list[Flag], int]:
    by_key: dict[tuple, list[dict]] = {}
    for r in coded:
        if r["measure"] == "level":
            by_key.setdefault((r["town"], r["period"], r["status"], r["unit"]), []).append(r)
    flags, compared = [], 0
    for rows in by_key.values():
        for part in rows:
            for total in rows:
                if not codebook.contains(total["indicator_code"], part["indicator_code"]):
                    continue
                compared += 1
                if part["value"] > total["value"] * (1 + 1e-6):
                    flags.append(_flag("part_exceeds_total", part, total,
                                       f"{part['indicator_code']} {part['value']:g} > its total "
                                       f"{total['indicator_code']} {total['value']:g} "
                                       f"({part['period']}, {part['status']})"))
    return flags, compared


def _within(inner: str, outer: str) -> bool:
    a, b = period_bounds(inner), period_bounds(outer)
    return b[0] <= a[0] and a[1] <= b[1]


def _far_from_target(coded: list[dict], tol: Tolerances) -> tuple[list[Flag], int]:
    targets: dict[tuple, list[dict]] = {}
    for r in coded:
        if r["status"] == "target":
            targets.setdefault((r["town"], r["indicator_code"], r["measure"], r["unit"]), []).append(r)
    flags, compared = [], 0
    for actual in coded:
        if actual["status"] != "actual":
            continue
        for target in targets.get((actual["town"], actual["indicator_code"], actual["measure"], actual["unit"]), []):
            rate = actual["measure"] == "change" or actual["unit"] == "%"
            if rate and _within(actual["period"], target["period"]):
                compared += 1
                if abs(actual["value"] - target["value"]) > tol.target_points:
                    flags.append(_flag("far_from_target", actual, target,
                                       f"{actual['indicator_code']} {actual['period']}: actual {actual['value']:g} vs "
                                       f"target {target['value']:g} ({target['period']}), more than "
                                       f"{tol.target_points:g} points apart"))
            elif not rate and actual["period"] == target["period"] and target["value"] > 0:
                compared += 1
                ratio = actual["value"] / target["value"]
                if not (1 / tol.target_ratio <= ratio <= tol.target_ratio):
                    flags.append(_flag("far_from_target", actual, target,
                                       f"{actual['indicator_code']} {actual['period']}: actual {actual['value']:g} is "
                                       f"{ratio:.2f} times the target {target['value']:g}"))
    return flags, compared


def _comparable_unit(codebook: CodeBook, code: str, unit: str | None) -> str | None:
    """Counting units (个, 家, and 户 where the code lists it beside ``count``) count the same things."""
    allowed = codebook.codes[code].units
    if unit_category(unit) == "count" or ("count" in allowed and unit in allowed):
        return "count"
    return unit


def _unit_mismatch(coded: list[dict], codebook: CodeBook) -> tuple[list[Flag], int]:
    groups: dict[tuple, list[dict]] = {}
    for r in coded:
        if r["measure"] == "change" and r["unit"] not in ("%", "个百分点"):
            continue
        groups.setdefault((r["indicator_code"], r["measure"]), []).append(r)
    flags = []
    compared = sum(len(rows) > 1 for rows in groups.values())
    for (code, measure), rows in groups.items():
        counts = Counter(_comparable_unit(codebook, code, r["unit"]) for r in rows)
        if len(counts) < 2:
            continue
        modal = max(counts, key=lambda u: (u is not None, counts[u], u or ""))  # a row without unit is the odd one
        reference = next(r for r in rows if _comparable_unit(codebook, code, r["unit"]) == modal)
        for r in rows:
            if _comparable_unit(codebook, code, r["unit"]) != modal:
                flags.append(_flag("unit_mismatch", r, reference,
                                   f"{code} {measure} in {r['unit'] or '(no unit)'} ({r['town']} {r['period']}) but "
                                   f"in {reference['unit'] or '(no unit)'} elsewhere "
                                   f"({reference['town']} {reference['period']})"))
    return flags, compared


def summary(flags: list[Flag]) -> dict[str, int]:
    """How many flags of each kind (every kind listed, zeros included)."""
    counts = Counter(f.kind for f in flags)
    return {kind: counts.get(kind, 0) for kind in KINDS}


def _isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
