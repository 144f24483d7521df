"""``govie corpus stats|validate|convert``: inspect, check and convert annotated corpora.

Exit status: 0 fine, 1 the corpus has problems (one line each, with file and line), 2 a file cannot
be read as the format asked for (one line naming the file, line and what was expected).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from govie.document import FormatError

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "doccano", "label-studio", "conll")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="corpus_command", required=True, metavar="ACTION")
    stats = sub.add_parser("stats", help="documents, characters, spans by label, tuples by field value")
    stats.add_argument("path", help="a .json document, a .jsonl corpus, a folder of them, or a tool export")
    stats.add_argument("--from", dest="source_format", choices=FORMATS, default="jsonl", help="input format")
    stats.add_argument("--json", action="store_true", help="print the statistics as JSON")
    stats.add_argument("--catalogue", help="documents.tsv giving each document's split, province, level and genre "
                                           "(default: documents.tsv in or beside PATH, if there)")
    validate = sub.add_parser("validate", help="check documents against the guidelines (exit 1 on problems)")
    validate.add_argument("paths", nargs="+", help=".json documents, .jsonl corpora or folders")
    convert = sub.add_parser("convert", help="convert between govie JSONL, doccano, Label Studio and CoNLL")
    convert.add_argument("input", help="input file (or folder for jsonl)")
    convert.add_argument("output", help="output file; for --to jsonl a path without suffix is a folder of .json files")
    convert.add_argument("--from", dest="source_format", choices=FORMATS, default="jsonl", help="input format")
    convert.add_argument("--to", dest="target_format", choices=FORMATS, default="jsonl", help="output format")


def run(args: argparse.Namespace) -> int:
    action = {"stats": _stats, "validate": _validate, "convert": _convert}[args.corpus_command]
    try:
        return action(args)
    except FormatError as err:
        for line in str(err).splitlines():
            print(f"govie corpus {args.corpus_command}: {line}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as err:
        print(f"govie corpus {args.corpus_command}: {err}", file=sys.stderr)
        return 2


def read_any(path: str | Path, fmt: str):
    """An :class:`govie.corpus.ImportResult` for a file of any supported format."""
    if fmt == "jsonl":
        from govie.corpus import read_corpus
        return read_corpus(path)
    if fmt == "doccano":
        from govie.doccano import read_doccano
        return read_doccano(path)
    if fmt == "label-studio":
        from govie.label_studio import read_label_studio
        return read_label_studio(path)
    from govie.conll import read_conll
    return read_conll(path)


def write_any(documents, path: str | Path, fmt: str) -> int:
    path = Path(path)
    if fmt == "doccano":
        from govie.doccano import write_doccano
        return write_doccano(documents, path)
    if fmt == "label-studio":
        from govie.label_studio import write_label_studio
        return write_label_studio(documents, path)
    if fmt == "conll":
        from govie.conll import write_conll
        return write_conll(documents, path)
    from govie.document import write_json, write_jsonl

    if path.suffix == ".json":
        if len(documents) != 1:
            raise ValueError(f"{path}: a .json file holds one document, got {len(documents)}; use .jsonl or a folder")
        write_json(documents[0], path)
        return 1
    if path.suffix == "":
        path.mkdir(parents=True, exist_ok=True)
        for doc in documents:
            write_json(doc, path / f"{doc.id}.json")
        return len(documents)
    return write_jsonl(documents, path)


def _report_import(result) -> None:
    for warning in result.warnings:
        print(f"govie: warning: {warning}", file=sys.stderr)
    for doc_id, fields in result.recomputed.items():
        print(f"govie: [{doc_id}] recomputed: {', '.join(fields)}", file=sys.stderr)


def _stats(args: argparse.Namespace) -> int:
    from govie.corpus import corpus_stats, find_catalogue, read_catalogue

    result = read_any(args.path, args.source_format)
    _report_import(result)
    catalogue_path = Path(args.catalogue) if args.catalogue else find_catalogue(args.path)
    catalogue = read_catalogue(catalogue_path) if catalogue_path is not None else None
    stats = corpus_stats(result.documents, catalogue)
    if args.json:
        print(json.dumps(stats.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(f"{stats.documents} documents, {stats.characters:,} characters, "
              f"{sum(stats.spans.values())} spans, {stats.tuples} tuples\n")
        print(stats.format_table())
    return 0


def _validate(args: argparse.Namespace) -> int:
    from govie.validation import iter_documents, validate_path

    problems, skipped = [], []
    documents = 0
    for path in args.paths:
        documents += sum(1 for _, data, error in iter_documents(path, []) if error is None)
        problems += validate_path(path, skipped=skipped)
    for warning in skipped:
        print(f"govie: warning: {warning}", file=sys.stderr)
    for problem in problems:
        print(problem)
    print(f"govie corpus validate: {documents} documents, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


def _convert(args: argparse.Namespace) -> int:
    result = read_any(args.input, args.source_format)
    _report_import(result)
    count = write_any(result.documents, args.output, args.target_format)
    print(f"govie corpus convert: wrote {count} documents to {args.output} ({args.target_format})", file=sys.stderr)
    return 0
