"""``govie extract PATH...``: indicator tuples from report text files.

Formats: ``table`` (default, aligned for a terminal, CJK-width aware), ``csv`` (with a header),
``jsonl`` (one tuple per line) and ``doc`` (one §5 document per line, id = file stem). Unreadable
files get a one-line reason on stderr and a non-zero exit; the others are still processed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import re
import sys
import unicodedata
from pathlib import Path
from typing import TextIO

logger = logging.getLogger(__name__)

FORMATS = ("table", "csv", "jsonl", "doc")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: columns of the table/csv/jsonl outputs (ExtractedTuple fields, file first)
COLUMNS = ("file", "indicator", "value", "unit", "period", "town", "measure", "status", "approx",
           "value_text", "value_start", "value_end", "indicator_start", "indicator_end", "unit_start",
           "unit_end", "period_start", "period_end", "sentence_start", "confidence", "sentence")
TABLE_COLUMNS = ("file", "indicator", "value", "unit", "period", "town", "measure", "status", "approx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="report .txt files or folders (searched recursively)")
    parser.add_argument("--town", help="the reporting town's full name (inferred from the text if not given)")
    parser.add_argument("--published", help="publication date YYYY-MM-DD (inferred if not given)")
    parser.add_argument("--default-period", help="the period the report is about, e.g. 2024-H1 (inferred if not given)")
    parser.add_argument("--reference-month", help="YYYY-MM the report was delivered (inferred if not given)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("-o", "--output", metavar="OUT", help="write here instead of standard output")
    parser.add_argument("--model", metavar="PATH", help="a tagger folder, or 'rules' (default: the shipped model)")
    parser.add_argument("--linker", default="auto", help="auto, heuristic, learned, or a linker folder")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from govie.textio import TextFileError, expand_paths, read_text

    if args.published and not _DATE.match(args.published):
        print(f"govie extract: --published {args.published!r} is not YYYY-MM-DD", file=sys.stderr)
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
    if files:
        try:
            pipeline = _load(args)
        except (OSError, ValueError) as err:
            print(f"govie extract: {err}", file=sys.stderr)
            return 2
        results = pipeline.pipe([f.text for f in files], town=args.town, published=args.published,
                                default_period=args.default_period, reference_month=args.reference_month,
                                doc_ids=[f.path.stem for f in files], show_progress=not args.no_progress)
        out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
        try:
            write_results(out, args.format, files, results)
        finally:
            if args.output:
                out.close()
    return 1 if failures else 0


def _load(args: argparse.Namespace):
    from govie.pipeline import load

    return load(args.model, linker=args.linker)


def write_results(out: TextIO, fmt: str, files, results) -> None:
    """Write every result in ``fmt``; rows are streamed except for ``table``, which aligns columns."""
    rows: list[dict] = []
    writer = None
    for loaded, result in zip(files, results):
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
