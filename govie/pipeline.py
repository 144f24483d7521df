"""The public pipeline: text in, tagged spans and §3 tuples out, offsets into the original text.

>>> import govie
>>> nlp = govie.load()                                    # doctest: +SKIP
>>> result = nlp("上半年,实现财政总收入17.03亿元,同比增长42.87%", town="瓜沥镇", default_period="2023-H1")  # doctest: +SKIP
>>> result.tuples[0].indicator, result.tuples[0].value   # doctest: +SKIP
('财政总收入', 1703000000)

A pipeline is a tagger (the shipped neural model, else the rule tagger) plus a linker (the learned
relation layer if one is shipped, else the heuristic one). When the linker reads span
representations (a dense :class:`govie.relation_model.LearnedLinker`) and the tagger is the neural
one it was trained with, the tagger's one forward pass gives both the tags and the per-character
hidden states the linker reads; otherwise the linker scores with its sparse part only. Metadata
the caller does not give is inferred from the text (:mod:`govie.metadata`) and the result says what was inferred and how.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol, Sequence

from govie.document import Document, IndicatorTuple, Meta, Span
from govie.labels import LabeledRange

logger = logging.getLogger(__name__)

PACKAGE_MODELS = Path(__file__).resolve().parent / "models"
#: suffixes stripped from a town's full name to get the short form used in running text
_TOWN_SUFFIX = re.compile(r"(?:自治(?:州|县|旗)|街道|新区|镇|乡|县|区|市|盟|州|旗)$")
#: ethnic names of more than one character, stripped before ``自治州`` (``黔南布依族苗族自治州``)
_LONG_ETHNIC = ("柯尔克孜", "达斡尔", "鄂温克", "维吾尔", "哈萨克", "布依", "土家", "哈尼", "傈僳", "仡佬", "毛南",
                "纳西", "拉祜", "蒙古", "朝鲜", "景颇", "普米", "撒拉", "仫佬", "锡伯", "鄂伦春")


class _Tagger(Protocol):
    def predict_batch(self, texts: Sequence[str], *, towns: Sequence[str | None] | None = None,
                      show_progress: bool = False) -> list[list[LabeledRange]]: ...


class _Linker(Protocol):
    name: str

    def link(self, doc: Document) -> list[IndicatorTuple]: ...


@dataclass
class ExtractedTuple:
    """One tuple as strings and numbers, with the offsets of its parts in the original text."""

    indicator: str
    value: int | float
    unit: str | None
    period: str | None
    town: str | None
    measure: str
    status: str
    approx: str | None
    value_text: str
    value_start: int
    value_end: int
    indicator_start: int
    indicator_end: int
    unit_start: int | None
    unit_end: int | None
    period_start: int | None
    period_end: int | None
    sentence: str
    sentence_start: int
    confidence: float
    #: the canonical code of the indicator (:mod:`govie.indicator_codes`), None when none fits
    indicator_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Extraction:
    """The result for one text: spans, tuples and the metadata actually used."""

    text: str
    meta: Meta
    metadata_sources: dict[str, Any]
    spans: list[Span]
    tuples: list[ExtractedTuple]
    doc_id: str = "document"
    linked: list[IndicatorTuple] = field(default_factory=list, repr=False)

    def to_document(self, doc_id: str | None = None, source: str | None = None) -> Document:
        """The §5 document; VAL spans that no tuple uses are dropped (and logged) so that it validates."""
        used = {t.value for t in self.linked}
        spans = [s for s in self.spans if s.label != "VAL" or s.id in used]
        dropped = len(self.spans) - len(spans)
        if dropped:
            logger.info("%s: %d value span(s) without a tuple left out of the document", doc_id or self.doc_id, dropped)
        return Document(id=doc_id or self.doc_id, text=self.text, meta=self.meta, spans=spans,
                        tuples=list(self.linked), source=source)

    def to_dict(self, doc_id: str | None = None, source: str | None = None) -> dict[str, Any]:
        """The §5 JSON object (see :meth:`to_document`)."""
        return self.to_document(doc_id, source).to_dict()

    def to_frame(self):
        """The tuples as a pandas DataFrame, one row per tuple (needs the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("Extraction.to_frame() needs pandas: pip install 'govie[pandas]'") from None
        columns = list(ExtractedTuple.__dataclass_fields__)
        return pd.DataFrame([t.to_dict() for t in self.tuples], columns=columns)


class Pipeline:
    """Tagger + linker + metadata inference; call it on a text, or :meth:`pipe` many texts."""

    def __init__(self, tagger: _Tagger, linker: _Linker, *, name: str = "govie", clean: bool = True) -> None:
        self.tagger = tagger
        self.linker = linker
        self.name = name
        self.clean = clean
        check = getattr(linker, "check_encoder", None)
        #: whether the tagger hands the linker its hidden states (checked once: same encoder, see check_encoder)
        self.pass_hidden = bool(check(tagger)) if check is not None else False

    def __repr__(self) -> str:
        return f"Pipeline(tagger={type(self.tagger).__name__}, linker={getattr(self.linker, 'name', type(self.linker).__name__)})"

    def __call__(self, text: str, *, town: str | None = None, published: str | None = None,
                 default_period: str | None = None, reference_month: str | None = None,
                 doc_id: str | None = None) -> Extraction:
        return next(iter(self.pipe([text], town=town, published=published, default_period=default_period,
                                   reference_month=reference_month, doc_ids=[doc_id] if doc_id else None,
                                   show_progress=False)))

    def pipe(self, texts: Iterable[str], *, town: str | Sequence[str | None] | None = None,
             published: str | Sequence[str | None] | None = None,
             default_period: str | Sequence[str | None] | None = None,
             reference_month: str | Sequence[str | None] | None = None,
             doc_ids: Sequence[str] | None = None, batch_size: int = 8,
             show_progress: bool = True) -> Iterator[Extraction]:
        """Process many texts; each metadata argument is one value for all texts or one per text."""
        texts = list(texts)
        n = len(texts)
        columns = {name: _per_text(value, n, name) for name, value in
                   (("town", town), ("published", published), ("default_period", default_period),
                    ("reference_month", reference_month))}
        ids = list(doc_ids) if doc_ids is not None else [f"document-{i}" for i in range(n)]
        if len(ids) != n:
            raise ValueError(f"doc_ids has {len(ids)} entries for {n} texts")
        progress = _progress(n, show_progress)
        for lo in range(0, n, batch_size):
            batch = range(lo, min(lo + batch_size, n))
            metas = [self._metadata(texts[i], ids[i], **{k: v[i] for k, v in columns.items()}) for i in batch]
            tags, states = self._tag([texts[i] for i in batch], [m[0].town for m in metas])
            states = states if states is not None else [None] * len(tags)
            for i, (meta, sources), ranges, hidden in zip(batch, metas, tags, states):
                yield self._extract(texts[i], meta, sources, ranges, ids[i], hidden)
                if progress is not None:
                    progress.update(1)
        if progress is not None:
            progress.close()

    def _tag(self, texts: list[str], towns: list[str | None]):
        """Tag the texts (and get hidden states when the linker reads them); see :func:`tag_texts`."""
        return tag_texts(self.tagger, texts, towns, clean=self.clean, hidden=self.pass_hidden)

    def _metadata(self, text: str, doc_id: str, **given: str | None) -> tuple[Meta, dict[str, Any]]:
        if not text.strip():  # an empty input: its document is valid without metadata (§5), so nothing is made up
            return Meta(**given), {k: {"value": v, "how": "given", "confidence": 1.0} if v else
                                   {"value": None, "how": "empty text: nothing to infer", "confidence": 0.0}
                                   for k, v in given.items()}
        if given["town"] and given["default_period"] and given["reference_month"]:  # nothing to infer
            return Meta(**given), {k: {"value": v, "how": "given", "confidence": 1.0}
                                   for k, v in given.items() if v is not None}
        from govie.metadata import infer_metadata

        inferred = infer_metadata(text, **given)
        meta = inferred.meta
        sources = {key: asdict(source) if hasattr(source, "__dataclass_fields__") else dict(source)
                   for key, source in inferred.sources.items()}
        _fill_required(meta, sources, doc_id)
        return meta, sources

    def _extract(self, text: str, meta: Meta, sources: dict[str, Any], ranges: list[LabeledRange],
                 doc_id: str, hidden=None) -> Extraction:
        ranges = add_town_mentions(text, ranges, meta.town)
        spans = [Span(id=i, label=r.label, start=r.start, end=r.end, text=text[r.start:r.end])
                 for i, r in enumerate(sorted(ranges, key=lambda r: r.start))]
        doc = Document(id=doc_id, text=text, meta=meta, spans=spans)
        found = self.linker.link(doc, hidden=hidden) if hidden is not None else self.linker.link(doc)
        linked = [t for t in found if _is_complete(t, doc_id)]
        return Extraction(text=text, meta=meta, metadata_sources=sources, spans=spans,
                          tuples=_extracted(doc, linked), doc_id=doc_id, linked=linked)


def tag_texts(tagger: _Tagger, texts: Sequence[str], towns: Sequence[str | None], *, clean: bool = True,
              hidden: bool = False) -> tuple[list[list[LabeledRange]], list | None]:
    """Spans of each text in raw offsets, and (with ``hidden``) the tagger's per-character hidden
    states of each raw text from the same forward pass (else None).

    With ``clean`` the tagger sees :func:`govie.cleaning.clean_text` output (no stray spaces,
    furniture or full-width digits); spans are mapped back to raw offsets and each raw character
    takes the state of the cleaned character it became (a deleted one, that of the kept character
    before it).
    """
    texts = list(texts)
    if clean:
        from govie.cleaning import clean_text

        cleaned = [clean_text(text) for text in texts]
        inputs = [c.text for c in cleaned]
    else:
        cleaned, inputs = None, texts
    if hidden:
        outputs = tagger.predict_batch_with_hidden(inputs, towns=towns)
        tags, states = [o.spans for o in outputs], [o.hidden for o in outputs]
    else:
        tags, states = tagger.predict_batch(inputs, towns=towns), None
    if cleaned is None:
        return tags, states
    tags = [[LabeledRange(r.label, *c.span_to_raw(r.start, r.end)) for r in ranges]
            for c, ranges in zip(cleaned, tags)]
    if states is not None:
        states = [_states_to_raw(c, h) for c, h in zip(cleaned, states)]
    return tags, states


def _states_to_raw(cleaned, hidden):
    import numpy as np

    if not cleaned.origin:
        return np.zeros((len(cleaned.raw), hidden.shape[1]), dtype=hidden.dtype)
    source = np.searchsorted(np.asarray(cleaned.origin), np.arange(len(cleaned.raw)), side="right") - 1
    return hidden[np.clip(source, 0, len(cleaned.origin) - 1)]


def encoder_states(tagger, texts: Sequence[str], towns: Sequence[str | None] | None = None, *,
                   clean: bool = True) -> list:
    """Per-character hidden states of each raw text, exactly as a :class:`Pipeline` computes them
    (to train a dense linker on what it will see)."""
    towns = list(towns) if towns is not None else [None] * len(texts)
    return tag_texts(tagger, texts, towns, clean=clean, hidden=True)[1]


def _fill_required(meta: Meta, sources: dict[str, Any], doc_id: str) -> None:
    """Last-resort periods, which every tuple needs (§5); each is logged and marked in ``sources``.

    No year in the text: the year of the reference month or publication, else the current year.
    No town: left None (``null`` in §5 output, which predictions may have), never a placeholder
    that a table would take for a town; ``sources["town"]`` keeps the reason.
    """
    from datetime import date

    from govie.periods import period_bounds

    def fallback(key: str, value: str, how: str) -> None:
        setattr(meta, key, value)
        sources[key] = {"value": value, "how": f"fallback: {how}", "confidence": 0.0}
        logger.warning("%s: %s not found in the text; using %r (%s); pass it explicitly", doc_id, key, value, how)

    if not meta.default_period:
        known = meta.reference_month or meta.published
        year = known[:4] if known else str(date.today().year)
        fallback("default_period", year, "year of the reference month" if known else "the current year")
    if not meta.reference_month:
        last = period_bounds(meta.default_period)[1]
        today = date.today().strftime("%Y-%m")
        fallback("reference_month", min(last, today), "last month of default_period, at most this month")
    if not meta.town:
        reason = sources.get("town", {}).get("how", "no reporting-unit name found")
        logger.warning("%s: town not found in the text (%s); tuples have no town; pass it explicitly", doc_id, reason)


def _is_complete(t: IndicatorTuple, doc_id: str) -> bool:
    """A tuple whose value or period could not be normalized is not emitted (logged)."""
    if isinstance(t.value_norm, bool) or not isinstance(t.value_norm, (int, float)) or not t.period_norm:
        logger.info("%s: value span %d dropped: value_norm=%r period_norm=%r", doc_id, t.value,
                    t.value_norm, t.period_norm)
        return False
    return True


def _extracted(doc: Document, linked: list[IndicatorTuple]) -> list[ExtractedTuple]:
    from govie.indicator_codes import assign_codes
    from govie.linker import TextLayout

    layout = TextLayout(doc)
    by_id = doc.span_by_id()
    out = []
    for t in linked:
        value, ind = by_id[t.value], by_id[t.indicator]
        unit = by_id.get(t.unit) if t.unit is not None else None
        per = by_id.get(t.period) if t.period is not None else None
        s_start, s_end = layout.sentence_of(value.start)
        raw = doc.text[s_start:s_end]
        lead = len(raw) - len(raw.lstrip())
        out.append(ExtractedTuple(
            indicator=ind.text, value=t.value_norm, unit=t.unit_norm, period=t.period_norm, town=t.town,
            measure=t.measure, status=t.status, approx=t.approx, value_text=value.text,
            value_start=value.start, value_end=value.end, indicator_start=ind.start, indicator_end=ind.end,
            unit_start=unit.start if unit else None, unit_end=unit.end if unit else None,
            period_start=per.start if per else None, period_end=per.end if per else None,
            sentence=raw.strip(), sentence_start=s_start + lead,
            confidence=float(t.extra.get("confidence", 1.0)),
        ))
    for extracted, code in zip(out, assign_codes(out)):
        extracted.indicator_code = code
    return out


def town_short_form(town: str) -> str | None:
    """``瓜沥镇`` → ``瓜沥``, ``黔东南苗族侗族自治州`` → ``黔东南``; None when nothing useful is left."""
    short = _TOWN_SUFFIX.sub("", town)
    if town.endswith(("自治州", "自治县", "自治旗")):
        while short.endswith("族") and len(short) > 3:
            long = next((e for e in _LONG_ETHNIC if short.endswith(e + "族")), None)
            short = short[: -(len(long) + 1) if long else -2]
    return short if len(short) >= 2 and short != town else None


def add_town_mentions(text: str, ranges: list[LabeledRange], town: str | None) -> list[LabeledRange]:
    """Add TOWN spans for exact mentions of the known town (full and short name) that no span covers."""
    if not town:
        return list(ranges)
    short = town_short_form(town)
    names = [town]
    if short and town.endswith(("自治州", "自治县", "自治旗")):
        names.append(short + town[-1])  # 黔东南苗族侗族自治州 → 黔东南州
    if short:
        names.append(short)
    taken = sorted((r.start, r.end) for r in ranges)
    covered = bytearray(len(text))
    for start, end in taken:
        covered[start:end] = b"\x01" * (end - start)
    out = list(ranges)
    for name in names:  # full name first, so that the short form never splits it
        for match in re.finditer(re.escape(name), text):
            start, end = match.span()
            if not any(covered[start:end]):
                out.append(LabeledRange("TOWN", start, end))
                covered[start:end] = b"\x01" * (end - start)
    return out


def _per_text(value: Any, n: int, name: str) -> list[Any]:
    if value is None or isinstance(value, str):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries for {n} texts")
    return values


def _progress(total: int, show: bool):
    if not show or total <= 1:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="govie", unit="doc")


#: what to install when the neural tagger cannot be imported (torch is a dependency, but a platform
#: without a torch build, or ``pip install --no-deps``, leaves it out)
_NEURAL_NEEDS = "torch and transformers (govie is tested with torch 2.13.0: pip install torch==2.13.0 transformers)"


def default_tagger():
    """The shipped neural tagger if present, else the rule tagger (with a warning)."""
    try:
        from govie.tagger import Tagger, default_model_path
    except ImportError as err:
        logger.warning("the shipped neural tagger needs %s; %s; using the rule tagger", _NEURAL_NEEDS, err)
    else:
        path = default_model_path()
        if path.exists():
            return Tagger.from_pretrained(path)
        logger.warning("no neural model at %s; using the rule tagger", path)
    from govie.rules import RuleTagger

    return RuleTagger()


def default_linker():
    """The shipped learned relation layer if present (it is shipped only when it beats the heuristic)."""
    path = PACKAGE_MODELS / "linker"
    if (path / "config.json").exists():
        from govie.relation_model import LearnedLinker

        return LearnedLinker.from_pretrained(path)
    from govie.linker import HeuristicLinker

    return HeuristicLinker()


def load(name_or_path: str | Path | None = None, *, linker: str | Path = "auto") -> Pipeline:
    """A pipeline: ``None`` → the shipped default, ``"rules"`` → the rule tagger, else a tagger folder.

    ``linker`` is ``"auto"`` (the shipped learned layer if present), ``"heuristic"``, ``"learned"``
    or a folder saved by :meth:`govie.relation_model.LearnedLinker.save_pretrained`.
    """
    if name_or_path is None or name_or_path == "default":
        tagger = default_tagger()
    elif name_or_path == "rules":
        from govie.rules import RuleTagger

        tagger = RuleTagger()
    else:
        path = Path(name_or_path)
        if not (path / "config.json").exists():
            raise FileNotFoundError(f"{path}: not a govie model folder (no config.json); "
                                    "use None for the shipped model or 'rules' for the rule tagger")
        try:
            from govie.tagger import Tagger
        except ImportError as err:
            raise ImportError(f"{path}: a neural tagger needs {_NEURAL_NEEDS}; {err}") from None
        tagger = Tagger.from_pretrained(path)
    return Pipeline(tagger, _resolve_linker(linker))


def _resolve_linker(linker: str | Path):
    from govie.linker import HeuristicLinker

    if linker == "auto":
        return default_linker()
    if linker == "heuristic":
        return HeuristicLinker()
    from govie.relation_model import LearnedLinker

    path = PACKAGE_MODELS / "linker" if linker == "learned" else Path(linker)
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"{path}: no learned linker here (config.json missing)")
    return LearnedLinker.from_pretrained(path)
