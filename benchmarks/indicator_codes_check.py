"""Precision and coverage of the indicator codes on the gold corpus, against a hand-checked sample.

    python benchmarks/indicator_codes_check.py                      # figures; fails on a stale or empty verdict
    python benchmarks/indicator_codes_check.py --sample 100 --seed 1 --split test   # draw rows to check
    python benchmarks/indicator_codes_check.py --dump before.tsv    # the codes of today, to compare with later
    python benchmarks/indicator_codes_check.py --sample 150 --seed 2 --new-since before.tsv   # only rows coded anew

Every gold tuple (corpora/gold, guidelines §5) gets its code as the pipeline gives it: the gold
spans go through the pipeline's own conversion, so :func:`govie.indicator_codes.assign_codes` sees
the document's tuples with their gold indicator text, unit, measure and sentence.
``indicator_codes_check.tsv`` beside this script is the checked sample: each row a coded tuple with
its context and a verdict written by a person who read it, ``correct`` (the figure is that
indicator, as the code list defines it) or ``incorrect``. ``--sample N`` adds N coded tuples drawn
at random (``--seed``) among those not in the list yet, with an empty verdict, to be filled by hand;
with ``--new-since`` (a file of ``--dump``), only among those whose code differs from the one there
(the rows that new codes or matching rules code), so that a change of the code list is checked on
what it changes.
A row whose tuple no longer gets the code it was checked with is stale and has to be checked again.
Precision = correct / checked, per split of ``corpora/splits.json`` and overall; coverage = coded /
all tuples, overall and on core tuples (unit 元 or %, or a change: guidelines §6).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

CHECK_FILE = Path(__file__).resolve().parent / "indicator_codes_check.tsv"
FIELDS = ("doc", "value_start", "indicator", "value_text", "unit", "measure", "code", "verdict", "note", "context")
DUMP_FIELDS = ("doc", "value_start", "code")


def coded_tuples(gold: Path) -> tuple[list[dict], int, int, int]:
    """A row for every coded gold tuple, and (tuples, core tuples, coded core tuples)."""
    from govie.document import read_documents
    from govie.pipeline import _extracted  # the pipeline's own conversion: gold tuples are coded like predicted ones

    rows, total, core, core_coded = [], 0, 0, 0
    for doc in read_documents(gold):
        for t in _extracted(doc, doc.tuples):
            total += 1
            is_core = t.unit in ("元", "%") or t.measure == "change"
            core += is_core
            core_coded += is_core and t.indicator_code is not None
            if t.indicator_code is None:
                continue
            context = doc.text[max(0, t.value_start - 40):t.value_start + 20].replace("\n", " ").replace("\t", " ")
            rows.append({"doc": doc.id, "value_start": str(t.value_start), "indicator": t.indicator.replace("\n", " "),
                         "value_text": t.value_text, "unit": t.unit or "", "measure": t.measure,
                         "code": t.indicator_code, "verdict": "", "note": "", "context": context})
    return rows, total, core, core_coded


def read_checks(path: Path = CHECK_FILE) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def split_of(corpora: Path) -> dict[str, str]:
    splits = json.loads((corpora / "splits.json").read_text(encoding="utf-8"))
    return {doc: name for name in ("train", "dev", "test") for doc in splits.get(name, [])}


def stale_rows(checks: list[dict], rows: list[dict]) -> list[dict]:
    """Checked rows whose tuple no longer gets the code they were checked with (or no code)."""
    current = {(r["doc"], r["value_start"]): r["code"] for r in rows}
    return [c for c in checks if current.get((c["doc"], c["value_start"])) != c["code"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", default=str(ROOT / "corpora" / "gold"))
    parser.add_argument("--sample", type=int, default=0, help="add N unchecked coded tuples, drawn at random")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", choices=("train", "dev", "test"), help="draw only from this split's documents")
    parser.add_argument("--dump", help="write doc, value_start and code of every coded tuple to this TSV")
    parser.add_argument("--new-since", help="draw only tuples whose code differs from the one in this --dump file")
    args = parser.parse_args()

    rows, total, core, core_coded = coded_tuples(Path(args.gold))
    if args.dump:
        with open(args.dump, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=DUMP_FIELDS, delimiter="\t", lineterminator="\n",
                                    extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    checks = read_checks()
    splits = split_of(Path(args.gold).parent)
    if args.sample:
        seen = {(c["doc"], c["value_start"]) for c in checks}
        before = {(r["doc"], r["value_start"]): r["code"] for r in read_checks(Path(args.new_since))} \
            if args.new_since else {}
        pool = [r for r in rows if (r["doc"], r["value_start"]) not in seen
                and (args.split is None or splits.get(r["doc"]) == args.split)
                and (not args.new_since or before.get((r["doc"], r["value_start"])) != r["code"])]
        checks += random.Random(args.seed).sample(pool, min(args.sample, len(pool)))
        with open(CHECK_FILE, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=FIELDS, delimiter="\t", lineterminator="\n")
            writer.writeheader()
            writer.writerows(checks)
    print(f"gold tuples: {len(rows)} of {total} coded (coverage {len(rows) / total:.3f}); "
          f"core tuples: {core_coded} of {core} ({core_coded / core:.3f})")
    stale = stale_rows(checks, rows)
    current = [c for c in checks if c not in stale]
    for name in ("train", "dev", "test", None):
        part = [c for c in current if name is None or splits.get(c["doc"]) == name]
        correct = sum(c["verdict"] == "correct" for c in part)
        checked = correct + sum(c["verdict"] == "incorrect" for c in part)
        print(f"{name or 'all'}: {checked} checked by hand, {correct} correct"
              + (f", precision {correct / checked:.3f}" if checked else ""))
    for c in current:
        if c["verdict"] == "incorrect":
            print(f"  incorrect: {c['doc']}@{c['value_start']} {c['indicator']} {c['value_text']}{c['unit']} -> "
                  f"{c['code']}: {c['note']}")
    empty = [c for c in current if c["verdict"] not in ("correct", "incorrect")]
    if stale or empty:
        print(f"{len(stale)} stale and {len(empty)} unchecked row(s) in {CHECK_FILE.name}: check them by hand")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
