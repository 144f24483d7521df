"""govie: indicator tuples from Chinese local-government reports.

>>> import govie
>>> nlp = govie.load()                      # the shipped default model, no network
>>> result = nlp("上半年,实现财政总收入17.03亿元,同比增长42.87%", town="瓜沥镇", default_period="2023-H1")
>>> [(t.indicator, t.value, t.unit, t.period, t.measure) for t in result.tuples]  # doctest: +SKIP

The public names are imported lazily so that ``import govie`` does not load torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load": "govie.pipeline",
    "Pipeline": "govie.pipeline",
    "Extraction": "govie.pipeline",
    "ExtractedTuple": "govie.pipeline",
    "evaluate": "govie.evaluate",
    "EvaluationReport": "govie.evaluate",
    "Document": "govie.document",
    "Meta": "govie.document",
    "Span": "govie.document",
    "IndicatorTuple": "govie.document",
    "FormatError": "govie.document",
    "read_documents": "govie.document",
    "write_jsonl": "govie.document",
    "validate_document": "govie.validation",
    "load_corpus": "govie.corpus",
    "corpus_stats": "govie.corpus",
    "panel": "govie.panels",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from govie.corpus import corpus_stats, load_corpus
    from govie.document import Document, FormatError, IndicatorTuple, Meta, Span, read_documents, write_jsonl
    from govie.evaluate import EvaluationReport, evaluate
    from govie.panels import panel
    from govie.pipeline import ExtractedTuple, Extraction, Pipeline, load
    from govie.validation import validate_document


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'govie' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
