"""Shared fixtures: the project's own gold corpus (corpora/gold) and the shared checker, if present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "corpora" / "gold"
RAW_DIR = ROOT / "corpora" / "raw"
SHARED_VALIDATOR = ROOT.parent / "shared" / "annotation" / "validate.py"


@pytest.fixture(scope="session")
def gold_documents():
    from govie.document import read_documents

    return [doc for path in sorted(GOLD_DIR.glob("*.json")) for doc in read_documents(path)]
