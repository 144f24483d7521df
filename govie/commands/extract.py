"""``govie extract PATH...``: indicator tuples from report text files.

Formats: ``table`` (default, aligned for a terminal, CJK-width aware), ``csv`` (with a header),
``jsonl`` (one tuple per line) and ``doc`` (one §5 document per line, id = file stem). Every
readable file gives one document in ``doc``, an empty one too, so that inputs and outputs can be
counted; the other formats have no row for a file without tuples, so stderr names those files.
Unreadable files get a one-line reason on stderr and a non-zero exit; the others are still processed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
import unicodedata
from pathlib import Path
from typing import TextIO

from govie.commands.options import (add_pipeline_arguments, add_workers_arguments, check_arguments, extract_options,
                                    in_workers)

logger = logging.getLogger(__name__)

FORMATS = ("table", "csv", "jsonl", "doc")
#: columns of the table/csv/jsonl outputs (ExtractedTuple fields, file first)
COLUMNS = ("file", "indicator", "value", "unit", "period", "town", "measure", "status", "approx", "indicator_code",
           "value_text", "value_start", "value_end", "indicator_start", "indicator_end", "unit_start",
           "unit_end", "period_start", "period_end", "sentence_start", "confidence", "sentence")
TABLE_COLUMNS = ("file", "indicator", "value", "unit", "period", "town", "measure", "status", "approx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="report .txt files or folders (searched recursively)")
    add_pipeline_arguments(parser)
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("-o", "--output", metavar="OUT", help="write here instead of standard output")
    add_workers_arguments(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from govie.textio import TextFileError, expand_paths, read_text

    problem = check_arguments(args)
    if problem:
        print(f"govie extract: {problem}", file=sys.stderr)
        return 2
    failures = 0
    files = []
    for raw in args.paths:
        if Path(raw).is_dir() and not expand_paths([raw]):
            print(f"govie extract: {raw}: no .txt files in this folder", file=sys.stderr)
            failures += 1
    for path in expand_paths(args.paths):
        try:
            loaded = read_text(path)
        except TextFileError as err:
            print(f"govie extract: {err}", file=sys.stderr)
            failures += 1
            continue
        if loaded.encoding not in ("utf-8", "utf-8-sig"):
            print(f"govie extract: {path}: decoded as {loaded.encoding}", file=sys.stderr)
        files.append(loaded)
    results = []
    if files:
        try:
            results = _in_workers(args, files) if in_workers(args) else _pipe(args, files)
        except (OSError, ValueError, ImportError) as err:
            print(f"govie extract: {err}", file=sys.stderr)
            return 2
    # written even when no input was readable, so that -o never leaves the output of an earlier run
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        without = write_results(out, args.format, files, results)
    finally:
        if args.output:
            out.close()
    if without and args.format != "doc":
        print(f"govie extract: no tuples from {len(without)} of {len(files)} file(s): "
              + ", ".join(f"{f.path}{'' if f.text.strip() else ' (empty)'}" for f in without), file=sys.stderr)
    return 1 if failures else 0


def _load(args: argparse.Namespace):
    from govie.pipeline import load

    return load(args.model, linker=args.linker)


def _pipe(args: argparse.Namespace, files):
    """The extractions of ``files`` from one pipeline in this process (streamed, in order)."""
    return _load(args).pipe([f.text for f in files], town=args.town, published=args.published,
                            default_period=args.default_period, reference_month=args.reference_month,
                            doc_ids=[f.path.stem for f in files], show_progress=not args.no_progress)


def _in_workers(args: argparse.Namespace, files) -> list:
    """The extractions of ``files`` (in order) from worker processes or a Dask cluster (:mod:`govie.parallel`)."""
    from govie.parallel import extract_files

    done = extract_files([f.path for f in files], extract_options(args), workers=args.workers, engine=args.engine,
                         address=args.address, show_progress=not args.no_progress)
    for result in done:
        if result.error is not None:
            raise OSError(result.error)
    return [result.result for result in done]


def write_results(out: TextIO, fmt: str, files, results) -> list:
    """Write every result in ``fmt`` and return the files that gave no tuple; rows are streamed
    except for ``table``, which aligns columns."""
    rows: list[dict] = []
    writer = None
    without = []
    for loaded, result in zip(files, results):
        if not result.tuples:
            without.append(loaded)
        if fmt == "doc":
            doc = result.to_document(loaded.path.stem, loaded.path.name)
            out.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
            continue
        for t in result.tuples:
            row = {"file": loaded.path.name, **t.to_dict()}
            if fmt == "jsonl":
                out.write(json.dumps({k: row[k] for k in COLUMNS}, ensure_ascii=False) + "\n")
            elif fmt == "csv":
                if writer is None:
                    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
                    writer.writeheader()
                writer.writerow(row)
            else:
                rows.append(row)
    if fmt == "csv" and writer is None:
        csv.DictWriter(out, fieldnames=COLUMNS).writeheader()
    if fmt == "table":
        out.write(format_table(rows))
    return without


def display_width(text: str) -> int:
    """Terminal columns: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else f"{value:.0f}"
    return str(value).replace("\n", " ")


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def format_table(rows: list[dict], columns: tuple[str, ...] = TABLE_COLUMNS, *, max_width: int = 30) -> str:
    """Aligned plain-text table; long cells are cut at ``max_width`` columns with an ellipsis."""
    if not rows:
        return "(no tuples)\n"
    cells = [[_clip(_cell(row.get(c)), max_width) for c in columns] for row in rows]
    widths = [max(display_width(c), *(display_width(r[i]) for r in cells)) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), (int, float)) for row in rows) for c in columns]
    buf = io.StringIO()
    buf.write("  ".join(_pad(c, w, num) for c, w, num in zip(columns, widths, numeric)).rstrip() + "\n")
    buf.write("  ".join("-" * w for w in widths) + "\n")
    for r in cells:
        buf.write("  ".join(_pad(v, w, num) for v, w, num in zip(r, widths, numeric)).rstrip() + "\n")
    buf.write(f"{len(rows)} tuple(s)\n")
    return buf.getvalue()


def _clip(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"
