"""Canonical indicator codes: free-text indicator names (地区生产总值, GDP, 全县生产总值) to one code (``GDP``).

The code list is data (``resources/indicator_codes.json``: Chinese and English names, aliases, the
unit categories of :mod:`govie.units` a code's levels take, which code contains which, which two codes
a share divides). A name gets a code only when, after :func:`normalize_indicator`, it equals an alias
(or names a share of two codes), and the tuple's unit fits the code; otherwise it gets ``None``: a
wrong code would merge different figures in a panel, while a missing one only leaves a row uncoded.

Decisions (the same in the data and the tests):

- ``一般公共预算收入`` and ``地方一般公共预算收入`` are one code (``GENERAL_BUDGET_REVENUE``): local reports
  give the revenue the local level keeps under both names, and give the total that includes the
  shares remitted upwards as ``财政总收入`` / ``全部财政收入`` / ``一般公共预算总收入`` (``FISCAL_REVENUE_TOTAL``).
  ``公共财政预算收入`` is the same statistic's name before the 2015 budget law.
- ``地方财政收入`` (``LOCAL_FISCAL_REVENUE``), ``地方财政总收入`` (``LOCAL_FISCAL_REVENUE_TOTAL``: a report
  gives it beside a larger ``财政总收入``, the next one as the base of its ``财政总收入`` target) and a bare
  ``财政收入`` (``FISCAL_REVENUE``, scope not stated) keep codes of their own: their scope varies
  between provinces and years.
- ``规上`` = ``规模以上``, ``限上`` = ``限额以上``, ``规模工业`` = ``规模以上工业``; ``全县``/``全市``/``全区``/``全镇``
  (and ``我县``, ``本市``...), ``各类``, light verbs (``实现``, ``完成``, ``累计``) and status words
  (``预计``, ``力争``) in front are dropped, and so are status words a tagger left at the end (``力争``,
  ``预计`` or its cut ``预``, ``仅``, ``控制``); quotes, spaces and parenthesised notes (``细颗粒物（PM2.5）浓度``)
  are ignored.
- ``农民人均纯收入`` (the statistic before 2013) is not ``农村居民人均可支配收入``; a bare ``农民人均收入``
  (either) gets no code.
- ``餐饮业营业额`` and ``限额以上餐饮业营业额`` are one code (and so for ``住宿业``): the turnover of these
  trades is surveyed for units above the quota only, and reports drop the ``限额以上``.
- One statistic under the names of a province or a period: ``旅游总花费`` (Hebei) is ``旅游总收入``,
  ``小额担保贷款`` (before 2015) ``创业担保贷款``, ``500万元以上固定资产投资`` (the statistic's threshold)
  ``固定资产投资``. Different scopes keep different codes: ``减税降费`` against ``新增减税降费及退税缓费``
  (with refunds and deferrals); ``新增减税降费及留抵退税`` (neither) and a bare ``利润总额``, ``主营业务收入``
  or ``资产总额`` (a firm's, a sector's or the region's) get none.
- A share is a code of its own (``share_of``: the codes of its part and of its whole), never the
  code of its part: ``民生支出占一般公共预算支出的比重`` is the share of ``LIVELIHOOD_EXPENDITURE`` in
  ``GENERAL_BUDGET_EXPENDITURE`` under any of their aliases (``A占B比重``, ``A占B的比例``, ``A相当于B的比例``),
  and ``A占比`` the share of A when A is the part of exactly one share. A value in % whose name is the
  part alone (``民生支出1041亿元，占一般公共预算支出的87.2%``) gets the share that the words from ``占`` to
  the value name, when no other name stands between; a name that is the rest of a share (a span
  ``占一般公共预算支出``) is read with the name before it. The part is named in the clause of the share
  or the one before.
- Generic names (``办复率``, ``满意率``) get a code only where their clause group says what they measure
  (``context`` in the data: ``提案`` before the value for the handling of deputies' suggestions and
  proposals); elsewhere they measure letters, hotlines or anything else.
- A phrase naming two indicators (``城乡居民人均可支配收入分别为A和B``, ``存贷款余额分别增长A、B``) gives
  its parts in text order, only when exactly as many values of one measure and unit are linked to it
  in its clause group (or when its values follow 分别, by their place); so does an enumeration in one
  span (``住宿业、餐饮业营业额``), each name completed where the list shortened it: with the longest ending
  of the last name (``住宿业`` + ``营业额``), or else the longest beginning of the first one
  (``生产安全事故`` + ``死亡人数``), that makes an alias.
- A value gets a code only when its name stands in its clause group (no ``；`` or ``。`` between them; a
  tuple given without its sentence is not judged).
- In ``A、B和C分别增长x、y、z`` with as many names as numbers, a value takes the code of the name at its
  place, completed as above, whatever name a tagger linked it to; ``A、B、C等X分别…`` lists A, B and C,
  not X. Without 分别, the values linked to the last name of a list (``A、B占比重达x、y``) do the same when
  there are as many as names, and else that name keeps the last one only.
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
#: words before a count that make it new ones, or the stock (the last one before the value wins)
_NEW_CUES = ("新增", "净增", "认定", "新培育", "新引进", "新设立", "新登记", "新创建")
_STOCK_CUES = ("总量", "总数", "累计", "增至", "达到", "共有", "拥有", "总计")
#: status words a tagger may leave at the end of a name (社会消费品零售总额力争, 研发投入强度预[计])
_SUFFIX = re.compile(r"(?:力争|确保|预计|争取|预|仅|持续|控制|升)$")
_CLAUSE_GROUP_END = re.compile(r"[;；。!！?？]")
_CLAUSE_END = re.compile(r"[,，;；。!！?？:：]")
#: what separates the names of an enumeration (A、B和C分别增长x、y、z)
_ENUMERATION_MARK = re.compile(r"[、和及]")
_RESPECTIVELY = "分别"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: words that make two values of one name a range, not the values of a list
_RANGE = re.compile(r"[由从]")
#: what ends the last item of an enumeration that closes with the name of the whole list (A、B、C等“新三样”出口)
_SET_OF = "等"
#: what may stand between the last name of an enumeration and 分别
_BEFORE_RESPECTIVELY = re.compile(r"(?:同比|均)+$")
#: a share of two named indicators (民生支出占一般公共预算支出的比重), or of one whose whole is understood (税收占比)
_SHARE = re.compile(r"(?P<part>.+?)(?:占比|(?:占|相当于)(?P<whole>.+?)的?(?:比重|比例)?)")
_SHARE_WORDS = ("占", "相当于")
#: an ending borrowed from the next name of an enumeration has at least this many characters
_MIN_ENDING = 2
#: what may stand before an indicator name without changing it: the whole territory, light verbs, status words
_PREFIX = re.compile(r"^(?:(?:全|我|本)(?:自治州|自治县|街道|地区|省|市|县|区|镇|乡|州|盟|旗)|全年|其中|各类|预计|力争|确保"
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
    #: for a share, the codes of its part and of its whole (民生支出, 一般公共预算支出)
    share_of: tuple[str, str] | None = None
    #: for a generic name (办复率), words one of which must stand before the value in its clause group
    context: tuple[str, ...] = ()


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


def clause_group_before(t: _Coded) -> str:
    """The words before the value in its clause group (since the last ``；`` or ``。``)."""
    return _CLAUSE_GROUP_END.split(t.sentence[:max(0, t.value_start - t.sentence_start)])[-1]


def count_reading(t: _Coded) -> str | None:
    """``new`` or ``stock`` when the words before a value in its clause group say which, else None."""
    before = clause_group_before(t)
    found = [(before.rfind(cue), kind) for kind, cues in (("new", _NEW_CUES), ("stock", _STOCK_CUES)) for cue in cues]
    position, kind = max(found)
    return kind if position >= 0 else None


def _span(t: _Coded) -> tuple[int, int, int] | None:
    """Start and end of the name and start of the value in the value's sentence; None when the name lies
    outside that sentence."""
    start, value = t.indicator_start - t.sentence_start, t.value_start - t.sentence_start
    end = start + len(t.indicator)
    return (start, end, value) if 0 <= start and end <= len(t.sentence) else None


def in_clause_group(t: _Coded) -> bool:
    """Whether the name and the value stand in one clause group (nothing such as ``；`` or ``。`` between);
    True for a tuple without its sentence, which says nothing against it."""
    if not t.sentence:
        return True
    span = _span(t)
    if span is None:
        return False
    start, end, value = span
    between = t.sentence[end:value] if value >= end else t.sentence[value:start]
    return not _CLAUSE_GROUP_END.search(between)


def _names(text: str, end: int) -> tuple[list[str], int, bool]:
    """The names of the list ``text`` (up to 分别 or to the end of a name), the place of the name ending at
    ``end``, and whether that name lies within its item rather than in the ``等X`` of ``A、B、C等X``, which
    names the whole list (the last item is then C)."""
    names = _ENUMERATION_MARK.split(text)
    at = len(_ENUMERATION_MARK.findall(text[:end]))
    whole = names[-1].find(_SET_OF)
    inside = whole < 0 or at < len(names) - 1 or end <= len(text) - len(names[-1]) + whole
    if whole >= 0:
        names[-1] = names[-1][:whole]
    return names, at, inside


def _clause_start(s: str, start: int) -> int:
    return max((m.end() for m in _CLAUSE_END.finditer(s, 0, start)), default=0)


def enumeration(t: _Coded, parts: int = 1) -> tuple[list[str], int, int, bool] | None:
    """For a name in ``A、B和C分别增长x、y、z``: the names, the place of this one, the place of its value
    among the numbers after 分别, and whether the name lies within its item (:func:`_names`); None when the
    name or the value is not part of such a list, or the numbers are not ``parts`` (the parts of a compound
    such as 三次产业) for each name."""
    span = _span(t)
    if span is None or _ENUMERATION_MARK.search(t.indicator):
        return None
    start, end, value = span
    s = t.sentence
    clause_start = _clause_start(s, start)
    found = _CLAUSE_END.search(s, end)
    clause_end = found.start() if found else len(s)
    at = s.find(_RESPECTIVELY, end, clause_end)
    if at < 0 or not at < value < clause_end:
        return None
    names, name_at, inside = _names(_BEFORE_RESPECTIVELY.sub("", s[clause_start:at]), end - clause_start)
    numbers = list(_NUMBER.finditer(s, at, clause_end))
    value_at = next((i for i, m in enumerate(numbers) if m.start() <= value < m.end()), None)
    if value_at is None or len(numbers) != len(names) * parts:
        return None
    return names, name_at, value_at, inside


def closing_list(t: _Coded) -> tuple[list[str], bool] | None:
    """The names of the list a name closes (``A、B占比重达x、y``: an enumeration mark right before it, its
    value after it without a range such as 由A增加到B), and whether it lies within its item (:func:`_names`)."""
    span = _span(t)
    if span is None or span[0] == 0 or not _ENUMERATION_MARK.fullmatch(t.sentence[span[0] - 1]):
        return None
    start, end, value = span
    if value < end or _RANGE.search(t.sentence[end:value]):
        return None
    clause_start = _clause_start(t.sentence, start)
    names, _, inside = _names(t.sentence[clause_start:end], end - clause_start)
    return names, inside


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
        self._shares: dict[tuple[str, str], str] = {}
        for c in codes:
            for field in ("part_of", "new_of"):
                if getattr(c, field) is not None and getattr(c, field) not in self.codes:
                    raise CodeListError(f"{where}: {c.code}: {field} {getattr(c, field)!r} is not a code")
            if c.share_of is not None:
                if len(c.share_of) != 2 or any(s not in self.codes for s in c.share_of):
                    raise CodeListError(f"{where}: {c.code}: share_of {list(c.share_of)!r} is not two codes")
                other = self._shares.setdefault(tuple(c.share_of), c.code)
                if other != c.code:
                    raise CodeListError(f"{where}: {c.code}: share_of {list(c.share_of)!r} is already {other}'s")
            for alias in (c.zh, *c.aliases):
                key = normalize_indicator(alias)
                other = self._alias.setdefault(key, c.code)
                if other != c.code:
                    raise CodeListError(f"{where}: alias {alias!r} ({key!r}) of {c.code} is already "
                                        f"an alias of {other}")
        self._stocks = {c.new_of for c in codes if c.new_of is not None}
        self._shares_of_part: dict[str, list[str]] = {}
        for (part, _), code in self._shares.items():
            self._shares_of_part.setdefault(part, []).append(code)
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
                share_of = entry.get("share_of")
                codes.append(IndicatorCode(code=entry["code"], zh=entry["zh"], en=entry["en"],
                                           units=tuple(entry["units"]), growth=entry.get("growth"),
                                           part_of=entry.get("part_of"), aliases=tuple(entry.get("aliases", ())),
                                           new_of=entry.get("new_of"),
                                           share_of=tuple(share_of) if share_of is not None else None,
                                           context=tuple(entry.get("context", ()))))
            except (KeyError, TypeError) as err:
                raise CodeListError(f"{path}: codes[{i}]: missing or bad field {err}") from None
        compounds = {c["text"]: tuple(c["parts"]) for c in data.get("compounds", [])}
        return cls(codes, compounds, where=str(path))

    def __len__(self) -> int:
        return len(self.codes)

    def code_for(self, indicator: str, *, unit: str | None = None, measure: str = "level") -> str | None:
        """The code of one indicator name, or None when no alias matches, the unit does not fit or the code
        needs words around the value (``context``: only :meth:`assign` sees them)."""
        code = self.lookup(indicator)
        if code is None or self.codes[code].context or not self.unit_fits(code, unit, measure):
            return None
        return code

    def lookup(self, indicator: str) -> str | None:
        """The code an indicator name is an alias of, or the share it names, whatever the unit."""
        names = _candidates(normalize_indicator(indicator))
        for name in names:
            if name in self._alias:
                return self._alias[name]
        return next((code for code in map(self._share, names) if code is not None), None)

    def _share(self, name: str) -> str | None:
        """The share code that ``A占B比重`` (or ``A占比``, A the part of one share only) names."""
        m = _SHARE.fullmatch(name)
        if m is None:
            return None
        part = self._alias_of(m["part"])
        if m["whole"] is None:
            shares = self._shares_of_part.get(part, [])
            return shares[0] if len(shares) == 1 else None
        return self._shares.get((part, self._alias_of(m["whole"])))

    def _alias_of(self, name: str) -> str | None:
        return next((self._alias[n] for n in _candidates(name) if n in self._alias), None)

    def unit_fits(self, code: str, unit: str | None, measure: str = "level") -> bool:
        """Whether a value in ``unit`` can be the code's (a level in one of its units, or any change rate)."""
        if unit is None or (measure == "change" and unit in CHANGE_UNITS):
            return True
        allowed = self.codes[code].units
        return unit in allowed or unit_category(unit) in allowed

    def compound_parts(self, indicator: str) -> tuple[str | None, ...] | None:
        """The codes a phrase such as 城乡居民人均可支配收入 (or an enumeration such as 住宿业、餐饮业营业额)
        names in order, None for other phrases; an enumerated name without a code gives None in its place."""
        names = _candidates(normalize_indicator(indicator))
        for name in names:
            if name in self.compounds:
                return self.compounds[name]
        parts = _ENUMERATION_MARK.split(names[0]) if "、" in names[0] else []
        if len(parts) < 2 or not all(parts):
            return None
        codes = tuple(self.listed(parts, i) for i in range(len(parts)))
        return codes if any(codes) else None

    def listed(self, names: Sequence[str], at: int, name: str | None = None) -> str | None:
        """The code of the name at place ``at`` of an enumeration (``name``: a tagged span within it, tried
        first), completed where the list shortened it (城镇 in 城镇、农村居民人均可支配收入, 死亡人数 in
        事故起数、死亡人数): with the longest ending of the last name, or else the longest beginning of the
        first one, that makes an alias."""
        first, last = normalize_indicator(names[0]), normalize_indicator(names[-1])
        tried = []
        for text in dict.fromkeys([normalize_indicator(n) for n in (name, names[at]) if n is not None]):
            tried += [text] + [text + last[k:] for k in range(1, len(last) - _MIN_ENDING + 1) if at < len(names) - 1] \
                + [first[:k] + text for k in range(len(first) - 1, _MIN_ENDING - 1, -1) if at > 0]
        return next((code for code in map(self.lookup, tried) if code is not None), None)

    def _share_in_context(self, t: _Coded, tuples: Sequence[_Coded]) -> str | None:
        """The share a value in % names with the words from 占 to the value (see the module's decisions), the
        part named in the same clause or the one before."""
        span = _span(t)
        if span is None:
            return None
        start, end, value = span
        s = t.sentence
        names = [u for u in tuples if u.sentence_start == t.sentence_start and _span(u) is not None]
        if any(word in t.indicator for word in _SHARE_WORDS):
            before = [u for u in names if u.indicator_start + len(u.indicator) <= t.indicator_start]
            if not before:
                return None
            part = max(before, key=lambda u: u.indicator_start)
            between, words = s[_span(part)[1]:start], s[start:value]
            part_name, shortest = part.indicator, len(t.indicator)
        else:
            at = max(s.rfind(word, end, value) for word in _SHARE_WORDS)
            if at < 0:
                return None
            between, words, part_name, shortest = s[end:at], s[at:value], t.indicator, 2
            if any(end <= _span(u)[0] < at for u in names):
                return None
        if len(_CLAUSE_END.findall(between)) > 1:  # the part's clause or the one before the share's
            return None
        for k in range(len(words), shortest - 1, -1):
            code = self.lookup(part_name + words[:k])
            if code is not None and self.codes[code].share_of is not None:
                return code if self.unit_fits(code, t.unit, t.measure) else None
        return None

    def assign(self, tuples: Sequence[_Coded]) -> list[str | None]:
        """Codes of one document's tuples (same order); compound phrases, enumerations, shares and counts
        need the document's other tuples (see the module's decisions)."""
        grouped = [in_clause_group(t) for t in tuples]
        out: list[str | None] = [self._fitting(self.lookup(t.indicator), t) if ok else None
                                 for t, ok in zip(tuples, grouped)]
        direct = [code is not None for code in out]
        self._assign_compounds(tuples, grouped, out)
        self._assign_enumerations(tuples, grouped, direct, out)
        for i, t in enumerate(tuples):
            if out[i] is None and grouped[i] and t.unit == "%" and t.measure == "level":
                out[i] = self._share_in_context(t, tuples)
        for i, t in enumerate(tuples):
            if out[i] is None:
                continue
            code = self.codes[out[i]]
            if code.context and not any(word in clause_group_before(t) for word in code.context):
                out[i] = None
            elif code.new_of is not None or code.code in self._stocks:
                if count_reading(t) == ("stock" if code.new_of is not None else "new"):
                    out[i] = None
        return out

    def _fitting(self, code: str | None, t: _Coded) -> str | None:
        return code if code is not None and self.unit_fits(code, t.unit, t.measure) else None

    def _assign_compounds(self, tuples: Sequence[_Coded], grouped: list[bool], out: list[str | None]) -> None:
        """Parts of compound phrases and of enumerations in one span, in the text order of their values."""
        groups: dict[tuple, list[int]] = {}
        for i, t in enumerate(tuples):
            if out[i] is None and grouped[i] and self.compound_parts(t.indicator) is not None:
                groups.setdefault((t.indicator_start, t.indicator, t.measure, t.unit), []).append(i)
        for (_, indicator, _, _), members in groups.items():
            parts = self.compound_parts(indicator)
            if len(members) == len(parts):
                for i, code in zip(sorted(members, key=lambda i: tuples[i].value_start), parts):
                    out[i] = self._fitting(code, tuples[i])
                continue
            for i in members:  # 三次产业分别增长x、y、z with a value linked elsewhere: the place says which part
                found = enumeration(tuples[i], len(parts))
                if found is not None and len(found[0]) == 1:
                    out[i] = self._fitting(parts[found[2]], tuples[i])

    def _assign_enumerations(self, tuples: Sequence[_Coded], grouped: list[bool], direct: list[bool],
                             out: list[str | None]) -> None:
        """A value of ``A、B和C分别…`` takes the code of the name at its place; without 分别, the values linked
        to the last name of a list (``A、B占比重达x、y``) do so when there are as many as names, and else leave
        it all but the last one."""
        lists: dict[tuple, tuple[list[str], bool, list[int]]] = {}
        for i, t in enumerate(tuples):
            found = enumeration(t) if grouped[i] else None
            if found is not None:
                names, name_at, value_at, inside = found
                own = name_at == value_at and inside
                if not (own and out[i] is not None):
                    out[i] = self._fitting(self.listed(names, value_at, t.indicator if own else None), t)
            elif direct[i] and (closed := closing_list(t)) is not None:
                lists.setdefault((t.indicator_start, t.indicator, t.measure, t.unit), (*closed, []))[2].append(i)
        for names, inside, members in lists.values():
            ordered = sorted(members, key=lambda i: tuples[i].value_start)
            if len(ordered) != len(names):
                for i in ordered[:-1]:
                    out[i] = None
                continue
            for at, i in enumerate(ordered):
                own = at == len(names) - 1 and inside
                out[i] = self._fitting(self.listed(names, at, tuples[i].indicator if own else None), tuples[i])

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
    """The shipped codes of one document's tuples (same order); see :meth:`CodeBook.assign`."""
    return default_codebook().assign(tuples)
