"""Canonical indicator codes: free-text indicator names (地区生产总值, GDP, 全县生产总值) to one code (``GDP``).

The code list is data (``resources/indicator_codes.json``: Chinese and English names, aliases, the
unit categories of :mod:`govie.units` a code's levels take, which code contains which). A name gets
a code only when, after :func:`normalize_indicator`, it equals an alias, and the tuple's unit fits
the code; otherwise it gets ``None``: a wrong code would merge different figures in a panel, while a
missing one only leaves a row uncoded.

Decisions (the same in the data and the tests):

- ``一般公共预算收入`` and ``地方一般公共预算收入`` are one code (``GENERAL_BUDGET_REVENUE``): local reports
  give the revenue the local level keeps under both names, and give the total that includes the
  shares remitted upwards as ``财政总收入`` / ``全部财政收入`` (``FISCAL_REVENUE_TOTAL``).
  ``公共财政预算收入`` is the same statistic's name before the 2015 budget law.
- ``地方财政收入`` (``LOCAL_FISCAL_REVENUE``) and a bare ``财政收入`` (``FISCAL_REVENUE``, scope not
  stated) keep codes of their own: their scope varies between provinces and years.
- ``规上`` = ``规模以上``, ``限上`` = ``限额以上``, ``规模工业`` = ``规模以上工业``; ``全县``/``全市``/``全区``/``全镇``
  (and ``我县``, ``本市``...) and light verbs (``实现``, ``完成``, ``累计``) in front are dropped, and so
  are status words a tagger left at the end (``力争``, ``预计``);
  quotes, spaces and parenthesised notes (``细颗粒物（PM2.5）浓度``) are ignored.
- ``农民人均纯收入`` (the statistic before 2013) is not ``农村居民人均可支配收入``.
- A phrase naming two indicators (``城乡居民人均可支配收入分别为A和B``, ``存贷款余额分别增长A、B``) gives
  its parts in text order, only when exactly as many values of one measure and unit are linked to it.
- Counts come as stocks (``高新技术企业``) and as new ones (``新增高新技术企业``, ``new_of`` in the data). The
  IND span does not always say which (``新增A、B等2家X企业,总量达3家``: both values link to ``X企业``;
  ``新增X 31家……总数分别达96家`` reuses ``新增X``, guidelines §7.4), so the last cue before the value in its
  clause group (``新增``/``净增``/``认定`` against ``总量``/``总数``/``累计``/``增至``/``达到``) vetoes a code that says the other.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

from govie.units import unit_category

DEFAULT_CODES = Path(__file__).resolve().parent / "resources" / "indicator_codes.json"
#: units a change may take whatever the code (a rate, a difference in points, a ratio)
CHANGE_UNITS = frozenset({"%", "个百分点", "百分点", "倍", "番"})
_QUOTES = str.maketrans("", "", "“”\"‘’'「」『』《》〈〉")
_NOTE = re.compile(r"\([^()]*\)")
_ABBREVIATIONS = (("规上", "规模以上"), ("限上", "限额以上"), ("规模工业", "规模以上工业"))
#: what may stand before an indicator name without changing it: the whole territory, light verbs
#: words before a count that make it new ones, or the stock (the last one before the value wins)
_NEW_CUES = ("新增", "净增", "认定", "新培育", "新引进", "新设立", "新登记", "新创建")
_STOCK_CUES = ("总量", "总数", "累计", "增至", "达到", "共有", "拥有", "总计")
#: status words a tagger may leave at the end of a name (社会消费品零售总额力争)
_SUFFIX = re.compile(r"(?:力争|确保|预计|争取)$")
_CLAUSE_GROUP_END = re.compile(r"[;；。!！?？]")
_PREFIX = re.compile(r"^(?:(?:全|我|本)(?:自治州|自治县|街道|地区|省|市|县|区|镇|乡|州|盟|旗)|全年|其中"
                     r"|(?:累计|累积|共)?(?:实现|完成|达到)|累计|累积)")


class CodeListError(ValueError):
    """A code list file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class IndicatorCode:
    """One canonical indicator."""

    code: str
    zh: str
    en: str
    #: unit categories of :data:`govie.units.UNITS` (or literal units) its levels take
    units: tuple[str, ...]
    #: ``real`` (growth at constant prices, not comparable with levels), ``nominal``, or None
    growth: str | None
    #: the code of an indicator that contains this one (same town, period, status and unit)
    part_of: str | None
    aliases: tuple[str, ...]
    #: for a count of new ones (新增高新技术企业), the code of the stock it adds to
    new_of: str | None = None


class _Coded(Protocol):
    indicator: str
    indicator_start: int
    value_start: int
    unit: str | None
    measure: str
    sentence: str
    sentence_start: int


def normalize_indicator(text: str) -> str:
    """The form aliases are compared in: NFKC, no spaces, quotes or parenthesised notes, abbreviations spelt out."""
    out = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    out = re.sub(r"\s+", "", out)
    stripped = _NOTE.sub("", out)
    out = stripped or out
    for short, full in _ABBREVIATIONS:
        out = out.replace(short, full)
    return out.strip("、,，:：;；")


def count_reading(t: _Coded) -> str | None:
    """``new`` or ``stock`` when the words before a value in its clause group say which, else None."""
    before = _CLAUSE_GROUP_END.split(t.sentence[:max(0, t.value_start - t.sentence_start)])[-1]
    found = [(before.rfind(cue), kind) for kind, cues in (("new", _NEW_CUES), ("stock", _STOCK_CUES)) for cue in cues]
    position, kind = max(found)
    return kind if position >= 0 else None


def _candidates(name: str) -> list[str]:
    """The normalized name, without a trailing status word, then without each prefix in turn
    (全县实现地区生产总值 → 实现地区生产总值 → 地区生产总值)."""
    out = [name]
    bare = _SUFFIX.sub("", name)
    if bare and bare != name:
        out.append(bare)
    while True:
        shorter = _PREFIX.sub("", out[-1], count=1)
        if shorter == out[-1] or not shorter:
            return out
        out.append(shorter)


class CodeBook:
    """A code list: :meth:`code_for` one indicator name, :meth:`assign` the tuples of one document."""

    def __init__(self, codes: Sequence[IndicatorCode], compounds: dict[str, tuple[str, ...]] | None = None,
                 *, where: str = "<codes>") -> None:
        self.codes = {c.code: c for c in codes}
        self._alias: dict[str, str] = {}
        for c in codes:
            for field in ("part_of", "new_of"):
                if getattr(c, field) is not None and getattr(c, field) not in self.codes:
                    raise CodeListError(f"{where}: {c.code}: {field} {getattr(c, field)!r} is not a code")
            for alias in (c.zh, *c.aliases):
                key = normalize_indicator(alias)
                other = self._alias.setdefault(key, c.code)
                if other != c.code:
                    raise CodeListError(f"{where}: alias {alias!r} ({key!r}) of {c.code} is already "
                                        f"an alias of {other}")
        self._stocks = {c.new_of for c in codes if c.new_of is not None}
        self.compounds: dict[str, tuple[str, ...]] = {}
        for text, parts in (compounds or {}).items():
            unknown = [p for p in parts if p not in self.codes]
            if unknown:
                raise CodeListError(f"{where}: compound {text!r}: unknown code(s) {unknown}")
            key = normalize_indicator(text)
            if key in self._alias:
                raise CodeListError(f"{where}: compound {text!r} is also an alias of {self._alias[key]}")
            self.compounds[key] = tuple(parts)

    @classmethod
    def from_file(cls, path: str | Path) -> "CodeBook":
        """Read a code list in the format of ``resources/indicator_codes.json``."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise CodeListError(f"{path}: cannot read the code list ({err})") from None
        codes = []
        for i, entry in enumerate(data.get("codes", [])):
            try:
                codes.append(IndicatorCode(code=entry["code"], zh=entry["zh"], en=entry["en"],
                                           units=tuple(entry["units"]), growth=entry.get("growth"),
                                           part_of=entry.get("part_of"), aliases=tuple(entry.get("aliases", ())),
                                           new_of=entry.get("new_of")))
            except (KeyError, TypeError) as err:
                raise CodeListError(f"{path}: codes[{i}]: missing or bad field {err}") from None
        compounds = {c["text"]: tuple(c["parts"]) for c in data.get("compounds", [])}
        return cls(codes, compounds, where=str(path))

    def __len__(self) -> int:
        return len(self.codes)

    def code_for(self, indicator: str, *, unit: str | None = None, measure: str = "level") -> str | None:
        """The code of one indicator name, or None when no alias matches or the unit does not fit."""
        for name in _candidates(normalize_indicator(indicator)):
            code = self._alias.get(name)
            if code is not None:
                return code if self.unit_fits(code, unit, measure) else None
        return None

    def unit_fits(self, code: str, unit: str | None, measure: str = "level") -> bool:
        """Whether a value in ``unit`` can be the code's (a level in one of its units, or any change rate)."""
        if unit is None or (measure == "change" and unit in CHANGE_UNITS):
            return True
        allowed = self.codes[code].units
        return unit in allowed or unit_category(unit) in allowed

    def compound_parts(self, indicator: str) -> tuple[str, ...] | None:
        """The codes a phrase such as 城乡居民人均可支配收入 names in order, None for other phrases."""
        for name in _candidates(normalize_indicator(indicator)):
            if name in self.compounds:
                return self.compounds[name]
        return None

    def assign(self, tuples: Sequence[_Coded]) -> list[str | None]:
        """Codes of one document's tuples (same order); compound phrases need the document's other tuples."""
        out: list[str | None] = [self.code_for(t.indicator, unit=t.unit, measure=t.measure) for t in tuples]
        groups: dict[tuple, list[int]] = {}
        for i, t in enumerate(tuples):
            if out[i] is None and self.compound_parts(t.indicator) is not None:
                groups.setdefault((t.indicator_start, t.indicator, t.measure, t.unit), []).append(i)
        for (_, indicator, measure, unit), members in groups.items():
            parts = self.compound_parts(indicator)
            if len(members) != len(parts):
                continue
            for i, code in zip(sorted(members, key=lambda i: tuples[i].value_start), parts):
                out[i] = code if self.unit_fits(code, unit, measure) else None
        for i, t in enumerate(tuples):
            if out[i] is not None and (self.codes[out[i]].new_of is not None or out[i] in self._stocks):
                reading = count_reading(t)
                if reading == ("stock" if self.codes[out[i]].new_of is not None else "new"):
                    out[i] = None
        return out

    def contains(self, total: str, part: str) -> bool:
        """Whether ``part`` is (transitively) part of ``total``."""
        seen = set()
        code = self.codes[part].part_of
        while code is not None and code not in seen:
            if code == total:
                return True
            seen.add(code)
            code = self.codes[code].part_of
        return False


@lru_cache(maxsize=1)
def default_codebook() -> CodeBook:
    """The shipped code list (read once)."""
    return CodeBook.from_file(DEFAULT_CODES)


def code_for(indicator: str, *, unit: str | None = None, measure: str = "level") -> str | None:
    """The shipped code of one indicator name (see :meth:`CodeBook.code_for`)."""
    return default_codebook().code_for(indicator, unit=unit, measure=measure)


def assign_codes(tuples: Sequence[_Coded]) -> list[str | None]:
    """The shipped codes of one document's tuples (see :meth:`CodeBook.assign`)."""
    return default_codebook().assign(tuples)
