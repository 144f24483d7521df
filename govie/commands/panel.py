"""``govie panel PATH... -o panel.csv``: one long table town × period × indicator, merged and checked.

The long table (:mod:`govie.panels`) goes to ``-o`` (``.csv`` or ``.parquet``), else to standard
output as CSV; ``--wide`` writes the pivot, ``--flags`` the consistency flags with both rows and their
sources. A summary (rows, merged figures, conflicts, flags by kind) goes to stderr. Unreadable files
get a one-line reason on stderr and a non-zero exit; the others are still processed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from govie.commands.options import add_pipeline_arguments, add_workers_arguments, check_arguments, extract_options

SUFFIXES = (".csv", ".parquet")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="report .txt files or folders (searched recursively)")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="the long table: .csv or .parquet (default: CSV on stdout)")
    parser.add_argument("--wide", metavar="OUT",
                        help="also write the pivot town × period × indicator (.csv or .parquet)")
    parser.add_argument("--status", default="actual", choices=("actual", "target", "forecast"),
                        help="the status of the figures in --wide (default: actual)")
    parser.add_argument("--flags", metavar="OUT", help="also write the consistency flags (.csv or .parquet)")
    add_pipeline_arguments(parser)
    add_workers_arguments(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from govie.consistency import check, flags_frame, summary
    from govie.panels import collect_rows, merge_rows, wide

    for name in ("output", "wide", "flags"):
        value = getattr(args, name)
        if value and Path(value).suffix not in SUFFIXES:
            print(f"govie panel: --{name} {value}: expected a .csv or .parquet file", file=sys.stderr)
            return 2
    problem = check_arguments(args)
    if problem:
        print(f"govie panel: {problem}", file=sys.stderr)
        return 2
    try:
        rows, errors = collect_rows(args.paths, extract_options(args), workers=args.workers, engine=args.engine,
                                    address=args.address, show_progress=not args.no_progress)
        long = merge_rows(rows)
    except (OSError, ValueError, ImportError) as err:
        print(f"govie panel: {err}", file=sys.stderr)
        return 2
    for _, reason in errors:
        print(f"govie panel: {reason}", file=sys.stderr)
    flags = check(long)
    if args.output:
        _write(long, args.output)
    else:
        long.to_csv(sys.stdout, index=False)
    if args.wide:
        _write(wide(long, status=args.status), args.wide, index=True)
    if args.flags:
        _write(flags_frame(flags, long), args.flags)
    counts = ", ".join(f"{kind} {n}" for kind, n in summary(flags).items())
    print(f"govie panel: {len(long)} row(s) from {len(rows)} tuple(s); {int((long['n_sources'] > 1).sum())} "
          f"figure(s) with several sources; {int(long['conflict'].sum())} conflicting row(s); "
          f"{int(long['indicator_code'].notna().sum())} coded; flags: {counts}", file=sys.stderr)
    return 1 if errors else 0


def _write(frame, path: str, *, index: bool = False) -> None:
    if Path(path).suffix == ".parquet":
        frame.to_parquet(path, index=index)
    else:
        frame.to_csv(path, index=index)
