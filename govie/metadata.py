"""Infer report metadata (GUIDELINES §1: town, published, default_period, reference_month) from text.

Callers of ``govie extract`` often know nothing about a report, yet every tuple's ``town`` and
``period_norm`` hang on these four fields.  Each inference says how it was made and how sure it
is; a field that the text does not support is None and listed in ``missing`` — a year is never
guessed, because a wrong year silently corrupts every table built from the output.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from govie.document import Meta
from govie.periods import normalize_period, period_bounds, period_year

__all__ = ["FieldSource", "InferredMetadata", "infer_metadata"]

_SUFFIXES = ("街道", "自治州", "自治县", "自治旗", "镇", "乡", "县", "区", "市", "盟", "州", "旗", "省")
_GENERIC = set("全本我各该城市县区镇乡省国中党人政委会新老一二三四五六七八九十个这那其下上本次主重治代表丽色心"
               "和与及的了在对为是把被从向将就都也又而府部厅局业园点范强级型")
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
_REVIEW_YEAR = re.compile(r"(?:回顾|刚刚过去的|过去的)\s*(\d{4})\s*年?|(\d{4})年(?:工作)?回顾|(\d{4})年工作总结")
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


# -- town ------------------------------------------------------------------------------------------

def _unit_type(text: str) -> str | None:
    """The kind of reporting unit (市, 县, 镇…) from ``我代表市人民政府``, ``行署``, ``全镇``…"""
    m = _DELIVERY_UNIT.search(text)
    if m and m.group(2):
        return m.group(2)
    if "行署" in text[:2000] or "行政公署" in text[:2000]:
        return "盟"
    counts = Counter(re.findall(r"(?:全|我|本)(市|县|州|镇|乡|盟|旗|省)", text))
    counts.update(re.findall(r"(镇|乡|县|市|州|省)(?:党委|人大|政府|人民政府)", text))
    return counts.most_common(1)[0][0] if counts else None


def _candidates(text: str) -> Counter:
    """Name + suffix strings (``斜桥镇``) with a score: full mentions count double, bare stems once."""
    full: Counter = Counter()
    for suffix in _SUFFIXES:
        for length in (2, 3, 4):
            for m in re.finditer(rf"(?=([\u4e00-\u9fa5]{{{length}}}){suffix}(?![场民域级长属辖内容貌区政值直面中委]))", text):
                stem = m.group(1)
                if any(c in _GENERIC for c in stem) or any(stem[i:i + 2] in _NOT_NAMES for i in range(len(stem) - 1)):
                    continue
                full[stem + suffix] += 1
    scored: Counter = Counter()
    for name, n in full.items():
        stem = name[:-len(next(s for s in _SUFFIXES if name.endswith(s)))]
        scored[name] = 2 * n + text.count(stem) - n
    return scored


def _infer_town(text: str) -> FieldSource:
    head = text[:1500]
    for m in _HEADER_UNIT.finditer(head):
        value = re.sub(r"(?:人民政府|政府|办公室|党委).*$", "", m.group(1))
        if value.endswith(_SUFFIXES) and len(value) >= 3:
            return FieldSource(value, f"page header {m.group(0)[:20]!r}", 0.95)
    title = re.search(r"^\s*(?:标题\s*[:：])?\s*([\u4e00-\u9fa5]{2,10}?)(?:\d{4}年|关于)", head, re.M)
    if title and title.group(1).endswith(_SUFFIXES) and not any(c in _GENERIC for c in title.group(1)[:2]):
        return FieldSource(title.group(1), "title", 0.9)
    scored = _candidates(text)
    kind = _unit_type(text)
    ranked = [(name, score) for name, score in scored.most_common()
              if score >= 4 and (text.count(name) >= 2 or score >= 6)]
    if kind:
        typed = [(n, sc) for n, sc in ranked if n.endswith(kind)]
        if typed:
            name, score = typed[0]
            return FieldSource(name, f"most frequent {kind} name ({score} points)", 0.8 if text.count(name) >= 2 else 0.6)
        for name, score in ranked:
            # '吉安县' seen in a report delivered by the 市人民政府 whose bare name is 吉安
            stem = re.sub(r"(?:街道|自治州|自治县|自治旗|.)$", "", name)
            if text.count(stem) >= 5:
                return FieldSource(stem + kind, f"bare name {stem!r} + unit type {kind}", 0.5)
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
    if published and re.search(r"本报讯|农历|记者|通讯员", head + text[:3000]):
        return FieldSource(published[:7], "newspaper: month of publication", 0.7)
    if published:
        half = re.search(r"(今年)?上半年", head)
        if half:
            return FieldSource(f"{published[:4]}-H1", "first half of the publication year", 0.6)
        return FieldSource(None, "publication date but no period named", 0.0)
    return FieldSource(None, "no year in the text", 0.0)


