"""Normalize time expressions (PER spans) to the forms of GUIDELINES §4.

Forms: ``YYYY``, ``YYYY-H1``, ``YYYY-Qn``, ``YYYY-MM``, ``YYYY-MM-DD`` and intervals ``A/B``.
Year-less expressions take ``year`` (the year of the passage they are in); ``今年``/``去年``
and spans ending now use ``reference_month`` (§4).  Nothing is guessed: an expression that
needs a year nobody gave, or that is not a time expression, gives None.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

from govie.numbers import NumberError, parse_number

__all__ = ["normalize_period", "period_year", "period_bounds", "shift_period", "lunar_to_solar",
           "plan_period", "PeriodError"]


class PeriodError(ValueError):
    """A lunar date or plan number outside the supported range; the message says which."""


_CN = "〇零一二两三四五六七八九十"
_NUM = rf"(?:\d+|[{_CN}]+)"
_STRIP = "\"'“”‘’「」『』《》〈〉()（）[]【】 \u3000\t\r\n"

_QUARTER = re.compile(rf"^(?:第)?({_NUM})季度$")
_QUARTER_Q = re.compile(r"^Q([1-4])$", re.I)
_FIRST_N_QUARTERS = re.compile(rf"^前({_NUM})(?:个)?季度$")
_FIRST_N_MONTHS = re.compile(rf"^前({_NUM})个?月$")
_N_YEARS = re.compile(rf"^(?:过去|近|最近|这)?的?(\d{{1,2}}|[{_CN}]+)年(?:来|间|以来|中|里)?$")
_N_MONTHS = re.compile(rf"^(?:过去|近|最近)?({_NUM})个月(?:来|以来|间)?$")
_PLAN = re.compile(rf"^([{_CN}]+)五(?:规划|时期|期间|期)?$")
_ISO = re.compile(r"^(\d{4})[-./](\d{1,2})(?:[-./](\d{1,2}))?$")
_ABS = re.compile(rf"^(?:({_NUM})年)?(?:({_NUM})月(?:份)?)?(?:({_NUM})[日号])?$")
_RANGE_SEP = re.compile(r"\s*(?:至|到|—+|–|-|~|～)\s*")
_YEAR_PREFIX = re.compile(r"^(\d{4}|[〇零一二三四五六七八九]{4})年?")
_LUNAR = re.compile(rf"^(?:农历)?([甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥])年?(闰)?([正{_CN}冬腊]+)月([初十廿卅{_CN}]+)日?$")

_YEAR_WORDS = {"全年", "年度", "一年来", "过去一年", "这一年", "过去的一年", "本年", "当年", "本年度", "全年度",
               "年内", "一年", "这一年来", "一年多来", "年", "度"}
_HOLIDAYS = {"五一": "05-01", "国庆": "10-01", "元旦": "01-01", "十一": "10-01", "七一": "07-01",
             "六一": "06-01", "五四": "05-04", "八一": "08-01", "三八": "03-08"}


def _int(text: str) -> int | None:
    try:
        n = parse_number(text).value
    except NumberError:
        return None
    return n if isinstance(n, int) else None


def _ref(reference_month: str | None) -> tuple[int, int] | None:
    if not reference_month:
        return None
    m = re.match(r"^(\d{4})-(\d{2})", reference_month)
    return (int(m.group(1)), int(m.group(2))) if m else None


def plan_period(n: int) -> str:
    """The years of the n-th five-year plan: 14 → ``'2021/2025'`` (3rd plan started 1966)."""
    if n < 1 or n > 40:
        raise PeriodError(f"five-year plan number {n} out of range 1-40")
    start = 1953 + 5 * (n - 1) if n <= 2 else 1966 + 5 * (n - 3)
    return f"{start}/{start + 4}"


def period_year(norm: str | None) -> int | None:
    """The (last) year of a normalized period: ``'2024-H1'`` → 2024, ``'2012/2016'`` → 2016."""
    if not norm:
        return None
    m = re.search(r"(\d{4})[^/]*$", norm)
    return int(m.group(1)) if m else None


def period_bounds(norm: str) -> tuple[str, str]:
    """``'2024-H1'`` → ``('2024-01', '2024-06')``: first and last month of a normalized period."""
    first, _, last = norm.partition("/")
    last = last or first

    def months(p: str) -> tuple[str, str]:
        y = p[:4]
        if re.fullmatch(r"\d{4}", p):
            return f"{y}-01", f"{y}-12"
        if m := re.fullmatch(r"\d{4}-H([12])", p):
            h = int(m.group(1))
            return f"{y}-{6 * h - 5:02d}", f"{y}-{6 * h:02d}"
        if m := re.fullmatch(r"\d{4}-Q([1-4])", p):
            q = int(m.group(1))
            return f"{y}-{3 * q - 2:02d}", f"{y}-{3 * q:02d}"
        return p[:7], p[:7]

    return months(first)[0], months(last)[1]


def shift_period(norm: str, years: int) -> str:
    """Shift every year of a normalized period: ``('2024-H1', -1)`` → ``'2023-H1'`` (``上年同期``)."""
    return re.sub(r"\d{4}", lambda m: str(int(m.group(0)) + years), norm)


_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
# lunar year → (solar date of 正月初一 as MMDD, leap month or 0, month lengths 1=30 days 0=29 in order,
# the leap month right after its ordinary month); 2000-2035, generated once from the astronomical tables
_LUNAR_TABLE: dict[int, tuple[str, int, str]] = {
    2000: ("0205", 0, "110010010110"),
    2001: ("0124", 4, "1101010010101"),
    2002: ("0212", 0, "110101001010"),
    2003: ("0201", 0, "110110100101"),
    2004: ("0122", 2, "0101101010101"),
    2005: ("0209", 0, "010101101010"),
    2006: ("0129", 7, "1010101011011"),
    2007: ("0218", 0, "001001011101"),
    2008: ("0207", 0, "100100101101"),
    2009: ("0126", 5, "1100100101011"),
    2010: ("0214", 0, "101010010101"),
    2011: ("0203", 0, "101101001010"),
    2012: ("0123", 4, "1011010101010"),
    2013: ("0210", 0, "101011010101"),
    2014: ("0131", 9, "0101010110101"),
    2015: ("0219", 0, "010010111010"),
    2016: ("0208", 0, "101001011011"),
    2017: ("0128", 6, "0101001010111"),
    2018: ("0216", 0, "010100101011"),
    2019: ("0205", 0, "101010010011"),
    2020: ("0125", 4, "0111010010101"),
    2021: ("0212", 0, "011010101010"),
    2022: ("0201", 0, "101011010101"),
    2023: ("0122", 2, "0100110110101"),
    2024: ("0210", 0, "010010110110"),
    2025: ("0129", 6, "1010010101110"),
    2026: ("0217", 0, "101001001110"),
    2027: ("0206", 0, "110100100110"),
    2028: ("0126", 5, "1110100100110"),
    2029: ("0213", 0, "110101010011"),
    2030: ("0203", 0, "010110101010"),
    2031: ("0123", 3, "0110101101010"),
    2032: ("0211", 0, "100101101101"),
    2033: ("0131", 11, "0100101011101"),
    2034: ("0219", 0, "010010101101"),
    2035: ("0208", 0, "101001001101"),
}


def lunar_to_solar(year: int, month: int, day: int, *, leap: bool = False) -> _dt.date:
    """Convert a lunar date (lunar ``year``, 1-12 ``month``, ``day``) to the Gregorian date."""
    if year not in _LUNAR_TABLE:
        raise PeriodError(f"lunar year {year} outside the supported {min(_LUNAR_TABLE)}-{max(_LUNAR_TABLE)}")
    start, leap_month, bits = _LUNAR_TABLE[year]
    if leap and leap_month != month:
        raise PeriodError(f"lunar year {year} has no leap month {month}")
    if not 1 <= month <= 12 or not 1 <= day <= 30:
        raise PeriodError(f"lunar month/day {month}/{day} out of range")
    index = month - 1 + (1 if leap_month and (month > leap_month or (leap and month == leap_month)) else 0)
    lengths = [30 if b == "1" else 29 for b in bits]
    if day > lengths[index]:
        raise PeriodError(f"lunar {year}-{month} has only {lengths[index]} days")
    offset = sum(lengths[:index]) + day - 1
    return _dt.date(year, int(start[:2]), int(start[2:])) + _dt.timedelta(days=offset)


def _lunar_number(text: str) -> int | None:
    text = text.replace("正", "一").replace("冬", "十一").replace("腊", "十二")
    if text.startswith("初"):
        text = text[1:]
        return _int(text)
    if text.startswith("廿"):
        return 20 + (_int(text[1:]) or 0)
    if text.startswith("卅"):
        return 30 + (_int(text[1:]) or 0)
    return _int(text)


def _lunar(match: re.Match, near_year: int | None) -> str | None:
    ganzhi = match.group(1)
    stem, branch = _STEMS.index(ganzhi[0]), _BRANCHES.index(ganzhi[1])
    if (stem - branch) % 2:
        return None
    cycle = next(i for i in range(60) if i % 10 == stem and i % 12 == branch)
    base = near_year if near_year is not None else 2020
    year = min((y for y in range(base - 40, base + 41) if (y - 4) % 60 == cycle), key=lambda y: abs(y - base))
    month, day = _lunar_number(match.group(3)), _lunar_number(match.group(4))
    if month is None or day is None:
        return None
    try:
        return lunar_to_solar(year, month, day, leap=bool(match.group(2))).isoformat()
    except PeriodError:
        return None


def normalize_period(expr: str, *, year: int | None, reference_month: str | None,
                     period: str | None = None) -> str | None:
    """Normalize a PER span's text per §4, or None when it cannot be normalized.

    ``year`` is the year of the passage (default period in a review, plan year in a plan),
    ``reference_month`` (``YYYY-MM``) anchors ``今年``/``去年`` and spans ending now, and
    ``period`` (the passage's normalized period) is what ``上年同期`` shifts back a year.
    """
    if not isinstance(expr, str):
        return None
    s = unicodedata.normalize("NFKC", expr).strip(_STRIP)
    s = re.sub(r"\s+", "", s)
    if not s:
        return None
    try:
        return _normalize(s, year, _ref(reference_month), period)
    except (PeriodError, ValueError):
        return None


def _normalize(s: str, year: int | None, ref: tuple[int, int] | None, period: str | None) -> str | None:
    ref_year = ref[0] if ref else None
    ref_month = f"{ref[0]}-{ref[1]:02d}" if ref else None

    if m := _LUNAR.match(s):
        return _lunar(m, ref_year or year)
    if m := _PLAN.match(s):
        n = _int(m.group(1))
        return plan_period(n) if n else None
    if m := _ISO.match(s):
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        return _date(y, mo, int(d) if d else None)
    if s.endswith(("以来", "来")) and not _N_YEARS.match(s) and not _N_MONTHS.match(s):
        head = s[:-2] if s.endswith("以来") else s[:-1]
        if head in ("今年", "开年", "年初", "今年初", "今年年初", "入年", "本年", ""):
            return f"{ref_year}-01/{ref_month}" if ref else None
        if head in ("去年", "上年"):
            return f"{ref_year - 1}-01/{ref_month}" if ref else None
        start = _normalize(head, year, ref, period)
        if start is None or ref_month is None:
            return None
        return f"{period_bounds(start)[0]}/{ref_month}"
    if s in ("上年同期", "去年同期", "同期"):
        base = period or (str(year) if year else None)
        return shift_period(base, -1) if base else None
    if s in ("截至目前", "截止目前", "目前", "至今", "当前", "现在"):
        return ref_month
    for prefix in ("截至", "截止", "到", "至"):
        if s.startswith(prefix) and len(s) > len(prefix):
            return _normalize(s[len(prefix):], year, ref, period)
    if s.endswith("底") or s.endswith("末"):
        inner = _normalize(s[:-1], year, ref, period) if len(s) > 1 and s[:-1] not in ("年", "今年", "去年") else None
        if s[:-1] in ("年", "今年", "去年", "上年"):
            base = {"年": year, "今年": ref_year, "去年": ref_year and ref_year - 1,
                    "上年": ref_year and ref_year - 1}[s[:-1]]
            return f"{base}-12" if base else None
        return period_bounds(inner)[1] if inner else None
    # relative year words with an optional rest ('今年上半年')
    for word, delta in (("今年", 0), ("去年", -1), ("上年", -1), ("明年", 1), ("前年", -2), ("上一年", -1)):
        if s.startswith(word):
            if ref_year is None:
                return None
            rest = s[len(word):].lstrip("的")
            if rest in ("", "度", "全年"):
                return str(ref_year + delta)
            return _normalize(rest, ref_year + delta, ref, period)
    if s in ("年初", "初"):
        return f"{year}-01" if year else None
    if s in _YEAR_WORDS or s.endswith("年度") and not _YEAR_PREFIX.match(s):
        return str(year) if year else None
    if s == "新的一年":
        return str(year + 1) if year else None
    if s in _HOLIDAYS:
        return f"{year}-{_HOLIDAYS[s]}" if year else None
    if m := _N_YEARS.match(s):
        n = _int(m.group(1))
        if n is None or year is None or n >= 1000:
            pass
        elif n == 1:
            return str(year)
        else:
            return f"{year - n + 1}/{year}"
    if m := _N_MONTHS.match(s):
        n = _int(m.group(1))
        if n and ref:
            y, mo = ref
            start = (y * 12 + mo - 1) - (n - 1)
            return f"{start // 12}-{start % 12 + 1:02d}/{ref_month}"
        return None
    if (m := _QUARTER.match(s)) or (m := _QUARTER_Q.match(s)):
        q = _int(m.group(1))
        return f"{year}-Q{q}" if year and q and 1 <= q <= 4 else None
    if m := _FIRST_N_QUARTERS.match(s):
        q = _int(m.group(1))
        return f"{year}-Q1/{year}-Q{q}" if year and q and 1 <= q <= 4 else None
    if m := _FIRST_N_MONTHS.match(s):
        n = _int(m.group(1))
        return f"{year}-01/{year}-{n:02d}" if year and n and 1 <= n <= 12 else None
    if s in ("上半年", "上半年度"):
        return f"{year}-H1" if year else None
    if s in ("下半年", "下半年度"):
        return f"{year}-H2" if year else None
    # explicit year prefix with a rest: '2024年上半年', '2022年度'
    if (m := _YEAR_PREFIX.match(s)) and m.end() < len(s) and not _RANGE_SEP.search(s):
        y = _int(m.group(1))
        rest = s[m.end():]
        if y and 1900 <= y <= 2100 and not rest[0].isdigit():
            if rest in ("度", "全年"):
                return str(y)
            return _normalize(rest, y, ref, period)
    if m := _ABS.match(s):
        return _absolute(m, year)
    if re.fullmatch(r"\d{4}", s) and 1900 <= int(s) <= 2100:
        return s
    if _RANGE_SEP.search(s):
        return _range(s, year, ref, period)
    return None


def _absolute(m: re.Match, year: int | None) -> str | None:
    y_text, mo_text, d_text = m.groups()
    if not (y_text or mo_text or d_text):
        return None
    y = _int(y_text) if y_text else year
    if y is None or not 1900 <= y <= 2100:
        return None
    mo = _int(mo_text) if mo_text else None
    d = _int(d_text) if d_text else None
    if d is not None and mo is None:
        return None
    return _date(y, mo, d)


def _date(y: int, mo: int | None, d: int | None) -> str | None:
    if mo is None:
        return str(y)
    if not 1 <= mo <= 12:
        return None
    if d is None:
        return f"{y}-{mo:02d}"
    try:
        return _dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def _range(s: str, year: int | None, ref: tuple[int, int] | None, period: str | None) -> str | None:
    parts = _RANGE_SEP.split(s)
    if len(parts) != 2 or not all(parts):
        return None
    left, right = parts
    suffix = re.search(r"(年|月|日|号|季度)$", right)
    if re.fullmatch(r"\d+|[〇零一二两三四五六七八九十]+", left) and suffix:
        if suffix.group(1) == "年" or (suffix.group(1) in ("月", "季度") and "年" not in right) or \
                (suffix.group(1) in ("日", "号") and "月" not in right):
            left += suffix.group(1)
    lnorm = _normalize(left, year, ref, period)
    if lnorm is None:
        return None
    ly = int(lnorm[:4])
    if re.fullmatch(rf"{_NUM}[日号]", right) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", lnorm):
        rnorm = _date(ly, int(lnorm[5:7]), _int(right[:-1]) or 0)
    else:
        rnorm = _normalize(right, ly, ref, period)
    if rnorm is None:
        return None
    return f"{lnorm}/{rnorm}"
