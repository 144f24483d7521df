"""One table town × period × indicator from many reports: tuple rows, merged figures, a wide pivot.

:func:`panel` runs the pipeline over files (in parallel with :mod:`govie.parallel`) and returns the
long table: one row per figure, that is per (town, period, indicator, measure, status, unit, value).
A figure that several tuples report (a half-year figure repeated in the annual report, a summary
repeated in a section) is one row that lists every source (``file:start-end`` of each value);
tuples of one key whose values differ are all kept, marked ``conflict`` and flagged
(:mod:`govie.consistency`), never resolved by picking one; a bound or an approximation that another
figure satisfies (``首破4000亿元大关`` beside ``4168.5亿元``) is kept beside it, not in conflict with it.
``approx`` is ``mixed`` where the same value was written approximately in one source and not in another.

Only a code (:mod:`govie.indicator_codes`) says that two names are one indicator: rows without one
are keyed by their indicator text and merged only when the figure is the same, and different values
under the same free text (``投资`` of two projects) are not conflicts.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from govie.parallel import ExtractOptions, FileResult, extract_files

if TYPE_CHECKING:  # pragma: no cover
    from govie.pipeline import ExtractedTuple

logger = logging.getLogger(__name__)

#: one row per extracted tuple (:func:`tuple_rows`)
TUPLE_COLUMNS = ("file", "town", "period", "indicator_code", "indicator", "measure", "status", "value", "unit",
                 "approx", "value_text", "value_start", "value_end", "indicator_start", "indicator_end",
                 "confidence", "sentence")
#: the long panel (:func:`merge_rows`): the first source's file and offsets, all sources in ``sources``
PANEL_COLUMNS = ("town", "period", "indicator_code", "indicator", "measure", "status", "value", "unit", "approx",
                 "value_text", "n_sources", "sources", "file", "value_start", "value_end", "confidence", "conflict",
                 "flags", "sentence")
#: values closer than this (relative) are the same figure, as in the scoring of guidelines §6
REL_TOL = 1e-6
#: how far (relative) an approximate figure (约, 左右) may lie from another and still be the same
APPROX_TOL = 0.05


def tuple_rows(result: FileResult) -> list[dict[str, Any]]:
    """The rows of one processed file (a :func:`govie.parallel.extract_files` transform)."""
    return rows_of(result.path, result.result.tuples)


def rows_of(file: str, tuples: Iterable[ExtractedTuple]) -> list[dict[str, Any]]:
    """One row per tuple of one file (:data:`TUPLE_COLUMNS`, the file first and then tuple fields)."""
    return [{"file": file, **{column: getattr(t, column) for column in TUPLE_COLUMNS[1:]}} for t in tuples]


def source_of(row: dict[str, Any]) -> str:
    """``file:start-end``, the value's characters in its file."""
    return f"{row['file']}:{row['value_start']}-{row['value_end']}"


def figure_key(row: dict[str, Any]) -> tuple:
    """What two rows must share to report the same figure (the value aside)."""
    from govie.indicator_codes import normalize_indicator

    indicator = row["indicator_code"] or "text:" + normalize_indicator(row["indicator"])
    return (row["town"], row["period"], indicator, row["measure"], row["status"], row["unit"])


def _same_value(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def compatible(a: float, a_approx: str | None, b: float, b_approx: str | None) -> bool:
    """Whether two figures of one key can both be right: the same value, or one a bound (超10亿,
    首破4000亿元大关, 不足5%) or an approximation (约17亿) that the other satisfies."""
    if _same_value(a, b):
        return True
    for bound, kind, other in ((a, a_approx, b), (b, b_approx, a)):
        if (kind == "more_than" and other >= bound) or (kind == "less_than" and other <= bound) or \
                (kind == "approx" and abs(bound - other) <= APPROX_TOL * max(abs(bound), abs(other))):
            return True
    return False


def merge_rows(rows: Iterable[dict[str, Any]]):
    """The long panel (a pandas DataFrame with :data:`PANEL_COLUMNS`) of tuple rows, in first-seen order.

    ``flags`` names the consistency flags (:func:`govie.consistency.check`) each row is part of.
    """
    from govie.consistency import check

    pd = _pandas()

    groups: dict[tuple, list[list[dict]]] = {}
    for row in rows:
        clusters = groups.setdefault(figure_key(row), [])
        cluster = next((c for c in clusters if _same_value(c[0]["value"], row["value"])), None)
        if cluster is None:
            clusters.append([row])
        else:
            cluster.append(row)
    out = []
    for key, clusters in groups.items():
        approx = [c[0]["approx"] if all(r["approx"] == c[0]["approx"] for r in c) else "mixed" for c in clusters]
        coded = not key[2].startswith("text:")
        for i, (cluster, cluster_approx) in enumerate(zip(clusters, approx)):
            first = cluster[0]
            conflict = coded and any(not compatible(first["value"], cluster_approx, other[0]["value"], other_approx)
                                     for j, (other, other_approx) in enumerate(zip(clusters, approx)) if j != i)
            out.append({
                "town": first["town"], "period": first["period"], "indicator_code": first["indicator_code"],
                "indicator": first["indicator"], "measure": first["measure"], "status": first["status"],
                "value": first["value"], "unit": first["unit"], "value_text": first["value_text"],
                "approx": cluster_approx,
                "n_sources": len(cluster), "sources": "; ".join(source_of(r) for r in cluster),
                "file": first["file"], "value_start": first["value_start"], "value_end": first["value_end"],
                "confidence": max(r["confidence"] for r in cluster), "conflict": conflict, "flags": "",
                "sentence": first["sentence"],
            })
    frame = pd.DataFrame(out, columns=list(PANEL_COLUMNS))
    frame["conflict"] = frame["conflict"].astype(bool)
    frame["n_sources"] = frame["n_sources"].astype("int64")
    marks: dict[int, list[str]] = {}
    for number, flag in enumerate(check(frame), 1):
        for row in flag.rows:
            marks.setdefault(row, []).append(f"{flag.kind}#{number}")
    frame["flags"] = [";".join(marks.get(i, [])) for i in range(len(frame))]
    return frame


def panel(paths: str | Path | Sequence[str | Path], *, model: str | None = None, linker: str = "auto",
          town: str | None = None, published: str | None = None, default_period: str | None = None,
          reference_month: str | None = None, workers: int = 1, engine: str = "local",
          address: str | None = None, show_progress: bool = True):
    """The long panel of report files or folders (``*.txt``, searched recursively); see :func:`merge_rows`.

    Files that cannot be read are logged (one warning each) and left out; use :func:`collect_rows`
    to get their reasons. ``workers``/``engine``/``address`` as in :func:`govie.parallel.extract_files`.
    """
    rows, errors = collect_rows(paths, ExtractOptions(model=model, linker=linker, town=town, published=published,
                                                      default_period=default_period,
                                                      reference_month=reference_month),
                                workers=workers, engine=engine, address=address, show_progress=show_progress)
    for path, reason in errors:
        logger.warning("%s", reason)
    return merge_rows(rows)


def collect_rows(paths: str | Path | Sequence[str | Path], options: ExtractOptions = ExtractOptions(), *,
                 workers: int = 1, engine: str = "local", address: str | None = None,
                 show_progress: bool = True) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Tuple rows of every readable file and ``(path, reason)`` of every other one."""
    from govie.textio import expand_paths

    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = expand_paths(paths)
    errors = [(str(p), f"{p}: no .txt files in this folder") for p in map(Path, paths)
              if p.is_dir() and not expand_paths([p])]
    rows: list[dict[str, Any]] = []
    for result in extract_files(files, options, workers=workers, engine=engine, address=address,
                                transform=tuple_rows, show_progress=show_progress):
        if result.error is not None:
            errors.append((result.path, result.error))
        else:
            rows.extend(result.result)
    return rows, errors


def wide(long, *, status: str = "actual", coded_only: bool = True):
    """The pivot town × period × indicator of a long panel: one column per (indicator, measure, unit).

    Columns are named ``CODE [unit]`` for levels and ``CODE change [unit]`` for changes (the
    indicator text where ``coded_only=False`` lets uncoded rows in). A cell whose figures conflict is
    left empty, with a warning naming it: the long table keeps both figures.
    """
    pd = _pandas()

    rows = long[long["status"] == status]
    if coded_only:
        rows = rows[rows["indicator_code"].notna()]
    if rows.empty:
        return pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=["town", "period"]))
    label = rows["indicator_code"].fillna(rows["indicator"])
    column = label + rows["measure"].map(lambda m: "" if m == "level" else f" {m}") \
        + rows["unit"].map(lambda u: f" [{u}]" if isinstance(u, str) else "")
    frame = rows.assign(column=column, town=rows["town"].fillna(""))
    counts = frame.groupby(["town", "period", "column"])["value"].nunique()
    conflicts = counts[counts > 1]
    if len(conflicts):
        cells = ", ".join(" ".join(map(str, cell)) for cell in conflicts.index)
        logger.warning("wide: %d cell(s) left empty, their figures conflict (the long table keeps them): %s",
                       len(conflicts), cells)
    table = frame.pivot_table(index=["town", "period"], columns="column", values="value", aggfunc="first")
    for town, period, name in conflicts.index:
        table.loc[(town, period), name] = float("nan")
    table.columns.name = None
    return table


def _pandas():
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("the panel needs pandas: pip install 'govie[pandas]'") from None
    return pandas
