"""Shared fixtures: the project's own gold corpus (corpora/gold) and the shared checker, if present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "corpora" / "gold"
RAW_DIR = ROOT / "corpora" / "raw"
SHARED_VALIDATOR = ROOT.parent / "shared" / "annotation" / "validate.py"


def _raw_gold_counts() -> dict[str, int]:
    """Documents, characters, spans and tuples of corpora/gold read with the json module alone, so that
    tests of govie's readers and statistics compare with counts made without them."""
    import json

    counts = {"documents": 0, "characters": 0, "spans": 0, "tuples": 0}
    for path in GOLD_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        counts["documents"] += 1
        counts["characters"] += len(data["text"])
        counts["spans"] += len(data["spans"])
        counts["tuples"] += len(data["tuples"])
    return counts


GOLD_COUNTS = _raw_gold_counts()


@pytest.fixture(scope="session")
def gold_documents():
    from govie.document import read_documents

    return [doc for path in sorted(GOLD_DIR.glob("*.json")) for doc in read_documents(path)]
