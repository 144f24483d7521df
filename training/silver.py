"""Label the unlabeled reports with the rule tagger: silver spans for training (tuples left empty).

    python training/silver.py --out runs/silver.jsonl [--limit N] [--input corpora/unlabeled/reports.jsonl.xz]

The six reports whose review sections are gold (see GOLD_OVERLAP) are left out so that the gold
dev set and cross-validation never see silver copies of their own text.

The town of each report (for TOWN spans) comes from, in order: a name taken from the report id
(``city-三亚-2024``, ``高阳县_2017``) when the text confirms it, ``govie.metadata.infer_metadata``
when that module exists, and ``govie.rules.infer_town`` (most frequent ``X市/县/镇`` mention).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from the repository
    sys.path.insert(0, str(ROOT))

from govie.document import Document, FormatError, Meta, Span, write_jsonl  # noqa: E402
from govie.rules import RuleTagger, infer_town  # noqa: E402

logger = logging.getLogger("silver")

GOLD_OVERLAP = frozenset({
    "city-崇左-2024", "city-晋城-2024", "city-吉安-2024", "city-锡林郭勒-2024", "city-黔东南-2024", "高阳县_2017",
})
DEFAULT_INPUTS = (ROOT / "corpora" / "unlabeled" / "reports.jsonl.xz",
                  ROOT.parent / "shared" / "corpora" / "unlabeled" / "reports.jsonl")
_SUFFIXES = ("街道", "镇", "乡", "县", "区", "市", "盟", "州", "省")


def town_from_id(doc_id: str, text: str) -> str | None:
    """``city-三亚-2024`` → ``三亚市`` when ``三亚`` occurs in the text; the suffix is the one the text uses most."""
    parts = [p for p in re.split(r"[-_]", doc_id) if re.fullmatch(r"[\u4e00-\u9fff]{2,}", p)]
    if not parts:
        return None
    name = parts[0]
    if text.count(name) < 2:
        return None
    city = doc_id.startswith("city-")  # prefecture-level: 承德市, not 承德县; 杭州 → 杭州市
    if name.endswith(_SUFFIXES) and not city:
        return name  # 海拉尔区, 保定市: the id holds the full name
    suffixes = Counter({s: text.count(name + s) for s in (("市", "州", "盟") if city else _SUFFIXES)})
    suffix, n = suffixes.most_common(1)[0]
    if n:
        return name + suffix
    return name + "市" if city and text.count(name) >= 5 else None


def infer_report_meta(doc_id: str, text: str) -> tuple[Meta, str]:
    """Report metadata and how its town was found (``id``, ``metadata``, ``rules`` or ``none``)."""
    town = town_from_id(doc_id, text)
    how = "id" if town else "none"
    try:
        from govie.metadata import infer_metadata
    except ImportError:
        infer_metadata = None
    meta = Meta(town=town)
    if infer_metadata is not None:
        meta = infer_metadata(text, town=town).meta
        if meta.town and not town:
            how = "metadata"
    if not meta.town:
        meta.town = infer_town(text)
        how = "rules" if meta.town else "none"
    return meta, how


def silver_document(tagger: RuleTagger, doc_id: str, source: str, text: str) -> tuple[Document, str]:
    meta, how = infer_report_meta(doc_id, text)
    ranges = tagger.predict(text, town=meta.town)
    spans = [Span(i, r.label, r.start, r.end, text[r.start:r.end]) for i, r in enumerate(ranges)]
    doc = Document(id=doc_id, text=text, meta=meta, spans=spans, tuples=[], source=source)
    return doc, how


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output JSONL (§5 format, spans only)")
    parser.add_argument("--input", type=Path, default=None, help="unlabeled reports (.jsonl, .jsonl.xz, .jsonl.gz)")
    parser.add_argument("--limit", type=int, default=None, help="label at most N reports")
    parser.add_argument("--show-progress", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from govie.corpus import iter_unlabeled

    source = args.input or next((p for p in DEFAULT_INPUTS if p.exists()), None)
    if source is None or not source.exists():
        logger.error("no unlabeled reports at %s", args.input or " or ".join(map(str, DEFAULT_INPUTS)))
        return 2
    tagger = RuleTagger()
    try:
        reports = [r for r in iter_unlabeled(source) if r.id not in GOLD_OVERLAP]
    except (FormatError, OSError) as err:
        logger.error("%s", err)
        return 2
    if args.limit is not None:
        reports = reports[: args.limit]
    if args.show_progress:
        from tqdm.auto import tqdm

        reports = tqdm(reports, desc="silver", unit="doc")
    docs, how = [], Counter()
    labels: Counter[str] = Counter()
    for report in reports:
        doc, found = silver_document(tagger, report.id, report.source, report.text)
        docs.append(doc)
        how[found] += 1
        labels.update(span.label for span in doc.spans)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    n = write_jsonl(docs, args.out)
    logger.info("wrote %d silver documents to %s (excluded %d gold-overlap ids); town from %s; spans %s",
                n, args.out, len(GOLD_OVERLAP), dict(how), dict(labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
