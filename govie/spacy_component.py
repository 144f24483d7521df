"""The ``govie`` spaCy component: govie's spans and tuples on a spaCy ``Doc``.

>>> from govie.segmenter import make_nlp            # doctest: +SKIP
>>> nlp = make_nlp("pkuseg")                          # doctest: +SKIP
>>> nlp.add_pipe("govie", config={"town": "瓜沥镇", "default_period": "2023-H1"})  # doctest: +SKIP
>>> doc = nlp("上半年,实现财政总收入17.03亿元,同比增长42.87%")   # doctest: +SKIP
>>> [(s.label_, s.text) for s in doc.spans["govie"]], doc._.govie_tuples  # doctest: +SKIP

The component sets ``doc.spans[spans_key]`` (all spans, character offsets exact), ``doc.ents`` (the
spans that do not clash with entities already set) and ``doc._.govie_tuples`` (a list of
:class:`govie.pipeline.ExtractedTuple`). A word segmenter may glue a number to its unit
(``17.03亿元`` as one token); the component then splits such tokens at the span boundaries
(``doc.retokenize``) so that every span is a token span. It does so in ``set_annotations`` rather
than in a tokenizer wrapper so that ``nlp.pipe`` still batches the model.

Per-document metadata: set ``doc._.govie_meta = {"town": ..., "default_period": ...}`` before the
component runs (e.g. on ``nlp.make_doc(text)``); it overrides the component's configured defaults.
The extension values are Python objects: save docs with ``DocBin(store_user_data=False)``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span as SpacySpan

logger = logging.getLogger(__name__)

META_FIELDS: tuple[str, ...] = ("town", "published", "default_period", "reference_month")
_CONFIG_FIELDS: tuple[str, ...] = ("model", "linker", "batch_size", "spans_key", "set_ents", "split_tokens",
                                   *META_FIELDS)


def install_extensions() -> None:
    """Register ``doc._.govie_tuples`` and ``doc._.govie_meta``; safe to call any number of times."""
    if not Doc.has_extension("govie_tuples"):
        Doc.set_extension("govie_tuples", default=None)
    if not Doc.has_extension("govie_meta"):
        Doc.set_extension("govie_meta", default=None)


class GovieComponent:
    """Runs a govie :class:`~govie.pipeline.Pipeline` on each doc's text (``predict``) and writes the
    result onto the doc (``set_annotations``).

    The govie pipeline is loaded on first use from ``model``/``linker`` (as :func:`govie.pipeline.load`
    takes them), or given directly as ``pipeline`` (anything with ``pipe(texts, **metadata)``).
    """

    def __init__(self, nlp: Language | None, name: str = "govie", *, model: str | None = None,
                 linker: str = "auto", batch_size: int = 8, spans_key: str = "govie", set_ents: bool = True,
                 split_tokens: bool = True, town: str | None = None, published: str | None = None,
                 default_period: str | None = None, reference_month: str | None = None,
                 pipeline: Any | None = None) -> None:
        install_extensions()
        self.name = name
        self.model = model
        self.linker = linker
        self.batch_size = batch_size
        self.spans_key = spans_key
        self.set_ents = set_ents
        self.split_tokens = split_tokens
        self.town, self.published = town, published
        self.default_period, self.reference_month = default_period, reference_month
        self._pipeline = pipeline

    @property
    def pipeline(self) -> Any:
        if self._pipeline is None:
            from govie.pipeline import load

            self._pipeline = load(self.model, linker=self.linker)
            logger.info("govie component %r: loaded %r", self.name, self._pipeline)
        return self._pipeline

    @pipeline.setter
    def pipeline(self, value: Any) -> None:
        self._pipeline = value

    # -- spaCy protocol -------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int | None = None) -> Iterator[Doc]:
        size = batch_size or self.batch_size
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= size:
                yield from self._process(batch)
                batch = []
        if batch:
            yield from self._process(batch)

    def _process(self, docs: list[Doc]) -> list[Doc]:
        self.set_annotations(docs, self.predict(docs))
        return docs

    def predict(self, docs: Sequence[Doc]) -> list[Any]:
        """One govie ``Extraction`` per doc, from the doc's text; the docs are not modified."""
        if not docs:
            return []
        metadata = {key: [self._meta(doc, key) for doc in docs] for key in META_FIELDS}
        return list(self.pipeline.pipe([doc.text for doc in docs], batch_size=self.batch_size,
                                       show_progress=False, **metadata))

    def set_annotations(self, docs: Sequence[Doc], extractions: Sequence[Any]) -> None:
        for doc, extraction in zip(docs, extractions):
            if extraction.text != doc.text:
                raise ValueError(f"{self.name}: extraction for another text ({len(extraction.text)} "
                                 f"characters) given for a doc of {len(doc.text)} characters")
            ranges = [(span.label, span.start, span.end) for span in extraction.spans]
            if self.split_tokens:
                split_at_offsets(doc, {o for _, start, end in ranges for o in (start, end)})
            spans, misaligned = [], []
            for label, start, end in ranges:
                span = doc.char_span(start, end, label=label)
                if span is None:
                    misaligned.append((label, start, end))
                else:
                    spans.append(span)
            if misaligned:
                logger.warning("%s: %d span(s) do not fall on token boundaries and are left out of doc.spans "
                               "(set split_tokens=True to keep them), e.g. %s", self.name, len(misaligned),
                               misaligned[0])
            doc.spans[self.spans_key] = spans
            if self.set_ents:
                _add_ents(doc, spans)
            doc._.govie_tuples = list(extraction.tuples)

    def _meta(self, doc: Doc, key: str) -> str | None:
        given = doc._.govie_meta or {}
        return given.get(key, getattr(self, key))

    # -- serialization --------------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", self._config())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "GovieComponent":
        file = Path(path) / "cfg"
        if not file.is_file():
            raise FileNotFoundError(f"{file}: the govie component's settings are missing")
        self._set_config(srsly.read_json(file), where=str(file))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.json_dumps(self._config()).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "GovieComponent":
        self._set_config(srsly.json_loads(data), where="<bytes>")
        return self

    def _config(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in _CONFIG_FIELDS}

    def _set_config(self, cfg: Any, *, where: str) -> None:
        if not isinstance(cfg, dict):
            raise ValueError(f"{where}: expected a JSON object of govie component settings")
        unknown = sorted(set(cfg) - set(_CONFIG_FIELDS))
        if unknown:
            raise ValueError(f"{where}: unknown govie component setting(s) {', '.join(unknown)}")
        changed = cfg.get("model", self.model) != self.model or cfg.get("linker", self.linker) != self.linker
        for key, value in cfg.items():
            setattr(self, key, value)
        if changed:
            self._pipeline = None


def split_at_offsets(doc: Doc, offsets: Iterable[int]) -> int:
    """Split every token that a character offset in ``offsets`` falls strictly inside; returns how many.

    Whitespace stays with the last piece, so ``doc.text`` is unchanged; the pieces of a split token get
    its head (first piece) or the first piece (others), so a parse stays a tree.
    """
    cuts = sorted(set(offsets))
    plans: list[tuple[int, list[str]]] = []
    for token in doc:
        start, end = token.idx, token.idx + len(token.text)
        inside = [c - start for c in cuts if start < c < end]
        if inside:
            bounds = [0, *inside, len(token.text)]
            plans.append((token.i, [token.text[a:b] for a, b in zip(bounds, bounds[1:])]))
    if not plans:
        return 0
    with doc.retokenize() as retokenizer:
        for i, orths in plans:
            token = doc[i]
            head = token.head if token.head.i != token.i else (token, 0)
            heads = [head] + [(token, 0)] * (len(orths) - 1)
            retokenizer.split(token, orths, heads=heads)
    return len(plans)


def _add_ents(doc: Doc, spans: list[SpacySpan]) -> None:
    """Add the spans as entities where they do not overlap an entity already there."""
    taken = [(ent.start, ent.end) for ent in doc.ents]
    new = [s for s in spans if not any(s.start < e and b < s.end for b, e in taken)]
    if len(new) < len(spans):
        logger.info("%d govie span(s) overlap existing entities; left out of doc.ents", len(spans) - len(new))
    doc.set_ents(new, default="unmodified")


@Language.factory(
    "govie",
    default_config={"model": None, "linker": "auto", "batch_size": 8, "spans_key": "govie", "set_ents": True,
                    "split_tokens": True, "town": None, "published": None, "default_period": None,
                    "reference_month": None},
    assigns=["doc.spans", "doc.ents", "doc._.govie_tuples"],
)
def make_govie_component(nlp: Language, name: str, model: str | None, linker: str, batch_size: int,
                         spans_key: str, set_ents: bool, split_tokens: bool, town: str | None,
                         published: str | None, default_period: str | None,
                         reference_month: str | None) -> GovieComponent:
    """spaCy factory for ``nlp.add_pipe("govie", config={...})`` (also the ``spacy_factories`` entry point)."""
    return GovieComponent(nlp, name, model=model, linker=linker, batch_size=batch_size, spans_key=spans_key,
                          set_ents=set_ents, split_tokens=split_tokens, town=town, published=published,
                          default_period=default_period, reference_month=reference_month)
