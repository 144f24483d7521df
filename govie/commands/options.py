"""Arguments that ``extract`` and ``panel`` share: the pipeline, the metadata given for every file, the workers."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_pipeline_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--town", help="the reporting town's full name (inferred from the text if not given)")
    parser.add_argument("--published", help="publication date YYYY-MM-DD (inferred if not given)")
    parser.add_argument("--default-period", help="the period the report is about, e.g. 2024-H1 (inferred if not given)")
    parser.add_argument("--reference-month", help="YYYY-MM the report was delivered (inferred if not given)")
    parser.add_argument("--model", metavar="PATH", help="a tagger folder, or 'rules' (default: the shipped model)")
    parser.add_argument("--linker", default="auto", help="auto, heuristic, learned, or a linker folder")


def add_workers_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="worker processes, each loading the model once (default 1: this process)")
    parser.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="local processes (default) or a Dask cluster (pip install 'govie[dask]')")
    parser.add_argument("--address", metavar="URL",
                        help="with --engine dask: a running scheduler (default: a local cluster of --workers)")


def check_arguments(args: argparse.Namespace) -> str | None:
    """The first problem with the pipeline and worker arguments, or None (checked before any worker starts)."""
    if args.published and not _DATE.match(args.published):
        return f"--published {args.published!r} is not YYYY-MM-DD"
    if args.workers < 1:
        return f"--workers must be at least 1, got {args.workers}"
    if args.address and args.engine != "dask":
        return "--address needs --engine dask"
    if args.model not in (None, "default", "rules") and not (Path(args.model) / "config.json").exists():
        return f"{args.model}: not a govie model folder (no config.json)"
    return None


def in_workers(args: argparse.Namespace) -> bool:
    """Whether the files go to workers (:mod:`govie.parallel`) rather than through one pipeline here."""
    return args.workers > 1 or args.engine != "local"


def extract_options(args: argparse.Namespace):
    """The :class:`govie.parallel.ExtractOptions` of parsed arguments."""
    from govie.parallel import ExtractOptions

    return ExtractOptions(model=args.model, linker=args.linker, town=args.town, published=args.published,
                          default_period=args.default_period, reference_month=args.reference_month)
