"""The ``govie`` command: subcommands live in :mod:`govie.commands`, one module each.

Each command module exposes ``add_arguments(parser)`` and ``run(args) -> int`` and is imported
only when its subcommand runs, so ``govie --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

_COMMANDS = {
    "extract": ("govie.commands.extract", "extract indicator tuples from report text files"),
    "panel": ("govie.commands.panel", "one table town × period × indicator from report files, merged and checked"),
    "evaluate": ("govie.commands.evaluate", "score predicted documents against gold ones (§6)"),
    "corpus": ("govie.commands.corpus", "inspect annotated corpora (stats, validate, convert)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govie", description="Indicator tuples from Chinese local-government reports.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in _COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(_module=module_name)
        importlib.import_module(module_name).add_arguments(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="govie: %(message)s")
    try:
        return importlib.import_module(args._module).run(args)
    except KeyboardInterrupt:
        print("govie: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
