"""Infer report metadata (GUIDELINES §1: town, published, default_period, reference_month) from text.

Callers of ``govie extract`` often know nothing about a report, yet every tuple's ``town`` and
``period_norm`` hang on these four fields.  Each inference says how it was made and how sure it
is; a field that the text does not support is None and listed in ``missing`` — a year is never
guessed, because a wrong year silently corrupts every table built from the output.

The reporting unit is read from where a report names itself (page header, '在XX第N届人民代表大会',
'我代表XX人民政府', title, '在…领导下,XX镇') or else from the most mentioned division of the right kind (我市 → a 市);
``resources/divisions.tsv`` turns every written form into the full official name (黔东南州 →
黔东南苗族侗族自治州).  Towns are in no table: their names come from the X镇/乡/街道 pattern.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from govie.document import Meta
from govie.periods import normalize_period, period_bounds

__all__ = ["Division", "DivisionTable", "FieldSource", "InferredMetadata", "infer_metadata", "load_divisions"]

DIVISIONS_PATH = Path(__file__).resolve().parent / "resources" / "divisions.tsv"

_SUFFIXES = ("街道", "自治州", "自治县", "自治旗", "镇", "乡", "县", "区", "市", "盟", "州", "旗", "省")
_GENERIC = set("全本我各该市县区镇乡省国中党人政委会老一二三四五六七八九十个这那其下上本次主重治代表丽色心"
               "和与及的了在对为是把被从向将就都也又而府部厅局业园点范强级型")
_SUFFIX_CHARS = set("镇乡县区市盟州旗省街")
_BOUNDARY_CHARS = set("在是对和与及由为到从向于将把的了省")
# words that stand before 市/镇/县 in titles and rankings, not names: 试点市, 卫生镇, 百强县
_NOT_NAMES = {"试点", "示范", "卫生", "文明", "园林", "特色", "美丽", "森林", "生态", "历史", "文化", "旅游", "工业",
              "重点", "小城", "全国", "全省", "宜居", "智慧", "海绵", "韧性", "健康", "平安", "法治", "双拥",
              "创新", "开放", "边境", "口岸", "地级", "县级", "省级", "国家", "农业", "商贸", "物流", "枢纽",
              "建设", "推动", "发展", "加快", "完成", "实施", "实现", "推进", "经济", "打造", "提升", "全面",
              "深化", "促进", "服务", "带动", "支持", "保障", "创建", "获评", "荣获", "入选", "成功", "持续"}
_HEADER_DATE = re.compile(r"(?:发布时间|更新时间|发文时间|发布日期|发文日期|成文日期|日期|时间)\s*[:：]\s*"
                          r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
_HEADER_UNIT = re.compile(r"(?:发文机关|发文单位|发布机构|来源|信息来源|内容来源)\s*[:：]\s*([\u4e00-\u9fa5]{2,12})")
_LUNAR = re.compile(r"农历\s*([甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥])年\s*(闰?[正一二三四五六七八九十冬腊]+月"
                    r"[初十廿卅一二三四五六七八九]+)")
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DELIVERY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*在[^。\n]{2,40}?(?:会议|大会)")
_REPORT_TITLE = re.compile(r"(\d{4})年(上半年|下半年|一季度|前三季度)?(?:政府)?(?:工作报告|党代会报告|工作总结|报告)")
_REVIEW_YEAR = re.compile(r"(?:回顾|刚刚过去的|过去的)\s*(\d{4})\s*年?|(\d{4})年(?:政府)?(?:工作)?的?回顾|(\d{4})年工作总结")
# a paragraph that opens the review of a year: '2023年，在市委…', '刚刚过去的2025年，', '2023年是…之年'
_OPENING_YEAR = re.compile(r"(?:^|[\n。])\s*(?:[一二三四五六七八九十]+、\s*)?(?:刚刚过去的|过去的)?(\d{4})\s*年\s*[，,是]")
_DELIVERY_UNIT = re.compile(r"我代表\s*([\u4e00-\u9fa5]{0,10}?)(市|县|区|州|镇|乡|盟|旗|省)?(?:人民政府|政府|行署|行政公署)")


@dataclass(frozen=True)
class FieldSource:
    """How one metadata field was obtained: its value, the rule used and a 0-1 confidence."""

    value: str | None
    how: str
    confidence: float


@dataclass
class InferredMetadata:
    """The inferred :class:`Meta`, where each field came from, and which fields stayed unknown."""

    meta: Meta
    sources: dict[str, FieldSource] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def infer_metadata(text: str, *, town: str | None = None, published: str | None = None,
                   default_period: str | None = None, reference_month: str | None = None) -> InferredMetadata:
    """Fill the §1 metadata of a report from its text; values given by the caller are kept as is."""
    norm = unicodedata.normalize("NFKC", text or "")
    sources: dict[str, FieldSource] = {}

    sources["town"] = FieldSource(town, "given", 1.0) if town else _infer_town(norm)
    sources["published"] = FieldSource(published, "given", 1.0) if published else _infer_published(norm)
    pub = sources["published"].value
    delivery = _DELIVERY.search(norm)
    sources["default_period"] = (FieldSource(default_period, "given", 1.0) if default_period
                                 else _infer_default_period(norm, pub, delivery))
    if reference_month:
        sources["reference_month"] = FieldSource(reference_month, "given", 1.0)
    elif pub:
        sources["reference_month"] = FieldSource(pub[:7], "month of the publication date", sources["published"].confidence)
    elif delivery:
        y, m = int(delivery.group(1)), int(delivery.group(2))
        sources["reference_month"] = FieldSource(f"{y}-{m:02d}", f"delivery date {delivery.group(0)[:40]!r}", 0.9)
    elif sources["default_period"].value:
        dp = sources["default_period"].value
        sources["reference_month"] = FieldSource(period_bounds(dp)[1], "last month of default_period",
                                                 min(0.6, sources["default_period"].confidence))
    else:
        sources["reference_month"] = FieldSource(None, "no date in the text", 0.0)

    meta = Meta(town=sources["town"].value, published=sources["published"].value,
                default_period=sources["default_period"].value, reference_month=sources["reference_month"].value)
    missing = [name for name, src in sources.items() if src.value is None]
    return InferredMetadata(meta=meta, sources=sources, missing=missing)


# -- administrative divisions ----------------------------------------------------------------------

_LEVELS = ("province", "prefecture", "county")
# the kind of unit a full name denotes, longest suffix first: 自治州 is a 州, 地区 and 自治区 answer to 全区
_KIND_OF_SUFFIX = (("特别行政区", "区"), ("自治区", "区"), ("自治州", "州"), ("自治县", "县"), ("自治旗", "旗"),
                   ("地区", "区"), ("林区", "区"), ("市", "市"), ("省", "省"), ("盟", "盟"), ("州", "州"),
                   ("县", "县"), ("区", "区"), ("旗", "旗"))
# bare stems that are also common words in reports ('长治久安'): such a mention is not a name
_STEM_WORDS = ("长治久安", "世界大同", "来宾朋友", "各位来宾", "中山装", "白银饰")


@dataclass(frozen=True)
class Division:
    """One administrative division: its full official name, level, parent and short forms."""

    name: str
    level: str
    parent: str
    aliases: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The unit word a report uses for itself (我市, 全州, 全区…)."""
        return next(k for suffix, k in _KIND_OF_SUFFIX if self.name.endswith(suffix))


@dataclass
class DivisionTable:
    """Every written form of a division (full name, listed short forms, bare stem) mapped to divisions."""

    divisions: dict[str, Division]
    forms: dict[str, list[tuple[Division, int]]]  # form -> (division, weight: 3 full/suffixed, 1 bare stem)

    @functools.cached_property
    def _pattern(self) -> re.Pattern:
        return re.compile("|".join(re.escape(f) for f in sorted(self.forms, key=len, reverse=True)))

    def resolve(self, name: str, kind: str | None = None) -> Division | None:
        """The division a written name denotes (黔东南州 → 黔东南苗族侗族自治州); ``kind`` settles 吉林 (省 or 市)."""
        entries = self.forms.get(name, [])
        if kind:
            entries = [e for e in entries if e[0].kind == kind] or entries
        if not entries:
            return None
        exact = [d for d, _ in entries if d.name == name]
        return exact[0] if exact else max(entries, key=lambda e: (e[1], -_LEVELS.index(e[0].level)))[0]

    def mentions(self, text: str) -> Counter:
        """Weighted mentions per division name, longest form first (大兴安岭 is not 兴安)."""
        scores: Counter = Counter()
        for m in self._pattern.finditer(text):
            if any(m.start() >= w.index(m.group(0)) and text.startswith(w, m.start() - w.index(m.group(0)))
                   for w in _STEM_WORDS if m.group(0) in w):
                continue
            for division, weight in self.forms[m.group(0)]:
                scores[division.name] += weight
                if division.level == "county" and division.parent in self.divisions:
                    scores[division.parent] += 1  # a report names the counties of its own prefecture
        return scores


def _parse_divisions(path: Path) -> DivisionTable:
    divisions: dict[str, Division] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("name\t"):
            continue
        cols = line.split("\t")
        if len(cols) != 4 or cols[1] not in _LEVELS or not cols[0].endswith(tuple(s for s, _ in _KIND_OF_SUFFIX)):
            raise ValueError(f"{path}:{lineno}: expected 'name<TAB>province|prefecture|county<TAB>parent<TAB>aliases' "
                             f"with a name ending in a unit suffix, got {line!r}")
        if cols[0] in divisions:
            raise ValueError(f"{path}:{lineno}: duplicate division {cols[0]!r}")
        divisions[cols[0]] = Division(cols[0], cols[1], cols[2], tuple(a for a in cols[3].split(",") if a))
    forms: dict[str, list[tuple[Division, int]]] = {}
    for d in divisions.values():
        written = {d.name: 3}
        for alias in d.aliases:
            written[alias] = 3 if alias.endswith(("州", "盟", "市", "县", "区", "旗")) else 1
        stem = re.sub(r"(?:市|省|盟|地区)$", "", d.name)
        if d.level != "county" and stem != d.name and len(stem) >= 2:
            written.setdefault(stem, 1)
        for form, weight in written.items():
            forms.setdefault(form, []).append((d, weight))
    return DivisionTable(divisions, forms)


@functools.lru_cache(maxsize=4)
def load_divisions(path: str | Path | None = None) -> DivisionTable:
    """The division table govie ships (resources/divisions.tsv), or another file in the same format."""
    return _parse_divisions(Path(path) if path else DIVISIONS_PATH)


# -- town ------------------------------------------------------------------------------------------

_NUMERAL = "一二三四五六七八九十0-9"
_CONGRESS = re.compile(rf"在\s*([\u4e00-\u9fa5]{{2,16}}?)\s*第[{_NUMERAL}]+届人民代表大会")
_DELEGATE = re.compile(r"我代表\s*([\u4e00-\u9fa5]{2,16}?)(?:人民政府|政府|行政公署|行署)")
_SIGNATURE = re.compile(r"([\u4e00-\u9fa5]{2,16}?)人民政府(?:代?(?:市|县|区|州|盟|省|镇|乡)长|主席|盟长)")
_TITLE = re.compile(r"^\s*(?:标题\s*[:：])?\s*([\u4e00-\u9fa5]{2,16}?)(?:\d{4}年|关于|政府工作报告)", re.M)
_NATIONAL = re.compile(r"我代表国务院")
# the unit that acts under the leadership of the level above, however rarely it is named again:
# '在区委、区政府的坚强领导下,东城街道深入贯彻…'
# (towns only: counties and cities are in the division table, and a town's name is no common word)
_LED = re.compile(r"(?:领导|指导|带领)下\s*[,，]\s*([\u4e00-\u9fa5]{2,4}?)(街道|镇|乡)(?=[\u4e00-\u9fa5])")
# X市/X区/X县 that are places of another kind: 精致城市, 胜利社区, 起步区, 经开区
_NOT_UNIT = re.compile(r"(?:城|都|超|门|上|夜|集|股|楼|车|菜)市$|(?:旧|老|主|心)城区$|(?:社|园|景|片|街|小|矿|库|厂|校|发|范|税|贸"
                       r"|保|验|能|步|心|辖|牧|灾|湾|特|专|务|业|游|住|镇|点)区$|(?:郡|州|市|区)县$")


def _as_unit_name(raw: str, kind: str | None = None) -> tuple[str, bool] | None:
    """A written unit name as its full official name, and whether the table knows it; None if not a name."""
    name = re.sub(r"(?:人民政府|政府|办公室|党委|人大常委会).*$", "", raw)
    for i in range(len(name) - 1):  # '我们保定市' ends with the name: the longest tail the table knows
        division = load_divisions().resolve(name[i:], kind)
        if division is not None:
            return division.name, True
    stem = re.sub(r"(?:自治区|街道|自治州|自治县|自治旗|.)$", "", name)
    if len(stem) >= 2 and stem != "自治" and name.endswith(_SUFFIXES) and not any(c in _GENERIC for c in name[:2]):
        return name, False
    return None  # not a name: '自治区人民政府', '全市'


def _infer_town(text: str) -> FieldSource:
    kind = _unit_type(text)
    if _NATIONAL.search(text[:1500]):
        return FieldSource(None, "the State Council's national report: no local reporting unit", 0.0)
    named = _self_named(text, kind)
    if named is not None:
        return named
    if kind in ("镇", "乡"):  # towns are in no table
        return _infer_town_by_pattern(text, kind)
    ranked = _rank_units(text, kind)
    if ranked and ranked[0][1] >= (1 if kind else 6):
        divisions = load_divisions().divisions
        name, score = ranked[0]
        # a prefecture report also says 全省 when it speaks of its province: a child that
        # outnumbers its parent threefold is the reporting unit
        scores = load_divisions().mentions(text)
        child = max(((n, s) for n, s in scores.items() if divisions[n].parent == name), key=lambda e: e[1], default=None)
        if child and child[1] >= max(3 * score, 15):
            return FieldSource(child[0], f"{child[0]} ({child[1]} points) outnumbers its parent {name} ({score})", 0.7)
        second = ranked[1][1] if len(ranked) > 1 else 0
        sure = 0.85 if score >= 2 * max(second, 5) else 0.65 if score >= 6 else 0.55 if score >= 3 else 0.4
        where = "in the division table" if name in divisions else "written in full (not in the division table)"
        return FieldSource(name, f"most mentioned {kind or 'unit'} {where} ({score} points, next {second})",
                           sure if kind else sure - 0.15)
    found = _infer_town_by_pattern(text, kind)
    if found.value:
        unit = _as_unit_name(found.value, kind)
        if unit and unit[1]:
            return FieldSource(unit[0], found.how + " → division table", found.confidence)
    return found


def _self_named(text: str, kind: str | None) -> FieldSource | None:
    """The unit where the report names itself: page header, congress, delegate, signature, title,
    the subject of '在…领导下'."""
    head = text[:1500]
    strong = ((_HEADER_UNIT, head, "page header", 0.95), (_CONGRESS, text[:600], "delivered at the congress of", 0.95),
              (_DELEGATE, head, "delivered on behalf of", 0.95), (_SIGNATURE, head, "signed by the government of", 0.9),
              (_TITLE, head, "title", 0.9))
    for pattern, where, how, confidence in strong:
        for m in pattern.finditer(where):
            unit = _as_unit_name(m.group(1), kind)
            if unit:
                known = unit[1] or unit[0].endswith(("镇", "乡", "街道"))  # towns are in no table
                return FieldSource(unit[0], f"{how} {m.group(0)[:24]!r}" + ("" if unit[1] else " (not in the division table)"),
                                   confidence if known else confidence - 0.1)
    for m in _LED.finditer(head):
        if not _is_word(m.group(1)) and not any(c in _GENERIC for c in m.group(1)):
            return FieldSource(m.group(1) + m.group(2), f"acts under the leadership of the level above {m.group(0)[:24]!r}", 0.85)
    return None


def _rank_units(text: str, kind: str | None) -> list[tuple[str, int]]:
    """Divisions of the reporting unit's kind (and full-written names outside the table), best first."""
    table = load_divisions()
    divisions = table.divisions
    # a 盟 and a 地区 are both run by a 行署
    ranked = [(n, s) for n, s in table.mentions(text).items()
              if kind is None or divisions[n].kind == kind or (kind == "盟" and n.endswith("地区"))]
    if kind is None:  # no 我市/全县…: a province is the reporting unit only if it says so (全省)
        ranked = [(n, s) for n, s in ranked if divisions[n].level != "province"]
    if kind in ("县", "区", "旗", "市"):  # counties and districts outside the table, written in full
        best_known = max((s for _, s in ranked), default=0)
        for name, n in _full_mentions(text).items():
            if name.endswith(kind) and not _NOT_UNIT.search(name) and table.resolve(name) is None:
                # the bare stem counts only as often as the full name ('配合' is no name)
                score = 3 * n + min(text.count(name[:-1]) - n, 2 * n)
                # a prefecture's review names its county-level cities (荣成市 in 威海's) more often
                # in full than itself: an unlisted name must outnumber the listed ones threefold
                if score >= 3 * best_known:
                    ranked.append((name, score))
    # the reporting unit is also the one whose government and congress the text names ('绵阳市人民政府',
    # '阿坝州委'); table names only: '配合市人大' is no 配合市
    return sorted(((n, s + 5 * len(re.findall(rf"{re.escape(n)}(?:人民政府|政府|委员会|人大|政协|委(?!员))", text))
                    if n in divisions else s) for n, s in ranked), key=lambda e: -e[1])


def _unit_type(text: str) -> str | None:
    """The kind of reporting unit (市, 县, 镇…) from ``我代表市人民政府``, ``行署``, ``全镇``…"""
    m = _DELIVERY_UNIT.search(text)
    if m and m.group(2):
        return m.group(2)
    if "行署" in text[:2000] or "行政公署" in text[:2000]:
        return "盟"
    # 我州 names the speaker's own unit; 全省 also ranks it against its province ('居全省第一'), and a
    # town report says 全区 of its district, so 全区 is no evidence of a district
    counts = Counter({k: 3 * n for k, n in Counter(re.findall(r"(?:我|本)(市|县|区|州|镇|乡|盟|旗|省)", text)).items()})
    counts.update(re.findall(r"全(市|县|州|镇|乡|盟|旗|省)(?![第前首平最唯同排领率])", text))
    counts.update(re.findall(r"(镇|乡|县|市|州|省)(?:党委|人大|政府|人民政府)", text))
    return counts.most_common(1)[0][0] if counts else None


def _candidates(text: str) -> Counter:
    """Name + suffix strings (``斜桥镇``) with a score: full mentions count double, bare stems once."""
    full = _full_mentions(text)
    scored: Counter = Counter()
    for name, n in full.items():
        stem = name[:-len(next(s for s in _SUFFIXES if name.endswith(s)))]
        # full mentions dominate: a frequent verb before 市 ('坚持市场') must not outvote a name
        scored[name] = 10 * n + min(text.count(stem) - n, 20)
    return scored


def _full_mentions(text: str) -> Counter:
    """How often each name-like stem + unit suffix (``斜桥镇``, ``黄山区``) is written out."""
    full: Counter = Counter()
    for suffix in _SUFFIXES:
        for length in (2, 3, 4):
            for m in re.finditer(rf"(?=([\u4e00-\u9fa5]{{{length}}}){suffix}(?![场民域级长属辖内容貌区政值直面中委]))", text):
                stem = m.group(1)
                before = text[m.start() - 1] if m.start() else " "
                if "\u4e00" <= before <= "\u9fa5" and before not in _BOUNDARY_CHARS:
                    continue  # a name starts after punctuation or a function word, not mid-word
                if _is_word(stem) or any(c in _GENERIC for c in stem) or any(stem[i:i + 2] in _NOT_NAMES for i in range(len(stem) - 1)):
                    continue
                full[stem + suffix] += 1
    return full


def _infer_town_by_pattern(text: str, kind: str | None) -> FieldSource:
    """Name + suffix strings and name-like words: the only evidence for towns, which no table lists."""
    scored = _candidates(text)
    ranked = [(name, score) for name, score in scored.most_common()
              if text.count(name) >= 2 or (name in text and text.count(name[:2]) >= 6)]
    if kind:
        typed = [(n, sc) for n, sc in ranked if n.endswith(kind)]
        bare = _bare_name(text)
        if typed and bare is not None and bare[0] not in typed[0][0] and \
                bare[1] >= 2 * text.count(typed[0][0][:-len(kind)]):
            # a county-level city named a few times inside a city report: the bare name wins
            typed = []
        if typed:
            name, score = typed[0]
            return FieldSource(name, f"most frequent {kind} name ({score} points)", 0.8 if text.count(name) >= 2 else 0.6)
        for name, score in ranked:
            # '吉安县' seen in a report delivered by the 市人民政府 whose bare name is 吉安
            stem = re.sub(r"(?:街道|自治州|自治县|自治旗|.)$", "", name)
            if text.count(stem) >= 10:
                return FieldSource(stem + kind, f"bare name {stem!r} + unit type {kind}", 0.5)
        if bare is not None:
            stem, n = bare
            return FieldSource(stem + kind, f"most frequent name-like word {stem!r} ({n}x) + unit type {kind}", 0.5)
    elif ranked:
        name, score = ranked[0]
        return FieldSource(name, f"most frequent reporting-unit name ({score} points)", 0.6)
    return FieldSource(None, "no reporting-unit name found", 0.0)


# -- dates -----------------------------------------------------------------------------------------

def _valid(y: int, m: int, d: int) -> str | None:
    import datetime as dt
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _infer_published(text: str) -> FieldSource:
    head = text[:3000]
    m = _HEADER_DATE.search(head)
    if m and (value := _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
        return FieldSource(value, f"page header {m.group(0)[:24]!r}", 0.95)
    lunar = _LUNAR.search(head[:800])
    if lunar:
        years = [int(y) for y in re.findall(r"(?<!\d)(20\d\d|19\d\d)(?!\d)", text)]
        # the sexagenary year is unique within 60 years: the one nearest a year the text
        # mentions, else the one in 1984-2043 (the era of online reports)
        near, conf = (max(years), 0.85) if years else (2013, 0.7)
        value = normalize_period(lunar.group(0), year=near, reference_month=None)
        if value:
            return FieldSource(value, f"lunar masthead date {lunar.group(0)!r}", conf)
    return FieldSource(None, "no publication date on the page", 0.0)


def _infer_default_period(text: str, published: str | None, delivery: re.Match | None) -> FieldSource:
    head = text[:1500]
    title = _REPORT_TITLE.search(head)
    if title:
        year, part = int(title.group(1)), title.group(2)
        if part:
            norm = normalize_period(part, year=year, reference_month=None)
            return FieldSource(norm, f"title {title.group(0)!r}", 0.9)
        review = _REVIEW_YEAR.search(head)
        if review:
            ry = int(next(g for g in review.groups() if g))
            return FieldSource(str(ry), f"review of {ry} ({review.group(0)!r})", 0.9)
        if "政府工作报告" in title.group(0) or "党代会" in title.group(0):
            # a government work report delivered in year Y reviews Y-1
            return FieldSource(str(year - 1), f"report delivered in {year} ({title.group(0)!r})", 0.75)
        return FieldSource(str(year), f"title {title.group(0)!r}", 0.7)
    review = _REVIEW_YEAR.search(head)
    if review:
        ry = int(next(g for g in review.groups() if g))
        return FieldSource(str(ry), f"review of {ry} ({review.group(0)!r})", 0.85)
    if delivery:
        return FieldSource(str(int(delivery.group(1)) - 1), "year before the delivery date", 0.6)
    opening = _OPENING_YEAR.search(text[:6000])
    if opening:
        return FieldSource(opening.group(1), f"the review opens with {opening.group(0).strip()[:16]!r}", 0.6)
    titled = _title_part(text, published)
    if titled is not None:
        return titled
    if published and re.search(r"本报讯|农历|记者|通讯员", head + text[:3000]):
        return FieldSource(published[:7], "newspaper: month of publication", 0.7)
    if published:
        half = re.search(r"(今年)?上半年", head)
        if half:
            return FieldSource(f"{published[:4]}-H1", "first half of the publication year", 0.6)
        return FieldSource(None, "publication date but no period named", 0.0)
    plan = _PLAN_HEADING.match(next((line.strip() for line in text.splitlines() if line.strip()), ""))
    if plan:
        return FieldSource(plan.group(1), f"a plan section headed {plan.group(0)[:20]!r}", 0.7)
    return _part_of_latest_year(text)


# a text that opens with the plan part of a report: '二、2024年重点工作', '2024年工作安排建议'
_PLAN_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、)?\s*((?:19|20)\d\d)年(?:的)?[^。；\n]{0,16}"
                           r"(?:工作|任务|目标|安排|要求|打算)")


# the part of a year a title names: '上半年 我县经济运行稳中向好', '2024年1-9月全区经济运行情况'
_TITLE_PART = re.compile(r"(?:(\d{4})\s*年)?(上半年|下半年|前三季度|第?[一二三四]季度|1\s*[-—–~至]\s*(?:[2-9]|1[01])\s*月)")


def _title_part(text: str, published: str | None) -> FieldSource | None:
    """The part of the year the title (first line) names: of the year it writes, else of the
    publication year, or the year before when that part would end after the publication."""
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    m = _TITLE_PART.search(title) if len(title) <= 40 else None
    if m is None or not (m.group(1) or published):
        return None
    year = int(m.group(1) or published[:4])
    norm = normalize_period(m.group(2), year=year, reference_month=None)
    if norm and not m.group(1) and period_bounds(norm)[1] > published[:7]:
        year -= 1
        norm = normalize_period(m.group(2), year=year, reference_month=None)
    if norm is None:
        return None
    if m.group(1):
        how = "the year it writes"
    else:
        how = f"{year}, the year before publication" if year < int(published[:4]) else f"{year}, the publication year"
    return FieldSource(norm, f"title {title[:24]!r} names {m.group(2)!r}, of {how}", 0.8)


_THIS_YEAR_PART = re.compile(r"今年(?:的)?(上半年|下半年|第?一季度|前三季度)")
# a year as written (2023年), not a deadline or target ('到2025年', '2025年前', '2025年目标')
_WRITTEN_YEAR = re.compile(r"(?<![\d到至])((?:19|20)\d\d)\s*年(?!底?前|目标|末前)")


def _part_of_latest_year(text: str) -> FieldSource:
    """'今年上半年' in a report whose latest written year is 2023 → 2023-H1: the text's own, weaker evidence."""
    part = _THIS_YEAR_PART.search(text[:3000])
    years = [int(y) for y in _WRITTEN_YEAR.findall(text)]
    if not part or not years:
        return FieldSource(None, "no year in the text" if not years else "years in the text but no report period", 0.0)
    year = max(years)
    norm = normalize_period(part.group(1).replace("第", ""), year=year, reference_month=None)
    if norm is None:
        return FieldSource(None, f"cannot normalize {part.group(0)!r}", 0.0)
    return FieldSource(norm, f"{part.group(0)!r} of the latest year the text writes ({year})", 0.5)




# Character bigrams found in at least 40% of the 191 reports of corpora/unlabeled: words of the
# genre (发展, 建设, 坚持), never the name of a reporting unit.  Used to tell names from words.
_PACKED = (
    "一个一些一代一件一体一定一小一带一年一批一是一期一次一步一流一策一线一网一老一般一路一轮万个万亩万人万亿万元万千万吨万家万工万平万户三个三大三年三是三次三级三角上下上工上市上的上线上述上项下基下达下降"
    "不动不发不够不少不强不懈不扣不折不断不易不移不足不高与经专业专利专精专项世界业上业互业产业人业企业优业体业全业农业创业加业务业化业协业单业发业合业和业园业培业基业增业大业实业家业工业开业强业态业总业技"
    "业投业提业改业教业数业新业服业特业率业生业的业科业等业经业结业营业融业规业转业达业链业集业项业领业高两个严厉严峻严控严格严治个一个以个县个国个方个毫个百个省个确个维个重个项中全中医中华中国中央中小中心"
    "中村中求丰富为中为主为全为基为抓为指为核为民为重主义主体主党主动主导主监主线主要主题举办举措义务义思之年也是也清习贯习运习近乡低乡居乡村乡融乡镇书记予审争先争创争力争取事业事侨事务事故事项二中二十二届"
    "二是二期于全互联五个五大五次亡人交易交楼交流交通产业产值产力产品产安产市产性产总产投产教产权产治产能产量亩以京津人以人口人员人均人士人大人居人工人才人数人服人次人民人等亿元亿级今年从严代中代农代化代服"
    "代表以上以下以习以人以内以县以崇以解以赴以进以高们一们也们坚们将们更们要件事价值价格任制任务企业企改伍建休闲众的优先优势优化优秀优良优质会主会事会保会发会各会和会大会展会报会救会治会消会研会稳会等会精"
    "会议会资会预传承传统位代低保低收低效低碳住不住宅住房体制体化体和体就体工体建体推体的体系体经体育体要体规余额作为作会作出作取作回作安作总作机作法作用作的作监作风使命使用供应供水供给供销依托依法依然侧结"
    "侨务便利便民促消促稳促进保交保卫保护保持保督保税保险保障信心信息信用信访修复倍增债券债务值增做优做到做大做好做实做强停车健全健康健身储备储能僚主儿园儿童元以元化元的充分充电先立先行先进光伏克难免费兑现"
    "党中党派党的党风兜牢入全入分入国入增入学入实入开入推入新入贯入选全事全产全会全力全国全域全局全市全年全感全方全民全球全生全监全省全社全覆全过全部全面八项公交公共公办公司公园公安公平公开公正公益公立公路"
    "公里六大共享共体共卫共同共和共建共文共服共青共预关心关爱关系关键兴产兴示其中其他其实其常具有典型养老内外内涵内生内需军人军企军民农业农产农村农民农田冠疫决做决定决策决遏冷链净土准入准农准化准确减排减污"
    "减灾减税减负凝心出了出口出台出意出新出问分别分发分点分类切实划和划建划目列席列活则精刚性创业创全创历创国创建创新创造利用利益别增别达到位制在制定制宜制度制改制机制造前列前教前期前行前进力不力争力以力促"
    "力保力加力发力和力在力培力实力度力建力开力打力扩力抓力推力提力支力有力构力的力谱力量办事办好办学办实办成办法办理办第功举功创功能加以加值加力加大加工加强加快加紧加速务业务中务体务保务公务和务型务实务平"
    "务教务服务的务示务等务管务能务设务院务风动中动产动作动全动农动力动发动员动城动实动建动态动接动摇动新动经动能动计动高助企助力努力劳动势产化与化为化产化供化全化公化农化创化发化和化品化国化城化基化学化工"
    "化建化开化惠化推化提化改化政化旅化服化水化率化生化示化等化管化营化解化试化转化运化遗化重化项区创区发区和区域区建区改区生区等区获医保医共医疗医药医院十二十四十大十字十届千万千亿千方千瓦升向升和升城升工"
    "升级升行华人协作协同协委协提协民协调单位博物占比卫战卫生历史厉打压减压力去一去的县城县域县级参与参保及其友好双拥反腐反馈发力发区发展发投发挥发放发有发生发电发经取得受人变化口总可持可支台建史文各人各位"
    "各方各民各界各类各项合体合作合利合发合同合改合整合服合治合法合理合试同体同发同志同时同步名单后备后破后经向中向人向全向各向大向好向所向驻吞吐启动吸引告工员和员提周围周年周期和中和乡和产和人和企和公和农"
    "和发和各和国和城和增和安和工和市和改和政和新和服和深和生和省和社和美和谐和重和量和高品加品安品牌品等品药品质品零响力售总商业商务商品商引商环商联商贸善城善民善社四下四个四五四大四好四次四风回升回顾因地"
    "因素团体团结园区园建园林园等困难围绕固和固定固拓固提固树国企国债国内国务国双国土国家国式国成国文国有国民国特国第国经国防国际国首圆满土保土地土壤土空在于在以在全在市在此在省地下地产地位地保地制地区地和"
    "地团地建地方地等场主场化场景圾分均可均水均衡坚三坚克坚决坚定坚实坚强坚成坚战坚持坚行垃圾型中型企型农型升型城型工型政城中城为城乡城区城市城建城镇域医域协域性域改域社域经域风培养培育培训基地基层基本基础"
    "基调基金塑造境保境整境电境质增加增国增就增强增收增效增省增规增进增速增量增长壤污壮大处理处置备制复发复杂外事外开外贸外资多元多层多样夜间大中大事大产大代大会大做大内大力大及大和大型大学大宗大对大局大工"
    "大市大干大开大战大数大新大有大气大的大科大精大行大道大项天数央八央周央和央经夯实失业头企奋力奋斗奋进女儿好中好人好今好农好城好态好民好生好的好第好蓝妇女始终委会委十委员委坚委的子信字化字经存在存量学习"
    "学位学前学指学校学生学院孵化守住安全安排安置安防完善完工完成完整宗教宗消官僚官兵定不定位定信定及定在定性定的定资宜业宜居实中实事实体实做实党实力实加实增实干实开实抓实推实效实施实现实省实行实践实际实验"
    "审批审计审议宣传家以家企家农家卫家和家安家居家庭家文家电家级家重密地密型富裕察反对口对外对接对标导下导产导向导的小企小区小学小巨小微少年就业就是局之局和局面层次居全居宜居家居民居环届二届人展中展主展会"
    "展先展全展农展动展和展国展基展壮展大展学展安展工展成展数展文展新展格展水展活展环展现展理展的展示展脱展规展重履行山水岗位崇高工业工人工会工作工厂工商工建工投工智工程工等左右巨人巩固差距市上市中市人市公"
    "市创市功市区市县市发市和市场市域市委市建市政市更市民市生市第市管市级市经布局带一带动席人帮扶常委常态干事干警干部平台平同平均平安平总平新平方平稳平衡年人年全年发年工年度年政年新年是年来年的年经年行并举"
    "并请幸福幼儿广大广泛序推应对应急应用应链底线府债府向府和府工府建府系府自废城度假度和度改度融康养康发廉政廉洁延伸建全建农建国建工建成建新建省建立建筑建议建设建项建高开创开区开发开局开展开工开拓开放开通"
    "式主式现引导引资引进引领弘扬强与强产强农强劲强化强县强国强城强基强市强政强生强经强链强领当前当好形势形式形态形成形象彰显影响役军彻习彻党彻新彻落征程律监得到得感得新循环微企心和心城心建心支心的心等必须"
    "志为忠诚快发快实快建快形快打快推快构快速态保态修态势态化态文态环思想思维思路急难性住性和性支性改性新性服性租总书总产总体总值总基总投总部总量总额恢复患排情防惠企惠及惠民想为想主想科意义意的意见意识感谢"
    "慈善慧城成一成为成了成交成全成功成国成城成市成年成投成效成本成果成省成立成绩成通成长我代我们我市战略户区房地所有扎实打击打好打通打造托育执法执行扩大扩容扩建扩面扫黑扶持批全批国批重承办承接承载技创技型"
    "技成技改技术技能把握抓住抓好抓实抓手抓落投产投入投用投资折不抢抓护修护和报告担当拉动拓宽拓展拖欠招商招引拥共拥护拥模拼搏持不持以持企持全持和持在持把持政持的持社持稳持续持高挂牌指导指引指数指标指示按照"
    "挑战挖掘振兴排放排查排污探索接受接待控体控制控转推介推出推动推广推行推进措施提供提出提升提振提案提档提质提速提高搬迁播种擦亮支付支出支持支撑支配收入改善改建改扩改造改革攻关攻坚放军放心政决政务政协政府"
    "政建政执政治政策政绩故发故起效应效投效提效明效率效益效能救助救援救灾教育教融敬意数字数据数量整体整合整改整治文体文化文旅文明文物文章文艺斗争斗的断增断提断面新一新业新中新主新产新优新兴新冠新创新动新区"
    "新发新型新城新基新增新局新平新建新开新引新征新成新技新改新时新机新材新模新的新突新篇新能新质新进新驱新高方位方向方式方案方百方米方面施一施全施农施和施国施城施工施建施新施细施重旅游族宗无党无废日子旧小"
    "时代时间明城明建明显是中是全是实是市显著普及普惠普查普通景区智慧智能更加更多更大更好更新更有更高最大最好有企有关有利有力有序有待有效有机有资朋友服务期工期目未来本养本医本在本完本攻术产术企术创机关机制"
    "机场机构机械机遇权力权益材料村产村人村全村公村居村庄村建村振村改村治村生村路村集条件来之来产极争极发极培极推构建构性构改林城果转枢纽枫桥染防查整查研标任标准标志标是标杆树立校毕样板核心根本格局格执格落"
    "案例档升档案桥经检查检验棚户森林模以模化模式模范次会次全款余正式正文正确步伐步推步提武警死亡残疾段后比例比重毕业毫不民主民人民健民共民团民工民收民政民族民消民满民生民的民群民营民解民间气象气质氛围水利"
    "水处水平水库水治水源水环水管水质求是求真求进江经污染污水汽车没有河流河湖治党治化治安治建治攻治政治本治理法律法权法治法犯法行法规注重活力活动活圈活垃活污派人流域流通济发济回济增济实济工济带济恢济普济社"
    "济运济高浓度海外消费消防消除涉企涨幅深入深刻深加深化深度深推清单清洁清理清醒清零渠道港口港澳游客湿地源头源汽满意满足潜力潜能激励激发灾减灾害灾救点产点企点城点实点工点建点抓点群点行点项点领热线燃气爱国"
    "片区牢固牢牢牢记物业物医物流物馆特别特大特新特殊特色犯罪狠抓率先率控率达环保环境环节现代现全现在现场现新现质理人理体理和理增理工理念理水理现理等理能理论生产生保生动生命生城生实生态生服生活生物生福生育"
    "生领用地用场用外用好用心用水申报电信电力电商电子电桩电池电站畅通界人略性疗中疗保疗卫疫情疾人登记百亿百分百姓百强百计的一的主的二的党的全的关的决的发的各的合的同的地的坚的城的基的大的实的工的开的总的感"
    "的成的投的政的敬的新的有的消的现的生的目的精的结的良的重益的监察监测监督监管盖率盘活目全目前目加目建目开目投目标目的目落直接盾纠省前省委省市省政省第省级省首看到真落着力督和督察督支督查矛盾知名知识短板"
    "矿山研发研究础教础设确保确定确立碧水碳达示精示范示衷社会社保社区神和神的福祉种植种面科创科学科技科研租赁积极程序程建税降稳中稳健稳增稳妥稳定稳步究院空气空间突出突破立医立后竞争竣工第一第三第二第五第十"
    "第四等一等事等产等各等国等大等工等政等新等方等活等特等群等重等项等领等高筑牢策措策部筹发筹扩筹推筹新筹高签约算收管控管理管网篇章粮食精准精品精特精神精细系列系和系建系统素保素质紧密紧日紧盯紧紧累计繁荣"
    "纠治纠纷红十红色约束级以级旅级重纳入纵深线路组建组织细则细化经开经济经营经贸经费经验结合结在结奋结构结果给侧统一统产统党统性统筹统计继续绩效绩的绩观续优续加续增续实续巩续开续打续扩续推续提续改续深维护"
    "综合绿化绿地绿色编制网络美丽美乡美元美好群众群体老一老保老化老年老旧老服老金老龄考核而不耕地职业职工联动联合联盟联网联运聚力聚区聚焦育一育优育发育和育壮育成育新育赛能减能制能力能化能源能的能级能耗脱贫"
    "腐败自然自觉自身致以舆论航空般公般性良天良好良性艰巨色产色低色化色发色工色社艺术节点节约节能范化范区范县范园范围范城范基范市范村范项荣获药品获国获得获批获评营业营主营企营商营性营经营造落地落实落户蓝天"
    "蔬菜融入融合融服融机融资融风行业行为行力行动行区行政衔接街区衡发补短补贴补齐表市表建表示衷心装备装机西部要任要指要求要素要讲要载要预覆盖见效规上规划规定规模规范觉接解决解放解重解难解风警官计划计监认定"
    "认真认识让我议和议精讲话论坛论监设一设全设取设和设国设备设成设新设施设用设示设立设计设试设项设高访工评价评估评全评国识产识到诈骗诉求试点试验请予请市调发调度调整调查谋划谐稳谱写贡献财政责任质优质均质增"
    "质效质生质的质量贫攻贯彻贯穿贯通贷款贸易费价费品赁住资产资增资本资源资金资项赋能赛事赛道走出走在起数超过跨境路建路径路等路网践行身建转化转变转型转段转移载体较大达到达峰达标过去过程过紧迈出运会运动运用"
    "运营运行运输近平返贫还不还有还需这些进一进中进乡进产进以进促进入进全进农进出进制进县进取进国进城进展进工进市进房进政进新进步进民进生进的进社进科进行进重进高违法连续退休退役适老选全选国逐步通办通车通过"
    "通运通道通高速公造一造业造全造提造新造林造等造老造高遏制道路遗产遗留部分部署部群部门部队都市配套配收配置醒地采取释放重大重点重特重组重要量发量和量建量提量的量稳量达金融铁路银行铸魂链条销售锚定键一镇化"
    "镇新长三长制长效长期长江长点闭环问题闲置间总间投队伍防动防控防救防止防治防灾防范阳光阶段降低降碳降费院建除恶险防险隐隐患障体障和障性障水难和难群难题集中集体集团集成集约集群集聚零售需和需求需要青团青少"
    "青山青年非法面临面从面加面完面实面对面工面建面开面振面推面提面水面深面积面落面贯革创革发革命革开革深革试韧性项债项工项整项目项行项规顺利预期预算预警预计预防领军领域领导领悟领航题教题整额增风廉风险食产"
    "食品食安食播馈问首个首位首届首批驱动验区验室验收骨干高中高于高品高地高层高度高政高效高新高标高校高水高的高端高质高速高铁鲜明黑除鼓励龙头"
)

_COMMON_BIGRAMS: frozenset[str] = frozenset(_PACKED[i:i + 2] for i in range(0, len(_PACKED), 2))


# words of time that a half-year or quarterly report repeats as often as its town's name
_PERIOD_BIGRAMS = frozenset({"半年", "季度", "年度", "同期", "同比", "环比", "累计", "月份", "年底", "年末"})


def _is_word(stem: str) -> bool:
    return any(stem[i:i + 2] in _COMMON_BIGRAMS for i in range(len(stem) - 1))


def _bare_name(text: str) -> tuple[str, int] | None:
    """The most frequent non-word bigram, extended while its neighbours are fixed (锡林 → 锡林郭勒)."""
    counts: Counter = Counter()
    for run in re.findall(r"[\u4e00-\u9fa5]{2,}", text):
        for i in range(len(run) - 1):
            gram = run[i:i + 2]
            if gram not in _COMMON_BIGRAMS and gram not in _PERIOD_BIGRAMS and not any(c in _GENERIC for c in gram):
                counts[gram] += 1
    for gram, n in counts.most_common(3):
        if n < 5:
            return None
        stem = gram
        for _ in range(2):  # extend right/left while one neighbour follows in >= 80% of mentions
            grown = False
            for side in ("right", "left"):
                nb = Counter(text[m.end()] if side == "right" else text[m.start() - 1]
                             for m in re.finditer(re.escape(stem), text) if 0 < m.start() and m.end() < len(text))
                if nb:
                    ch, k = nb.most_common(1)[0]
                    if k >= 0.8 * n and "\u4e00" <= ch <= "\u9fa5" and ch not in _SUFFIX_CHARS and ch not in _GENERIC:
                        stem = stem + ch if side == "right" else ch + stem
                        grown = True
            if not grown:
                break
        return stem, n
    return None
