"""Tuple lines: a plain-text annotation format that compiles to §5 documents.

Annotating a report in JSON means counting character offsets by hand; in a span tool it means
hundreds of clicks. A tuple-lines file instead names spans by their text, inside numbered segments
of the raw text (a segment ends at 。！？； or a line break), and the compiler finds the offsets, checks
every span, derives the normalized fields with :func:`govie.fields.derive_fields` (the same
normalizers the pipeline and the scorer use) and writes one §5 document. Overrides keep the
annotator in charge of every field.

``python -m govie.tuple_lines segments report.txt`` prints the numbered segments;
``python -m govie.tuple_lines build doc.tl -o gold/`` compiles, validates and prints a review table
with the numbers and time words no span covers. The format::

    id: jiujiang-2023
    raw: ../raw/jiujiang-2023.txt            # relative to this file
    source: unlabeled/reports.jsonl city-九江-2024 [120:5230]
    town: 九江市
    names: 九江市 九江                         # TOWN spans: every occurrence (default: town and its stem)
    published: null
    default_period: 2023
    reference_month: 2024-01

    @3                                       # segment 3
    T 地区生产总值 | 3500亿 | 元 | 全年        # IND | VAL | UNIT | PER
    T < | 4.5 | %                            # "<": the IND of the previous T line; PER empty: derived
    PER 2023年#2                             # a PER span no tuple uses; "#2": the second occurrence
    -TOWN 九江                               # drop an automatic TOWN span in this segment

In a T line, IND and PER are found in the segment (the occurrence nearest before the value, else
the first after it); ``^text`` looks in earlier segments instead (nearest first). VALs are found in
order: each search starts after the previous VAL of the segment. UNIT is the first occurrence within
six characters after the VAL. PER ``-`` means no PER span (the context period applies). After the
fourth field, ``key=value`` overrides: ``vn`` value_norm, ``un`` unit_norm, ``pn`` period_norm,
``town``, ``m`` measure, ``s`` status, ``a`` approx (``a=null`` clears it).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from govie.document import APPROX, MEASURES, STATUSES, Document, IndicatorTuple, Meta, Span, dumps_document
from govie.fields import DocumentContext, derive_fields
from govie.validation import validate_document

__all__ = ["TupleLinesError", "Segment", "segment_text", "compile_file", "compile_text", "main"]

_SEGMENT_END = "。！？；!?;\n"
_META_KEYS = ("id", "raw", "source", "town", "names", "published", "default_period", "reference_month")
_OVERRIDES = {"vn": "value_norm", "un": "unit_norm", "pn": "period_norm", "town": "town",
              "m": "measure", "s": "status", "a": "approx"}
_UNIT_REACH = 6
_NUMBER = re.compile(r"[0-9０-９][0-9０-９.,，]*|[一二三四五六七八九十百千万亿两〇零]{2,}")
_TIME_WORD = re.compile(r"\d{4}年|[上下]半年|[一二三四]季度|今年|去年|全年|年初|年底|年末|以来|十[一二三四五]五")


class TupleLinesError(ValueError):
    """A tuple-lines file cannot be compiled; the message names the file, line and what was expected."""


@dataclass(frozen=True)
class Segment:
    """A numbered piece of the raw text, ``[start, end)``."""

    number: int
    start: int
    end: int


@dataclass
class _Line:
    number: int
    segment: int
    kind: str
    fields: list[str]
    overrides: dict[str, str] = field(default_factory=dict)


def segment_text(text: str) -> list[Segment]:
    """Split at sentence ends and line breaks; blank pieces are skipped but numbering stays dense."""
    segments: list[Segment] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in _SEGMENT_END:
            if text[start:i + 1].strip():
                segments.append(Segment(len(segments) + 1, start, i + 1))
            start = i + 1
    if text[start:].strip():
        segments.append(Segment(len(segments) + 1, start, len(text)))
    return segments


def _occurrences(text: str, needle: str, start: int, end: int) -> list[int]:
    found, pos = [], text.find(needle, start, end)
    while pos >= 0:
        found.append(pos)
        pos = text.find(needle, pos + 1, end)
    return found


def _split_index(item: str) -> tuple[str, int | None]:
    m = re.fullmatch(r"(.+?)#(\d+)", item)
    return (m.group(1), int(m.group(2))) if m else (item, None)


class _Compiler:
    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.segments = segment_text(text)
        self.spans: dict[tuple[int, int], str] = {}

    def fail(self, line: _Line | int, message: str) -> TupleLinesError:
        number = line.number if isinstance(line, _Line) else line
        return TupleLinesError(f"{self.where}:{number}: {message}")

    def segment(self, line: _Line) -> Segment:
        if not 1 <= line.segment <= len(self.segments):
            raise self.fail(line, f"segment @{line.segment} does not exist (the text has {len(self.segments)})")
        return self.segments[line.segment - 1]

    def add(self, line: _Line, label: str, start: int, end: int) -> tuple[int, int]:
        key = (start, end)
        if key in self.spans:
            if self.spans[key] != label:
                raise self.fail(line, f"{self.text[start:end]!r} at {start}-{end} is already a {self.spans[key]} span")
            return key
        for (s, e), other in self.spans.items():
            if s < end and start < e:
                raise self.fail(line, f"{label} {self.text[start:end]!r} at {start}-{end} overlaps "
                                      f"{other} {self.text[s:e]!r} at {s}-{e}")
        self.spans[key] = label
        return key

    def find_near(self, line: _Line, item: str, label: str, anchor: int) -> tuple[int, int]:
        """IND/PER: ``text`` nearest before ``anchor`` in the segment (else first after), ``^text``
        in earlier segments, ``text#k`` the k-th occurrence of the segment."""
        seg = self.segment(line)
        needle, index = _split_index(item.lstrip("^"))
        if item.startswith("^"):
            hits = _occurrences(self.text, needle, 0, seg.start)
            if not hits:
                raise self.fail(line, f"{label} {needle!r} not found before segment @{seg.number}")
            start = hits[-1] if index is None else self._nth_from_end(line, hits, index, needle)
        else:
            hits = _occurrences(self.text, needle, seg.start, seg.end)
            if not hits:
                raise self.fail(line, f"{label} {needle!r} not found in segment @{seg.number}: "
                                      f"{self.text[seg.start:seg.end].strip()[:60]!r}")
            if index is not None:
                start = self._nth(line, hits, index, needle)
            else:
                before = [h for h in hits if h + len(needle) <= anchor]
                start = before[-1] if before else hits[0]
        return self.add(line, label, start, start + len(needle))

    def find_value(self, line: _Line, item: str, cursor: int) -> tuple[int, int]:
        seg = self.segment(line)
        needle, index = _split_index(item)
        hits = [h for h in _occurrences(self.text, needle, max(cursor, seg.start), seg.end)
                if self._number_bounded(h, h + len(needle))]
        if not hits:
            raise self.fail(line, f"VAL {needle!r} not found in segment @{seg.number} after offset {cursor} "
                                  f"(VALs of a segment go in text order)")
        start = hits[0] if index is None else self._nth(line, hits, index, needle)
        return self.add(line, "VAL", start, start + len(needle))

    def find_unit(self, line: _Line, item: str, value_end: int) -> tuple[int, int]:
        pos = self.text.find(item, value_end, value_end + _UNIT_REACH + len(item))
        if pos < 0:
            raise self.fail(line, f"UNIT {item!r} not found within {_UNIT_REACH} characters after the VAL "
                                  f"({self.text[value_end:value_end + 10]!r} follows it)")
        return self.add(line, "UNIT", pos, pos + len(item))

    def _number_bounded(self, start: int, end: int) -> bool:
        digits = "0123456789.０１２３４５６７８９"
        before = self.text[start - 1] if start > 0 else ""
        after = self.text[end] if end < len(self.text) else ""
        first, last = self.text[start], self.text[end - 1]
        return not ((first in digits and before and before in digits)
                    or (last in digits and after and after in digits))

    def _nth(self, line: _Line, hits: list[int], index: int, needle: str) -> int:
        if not 1 <= index <= len(hits):
            raise self.fail(line, f"{needle!r}#{index}: only {len(hits)} occurrence(s) there")
        return hits[index - 1]

    def _nth_from_end(self, line: _Line, hits: list[int], index: int, needle: str) -> int:
        return self._nth(line, list(reversed(hits)), index, needle)


def _parse(lines: list[str], where: str) -> tuple[dict[str, str], list[_Line]]:
    meta: dict[str, str] = {}
    body: list[_Line] = []
    segment = 0
    for number, raw in enumerate(lines, 1):
        line = re.sub(r"(^|\s)#\s.*$", "", raw).strip()
        if not line or line.startswith("#"):
            continue
        if segment == 0 and re.match(r"^[a-z_]+:", line):
            key, _, value = line.partition(":")
            if key not in _META_KEYS:
                raise TupleLinesError(f"{where}:{number}: unknown header {key!r}; expected one of {', '.join(_META_KEYS)}")
            meta[key] = value.strip()
            continue
        m = re.fullmatch(r"@(\d+)", line)
        if m:
            segment = int(m.group(1))
            continue
        if segment == 0:
            raise TupleLinesError(f"{where}:{number}: expected a header line or a segment marker @N, got {line!r}")
        kind, _, rest = line.partition(" ")
        if kind == "T":
            parts = [p.strip() for p in rest.split("|")]
            if len(parts) < 2:
                raise TupleLinesError(f"{where}:{number}: a T line needs at least IND | VAL, got {line!r}")
            parts += [""] * (4 - len(parts[:4]))
            overrides: dict[str, str] = {}
            for extra in parts[4:]:
                for item in extra.split():
                    key, eq, value = item.partition("=")
                    if not eq or key not in _OVERRIDES:
                        raise TupleLinesError(f"{where}:{number}: override {item!r}; expected key=value with key "
                                              f"in {', '.join(_OVERRIDES)}")
                    overrides[key] = value
            body.append(_Line(number, segment, "T", parts[:4], overrides))
        elif kind in ("PER", "IND", "-TOWN"):
            if not rest.strip():
                raise TupleLinesError(f"{where}:{number}: {kind} needs a text")
            body.append(_Line(number, segment, kind, [rest.strip()]))
        else:
            raise TupleLinesError(f"{where}:{number}: unknown line kind {kind!r}; expected T, PER, IND or -TOWN")
    return meta, body


def _meta_value(value: str | None) -> str | None:
    return None if value in (None, "", "null", "None") else value


def _override(key: str, value: str, where: str) -> object:
    if key == "vn":
        try:
            return int(value) if re.fullmatch(r"-?\d+", value) else float(value)
        except ValueError:
            raise TupleLinesError(f"{where}: vn={value!r} is not a number") from None
    if key == "m" and value not in MEASURES:
        raise TupleLinesError(f"{where}: m={value!r}; expected one of {', '.join(MEASURES)}")
    if key == "s" and value not in STATUSES:
        raise TupleLinesError(f"{where}: s={value!r}; expected one of {', '.join(STATUSES)}")
    if key in ("a", "un"):
        parsed = _meta_value(value)
        if key == "a" and parsed not in APPROX:
            raise TupleLinesError(f"{where}: a={value!r}; expected null or one of approx, more_than, less_than")
        return parsed
    return value


def compile_text(source: str, text: str, *, where: str = "<tuple lines>") -> Document:
    """Compile tuple lines over ``text`` (the raw report) into a §5 document."""
    meta, body = _parse(source.splitlines(), where)
    if "id" not in meta or "town" not in meta:
        raise TupleLinesError(f"{where}: the header needs at least 'id:' and 'town:'")
    comp = _Compiler(text, where)
    links: list[tuple[_Line, tuple[int, int], tuple[int, int] | None, tuple[int, int] | None | Literal["auto"]]] = []
    cursor: dict[int, int] = {}
    dropped_towns: list[tuple[_Line, str, int | None]] = []
    previous_ind: tuple[int, int] | None = None
    for line in body:
        seg = comp.segment(line)
        if line.kind == "T":
            ind_item, val_item, unit_item, per_item = line.fields
            value = comp.find_value(line, val_item, cursor.get(line.segment, seg.start))
            cursor[line.segment] = value[1]
            if ind_item == "<":
                if previous_ind is None:
                    raise comp.fail(line, "'<' names the previous T line's IND, but there is none")
                indicator = previous_ind
            else:
                indicator = comp.find_near(line, ind_item, "IND", value[0])
            previous_ind = indicator
            unit = comp.find_unit(line, unit_item, value[1]) if unit_item else None
            period: tuple[int, int] | None | Literal["auto"]
            if per_item == "":
                period = "auto"
            elif per_item == "-":
                period = None
            else:
                period = comp.find_near(line, per_item, "PER", value[0])
            links.append((line, value, unit, period, indicator))  # type: ignore[arg-type]
        elif line.kind in ("PER", "IND"):
            needle, index = _split_index(line.fields[0])
            hits = _occurrences(text, needle, seg.start, seg.end)
            if not hits:
                raise comp.fail(line, f"{line.kind} {needle!r} not found in segment @{seg.number}")
            start = hits[0] if index is None else comp._nth(line, hits, index, needle)
            comp.add(line, line.kind, start, start + len(needle))
        else:
            needle, index = _split_index(line.fields[0])
            dropped_towns.append((line, needle, index))

    town = meta["town"]
    names = meta.get("names", "").split() or _default_names(town)
    dropped: set[int] = set()
    for line, needle, index in dropped_towns:
        seg = comp.segment(line)
        hits = _occurrences(text, needle, seg.start, seg.end)
        if not hits:
            raise comp.fail(line, f"-TOWN {needle!r} not found in segment @{seg.number}")
        dropped.add(hits[0] if index is None else comp._nth(line, hits, index, needle))
    for name in sorted(names, key=len, reverse=True):
        for pos in _occurrences(text, name, 0, len(text)):
            end = pos + len(name)
            if pos in dropped or any(s < end and pos < e for s, e in comp.spans):
                continue
            comp.spans[(pos, end)] = "TOWN"

    ordered = sorted(comp.spans)
    ids = {key: i for i, key in enumerate(ordered)}
    spans = [Span(ids[k], comp.spans[k], k[0], k[1], text[k[0]:k[1]]) for k in ordered]
    doc = Document(id=meta["id"], text=text, source=_meta_value(meta.get("source")),
                   meta=Meta(town=town, published=_meta_value(meta.get("published")),
                             default_period=_meta_value(meta.get("default_period")),
                             reference_month=_meta_value(meta.get("reference_month"))),
                   spans=spans)
    context = DocumentContext(doc)
    by_key = {(s.start, s.end): s for s in spans}
    tuples: list[IndicatorTuple] = []
    seen_values: set[tuple[int, int]] = set()
    for line, value_key, unit_key, period_key, ind_key in sorted(links, key=lambda item: item[1]):
        if value_key in seen_values:
            raise comp.fail(line, f"VAL {text[value_key[0]:value_key[1]]!r} at {value_key[0]} is in two T lines")
        seen_values.add(value_key)
        value, indicator = by_key[value_key], by_key[ind_key]
        unit = by_key[unit_key] if unit_key else None
        period = by_key[period_key] if isinstance(period_key, tuple) else period_key
        derived = derive_fields(doc, value, unit=unit, indicator=indicator, period=period, context=context)
        values = {"value_norm": derived.value_norm, "unit_norm": derived.unit_norm,
                  "period_norm": derived.period_norm, "town": derived.town, "measure": derived.measure,
                  "status": derived.status, "approx": derived.approx}
        for key, raw_value in line.overrides.items():
            values[_OVERRIDES[key]] = _override(key, raw_value, f"{where}:{line.number}")
        if values["value_norm"] is None:
            raise comp.fail(line, f"VAL {value.text!r} has no numeric reading; give vn=")
        tuples.append(IndicatorTuple(
            value=value.id, indicator=indicator.id, unit=unit.id if unit else None,
            period=derived.period, indicator_text=indicator.text, **values))  # type: ignore[arg-type]
    doc.tuples = tuples
    untupled = [s for s in spans if s.label == "VAL" and (s.start, s.end) not in seen_values]
    if untupled:
        s = untupled[0]
        raise TupleLinesError(f"{where}: VAL {s.text!r} at {s.start} is in no T line (every VAL needs a tuple)")
    problems = validate_document(doc, where=where)
    if problems:
        raise TupleLinesError("\n".join(str(p) for p in problems))
    return doc


def _default_names(town: str) -> list[str]:
    for suffix in ("街道", "自治州", "自治县", "地区", "镇", "乡", "县", "区", "市", "州", "盟", "旗"):
        if town.endswith(suffix) and len(town) - len(suffix) >= 2:
            return [town, town[: -len(suffix)]]
    return [town]


def compile_file(path: str | Path) -> Document:
    """Compile a tuple-lines file; its ``raw:`` header names the report text (relative to the file)."""
    path = Path(path)
    source = path.read_text(encoding="utf-8")
    meta, _ = _parse(source.splitlines(), str(path))
    if "raw" not in meta:
        raise TupleLinesError(f"{path}: the header needs 'raw:' (the report's text file)")
    raw = (path.parent / meta["raw"]).resolve()
    if not raw.is_file():
        raise TupleLinesError(f"{path}: raw text {raw} does not exist")
    return compile_text(source, raw.read_text(encoding="utf-8"), where=str(path))


def review_table(doc: Document) -> str:
    """One line per tuple, then the numbers and time words that no span covers (for a second look)."""
    spans = doc.span_by_id()
    text = doc.text
    rows = []
    for t in doc.tuples:
        v = spans[t.value]
        per = spans[t.period].text if t.period is not None else "-"
        unit = spans[t.unit].text if t.unit is not None else "-"
        ctx = text[max(0, v.start - 14):v.end + 6].replace("\n", " ")
        rows.append(f"{v.start:>6} {t.indicator_text} | {v.text} {unit} | per={per} | {t.value_norm} {t.unit_norm} "
                    f"{t.period_norm} {t.town} {t.measure} {t.status} {t.approx or ''} | …{ctx}…")
    covered = [False] * len(text)
    for s in doc.spans:
        for i in range(s.start, s.end):
            covered[i] = True
    loose = []
    for pattern, label in ((_NUMBER, "number"), (_TIME_WORD, "time word")):
        for m in pattern.finditer(text):
            if not any(covered[m.start():m.end()]):
                loose.append((m.start(), f"{m.start():>6} {label} {m.group()!r} not in any span: "
                                         f"…{text[max(0, m.start() - 12):m.end() + 8].replace(chr(10), ' ')}…"))
    loose.sort()
    others = [f"{s.start:>6} {s.label} {s.text!r}: …{text[max(0, s.start - 8):s.end + 8].replace(chr(10), ' ')}…"
              for s in doc.spans if s.label in ("PER", "TOWN")]
    return "\n".join(rows + ["", f"# {len(others)} PER and TOWN spans:"] + others
                     + ["", f"# {len(loose)} uncovered numbers/time words (check each is not a VAL/PER):"]
                     + [line for _, line in loose])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govie.tuple_lines", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    seg = sub.add_parser("segments", help="print the numbered segments of a raw text")
    seg.add_argument("raw")
    build = sub.add_parser("build", help="compile tuple-lines files into §5 JSON documents")
    build.add_argument("files", nargs="+")
    build.add_argument("-o", "--output", required=True, help="folder for <id>.json")
    build.add_argument("--review", action="store_true", help="print the review table of each document")
    show = sub.add_parser("review", help="print the review table of §5 documents (e.g. gold files)")
    show.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "review":
        from govie.document import read_documents

        for name in args.files:
            for doc in read_documents(name):
                print(f"# {doc.id}: {doc.meta.to_dict()}")
                print(review_table(doc))
        return 0
    if args.command == "segments":
        text = Path(args.raw).read_text(encoding="utf-8")
        for s in segment_text(text):
            print(f"@{s.number} [{s.start}] {text[s.start:s.end].rstrip()}")
        return 0
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    status = 0
    for name in args.files:
        try:
            doc = compile_file(name)
        except (TupleLinesError, OSError) as err:
            print(f"error: {err}", file=sys.stderr)
            status = 1
            continue
        (out / f"{doc.id}.json").write_text(dumps_document(doc), encoding="utf-8")  # as corpora/gold: no final newline
        print(f"{name}: {len(doc.spans)} spans, {len(doc.tuples)} tuples -> {out / (doc.id + '.json')}")
        if args.review:
            print(review_table(doc))
    return status


if __name__ == "__main__":
    sys.exit(main())
