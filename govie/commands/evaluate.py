"""``govie evaluate GOLD PRED``: the §6 scores as a table (default) or JSON.

Exit status: 0 scored, 2 when an input cannot be read or breaks the guidelines (one line per
problem on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("gold", help="gold documents: a §5 .json file, a .jsonl corpus or a folder")
    parser.add_argument("pred", help="predicted documents, same forms; paired with gold by id")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--errors", type=int, default=0, metavar="N",
                        help="list the first N missed/spurious tuples with their sentences (default 0; "
                             "with --json all errors are included unless N > 0)")
    parser.add_argument("--no-validate", action="store_true",
                        help="skip the guideline checks (e.g. span-only predictions without tuples)")


def run(args: argparse.Namespace) -> int:
    from govie.document import FormatError
    from govie.evaluate import EvaluationError, evaluate

    try:
        report = evaluate(args.gold, args.pred, validate=not args.no_validate)
    except EvaluationError as err:
        for problem in err.problems:
            print(f"govie evaluate: {problem}", file=sys.stderr)
        print(f"govie evaluate: {len(err.problems)} problems; nothing scored", file=sys.stderr)
        return 2
    except (FormatError, OSError) as err:
        print(f"govie evaluate: {err}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(report.to_dict(errors=args.errors or None), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(report.format_table(errors=args.errors) + "\n")
    return 0
