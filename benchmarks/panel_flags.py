"""Consistency flags on the gold corpus: how many fire, and how many point at a real problem.

    python benchmarks/panel_flags.py                # gold tuples, and the shipped model on the gold texts
    python benchmarks/panel_flags.py --update       # add new flags to the checked list, verdict empty

Two panels of the 11 gold documents (corpora/gold): one from their annotated tuples (codes assigned
as the pipeline assigns them), one from the shipped model's tuples on their raw texts (metadata
inferred, as ``govie panel corpora/raw`` runs). ``panel_flags_check.tsv`` beside this script holds a
verdict for each flag, written by a person who read both sources: ``true`` when the two figures
cannot both be right as the panel reads them (an extraction or annotation error, or a real
contradiction or unit clash in the reports), ``false`` when they can.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

CHECK_FILE = Path(__file__).resolve().parent / "panel_flags_check.tsv"
FIELDS = ("panel", "kind", "source_a", "source_b", "message", "verdict", "note")


def gold_panel(gold: Path):
    from govie.document import read_documents
    from govie.panels import merge_rows, rows_of
    from govie.pipeline import _extracted  # the pipeline's own conversion: gold rows are built like predicted ones

    rows = []
    for doc in read_documents(gold):
        rows += rows_of(f"{doc.id}.txt", _extracted(doc, doc.tuples))
    return merge_rows(rows)


def model_panel(gold: Path):
    from govie.panels import panel

    files = [ROOT / "corpora" / "raw" / f"{p.stem}.txt" for p in sorted(gold.glob("*.json"))]
    long = panel(files, show_progress=False)
    long["sources"] = long["sources"].str.replace(str(ROOT / "corpora" / "raw") + "/", "", regex=False)
    return long


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", default=str(ROOT / "corpora" / "gold"))
    parser.add_argument("--update", action="store_true")
    args = parser.parse_args()

    from govie.consistency import check, examined, summary

    found = []
    for name, build in (("gold", gold_panel), ("model", model_panel)):
        long = build(Path(args.gold))
        flags = check(long)
        print(f"{name}: {len(long)} rows, {int(long['indicator_code'].notna().sum())} coded; flags {summary(flags)}; "
              f"comparisons {examined(long)}")
        found += [{"panel": name, "kind": f.kind, "source_a": f.sources[0], "source_b": f.sources[1],
                   "message": f.message, "verdict": "", "note": ""} for f in flags]
    checked = {}
    if CHECK_FILE.exists():
        with open(CHECK_FILE, encoding="utf-8", newline="") as f:
            checked = {(r["panel"], r["kind"], r["source_a"], r["source_b"]): r
                       for r in csv.DictReader(f, delimiter="\t")}
    for row in found:
        old = checked.get((row["panel"], row["kind"], row["source_a"], row["source_b"]))
        if old is not None:
            row["verdict"], row["note"] = old["verdict"], old["note"]
    if args.update:
        with open(CHECK_FILE, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=FIELDS, delimiter="\t", lineterminator="\n")
            writer.writeheader()
            writer.writerows(found)
    for name in ("gold", "model"):
        rows = [r for r in found if r["panel"] == name]
        true = sum(r["verdict"] == "true" for r in rows)
        false = sum(r["verdict"] == "false" for r in rows)
        print(f"{name}: {len(rows)} flags, {true} true, {false} false, {len(rows) - true - false} unchecked")
        for kind in sorted({r["kind"] for r in rows}):
            of_kind = [r for r in rows if r["kind"] == kind]
            print(f"  {kind}: {len(of_kind)} fired, {sum(r['verdict'] == 'true' for r in of_kind)} true")
    return 1 if any(not r["verdict"] for r in found) else 0


if __name__ == "__main__":
    sys.exit(main())
