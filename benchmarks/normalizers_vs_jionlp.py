# Compare govie's value/unit and period normalizers with JioNLP on the gold spans.
#
#   source .venv/bin/activate && pip install jionlp   # benchmark-only dependency, never imported by govie
#   python benchmarks/normalizers_vs_jionlp.py [--gold corpora/gold] [--examples 8]
#
# Money: every gold tuple with unit_norm 元; input is the raw text from the VAL start to the UNIT end
# (``17.03亿元``, ``600余万元``); correct when |value| equals |gold value_norm| (rel. 1e-6) and the unit is 元.
# govie: parse_number on the number part (+ §7.6 magnitude after 余) and normalize_unit; JioNLP: parse_money.
# Time: every distinct PER span that a gold tuple links, with the gold period_norm of its tuples (spans
# whose tuples disagree, e.g. the two ends of ``2003年到2023年``, are left out); govie: normalize_period
# with the report's default-period year and reference month; JioNLP: parse_time with time_base = the
# report's reference month (its "now"), its answer converted to the §4 forms.
"""Benchmark: govie normalizers vs jionlp.parse_money / jionlp.parse_time on the gold corpus."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import logging
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govie.document import Document, read_documents  # noqa: E402
from govie.numbers import MAGNITUDES, NumberError, parse_number  # noqa: E402
from govie.periods import normalize_period, period_year  # noqa: E402
from govie.units import normalize_unit  # noqa: E402


def load_gold(path: Path) -> list[Document]:
    paths = sorted(path.glob("*.json")) if path.is_dir() else [path]
    return [doc for p in paths for doc in read_documents(p)]


def govie_money(number_text: str, unit_text: str, after: str) -> tuple[float | None, str | None]:
    try:
        value = parse_number(number_text).value
    except NumberError:
        return None, None
    m = re.match(r"\s*[余多]\s*(万亿|亿|万|千)", after)
    if m and number_text.rstrip()[-1:] not in "十百千万亿":
        value *= MAGNITUDES[m.group(1)]
    return value, normalize_unit(unit_text)


def jio_money(jio, text: str) -> tuple[float | None, str | None]:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            out = jio.parse_money(text)
    except Exception:  # noqa: BLE001 - a benchmark records any failure of the other library
        return None, None
    num = out.get("num")
    if isinstance(num, list):
        num = num[0]
    try:
        return float(num), out.get("case")
    except (TypeError, ValueError):
        return None, out.get("case")


def _month_end(y: int, m: int) -> dt.date:
    return (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))


def jio_to_norm(out: dict, reference_month: str | None, base: dt.date | None = None) -> str | None:
    """Convert a parse_time result to the §4 forms (year, half, quarter, month, day, A/B)."""
    times = out.get("time") if isinstance(out, dict) else None
    if not isinstance(times, (list, tuple)) or not times:
        return None  # time_delta / time_period answers have no calendar span
    start_s, end_s = times[0], times[-1]
    if end_s == "inf" and reference_month:
        y, m = map(int, reference_month.split("-"))
        end_s = f"{_month_end(y, m)} 23:59:59"
    try:
        start = dt.datetime.fromisoformat(start_s).date()
        end = dt.datetime.fromisoformat(end_s).date()
    except ValueError:
        return None
    if base is not None and end == base and start != end and reference_month:
        # a span ending "now" (今年以来): JioNLP ends at the time_base day, §4 at reference_month
        return f"{start.year}-{start.month:02d}/{reference_month}"
    if start == end:
        return start.isoformat()
    if start.day == 1 and end == _month_end(end.year, end.month):
        if start.year == end.year:
            y, m1, m2 = start.year, start.month, end.month
            if (m1, m2) == (1, 12):
                return str(y)
            if (m1, m2) in ((1, 6), (7, 12)):
                return f"{y}-H{1 if m1 == 1 else 2}"
            if m2 - m1 == 2 and m1 % 3 == 1:
                return f"{y}-Q{m2 // 3}"
            if m1 == m2:
                return f"{y}-{m1:02d}"
        if start.month == 1 and end.month == 12:
            return f"{start.year}/{end.year}"
        return f"{start.year}-{start.month:02d}/{end.year}-{end.month:02d}"
    return f"{start.isoformat()}/{end.isoformat()}"


def jio_time(jio, text: str, reference_month: str | None) -> str | None:
    y, m = map(int, reference_month.split("-")) if reference_month else (2024, 1)
    base = {"year": y, "month": m, "day": 15}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            out = jio.parse_time(text, time_base=base)
    except Exception:  # noqa: BLE001
        return None
    return jio_to_norm(out, reference_month, dt.date(y, m, 15))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, default=ROOT / "corpora" / "gold")
    parser.add_argument("--examples", type=int, default=8, help="failure examples to print per system")
    args = parser.parse_args(argv)
    if not list(args.gold.glob("*.json")) and (ROOT.parent / "shared" / "corpora" / "gold").is_dir():
        args.gold = ROOT.parent / "shared" / "corpora" / "gold"
    logging.disable(logging.WARNING)
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp as jio
    docs = load_gold(args.gold)

    money = {"govie": [0, []], "jionlp": [0, []]}
    n_money = 0
    times = {"govie": [0, []], "jionlp": [0, []]}
    n_time = 0
    for doc in docs:
        spans = doc.span_by_id()
        per_norms: dict[int, set[str]] = {}
        for t in doc.tuples:
            if t.period is not None:
                per_norms.setdefault(t.period, set()).add(t.period_norm)
            if t.unit_norm != "元" or t.unit is None:
                continue
            n_money += 1
            val, unit = spans[t.value], spans[t.unit]
            gold = abs(t.value_norm)
            raw = doc.text[val.start:unit.end]
            for name, (got, case) in (("govie", govie_money(doc.text[val.start:unit.start], unit.text, doc.text[val.end:])),
                                      ("jionlp", jio_money(jio, raw))):
                ok = got is not None and case == "元" and math.isclose(abs(got), gold, rel_tol=1e-6)
                if ok:
                    money[name][0] += 1
                else:
                    money[name][1].append(f"{doc.id}: {raw!r} gold={gold} got={got} {case}")
        year = period_year(doc.meta.default_period)
        for span_id, norms in per_norms.items():
            if len(norms) != 1:
                continue
            n_time += 1
            gold = next(iter(norms))
            text = spans[span_id].text
            for name, got in (("govie", normalize_period(text, year=year, reference_month=doc.meta.reference_month,
                                                         period=doc.meta.default_period)),
                              ("jionlp", jio_time(jio, text, doc.meta.reference_month))):
                if got == gold:
                    times[name][0] += 1
                else:
                    times[name][1].append(f"{doc.id}: {text!r} gold={gold} got={got}")

    print(f"gold: {len(docs)} documents from {args.gold}")
    for title, table, total in (("money (VAL+UNIT, unit 元)", money, n_money), ("time (PER -> period_norm)", times, n_time)):
        print(f"\n{title}: {total} items")
        for name, (ok, fails) in table.items():
            print(f"  {name:7} accuracy {ok}/{total} = {ok / max(total, 1):.1%}")
        for name, (ok, fails) in table.items():
            for line in fails[:args.examples]:
                print(f"    [{name} fails] {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
