"""Words around a value that set ``approx``, ``measure``/sign and ``status`` (GUIDELINES §3, §7).

Each function looks only at the text near the value (its clause or sentence), never at the
value's indicator, so that ``工业增加值30亿元`` (an amount) is not mistaken for ``增加30亿元``.
"""

from __future__ import annotations

import re

from govie.units import UNIT_PATTERN

__all__ = ["approx_cue", "change_cue", "status_cue", "clause_start", "sentence_start"]

_CLAUSE_BREAK = "，,。；;：:！!？?\n（）()"
_SENTENCE_BREAK = "。；;！!？?\n"

# prefixes directly before the value (longest first); §3 approx
_APPROX_BEFORE: tuple[tuple[str, str], ...] = (
    ("不少于", "more_than"), ("不低于", "more_than"), ("超过", "more_than"), ("突破", "more_than"),
    ("多于", "more_than"), ("高于", "more_than"), ("逾", "more_than"), ("超", "more_than"),
    ("不足", "less_than"), ("不到", "less_than"), ("少于", "less_than"), ("低于", "less_than"),
    ("不超过", "less_than"),
    ("大约", "approx"), ("将近", "approx"), ("接近", "approx"), ("约", "approx"), ("近", "approx"),
)
# suffixes right after the value (before the unit) or after the unit
_APPROX_AFTER: tuple[tuple[str, str], ...] = (
    ("左右", "approx"), ("上下", "approx"), ("以上", "more_than"), ("余", "more_than"),
    ("多", "more_than"), ("以下", "less_than"), ("以内", "less_than"),
)
_FILLER_BEFORE = ("达到", "达", "为", "了", "共", "计", "至", "分别")

_UP = ("增长", "增加", "提高", "上升", "上涨", "提升", "增收", "提速", "扩大", "翻了", "翻", "增")
_DOWN = ("下降", "减少", "降低", "回落", "下滑", "减收", "压减", "缩减", "压缩", "缩小", "削减", "缩短", "精简",
         "降", "减")
_CHANGE_VERB = re.compile("(?:" + "|".join(sorted(_UP + _DOWN, key=len, reverse=True)) + r")$")
_ANY_CHANGE_VERB = re.compile("(?:" + "|".join(v for v in _UP + _DOWN if len(v) > 1) + r")(?!值)")
# what may stand between a change verb and its value: fillers, approx words and earlier
# values of a '分别增长5%、6%' list (digits, units, separators)
_GAP = re.compile(
    r"(?:了|约|近|超过|超|逾|达|分别|同比|为|幅度|幅|\s|[-\d.．%％、和及与]|[零〇一二两三四五六七八九十百千万亿余多]"
    r"|左右|以上|" + UNIT_PATTERN + r")*")
_TO_LEVEL = re.compile(r"(?:增长|增加|提高|上升|上涨|提升|扩大|下降|减少|降低|回落|下滑|压缩|缩小|降|减)(?:了)?(?:至|到)\s*$")
# a value, a list separator, then a light verb: what follows is a new level, not the same change
_LEVEL_AFTER_LIST = re.compile(r"\d[^、，,]*[、，,]\s*(?:达到|达|为|总额|总量)")
# a value, a list separator, then a share or a comparison with another unit: not a change of the object
_COMPARISON_AFTER_LIST = re.compile(r"\d[^、，,]*[、，,]\s*(?:占|高于|低于|快于|慢于|领先|超出)")
_RATIO = re.compile(r"是[^，,。；;]{0,16}的\s*$")

_FORECAST = ("初步预计", "预计")
_TARGET_IN_CLAUSE = re.compile(
    r"目标|预期|力争|确保|任务(?!的)|拟|明确(?:了)?(?:年度|全年|今年)|"
    r"计划(?=总投资|投资|建设|完成|实施|新建|开工|安排|改造|引进|举办|推进|在|于|到|用|新增|全年)")
_ACTUAL_OVERRIDES = ("初步核算", "完成年度目标", "完成全年目标", "完成目标", "目标任务的", "目标的",
                     "计划的", "任务的")


def clause_start(text: str, pos: int, *, limit: int = 80) -> int:
    """Start of the clause holding ``pos``: after the last clause punctuation before it."""
    lo = max(0, pos - limit)
    for i in range(pos - 1, lo - 1, -1):
        if text[i] in _CLAUSE_BREAK:
            return i + 1
    return lo


def sentence_start(text: str, pos: int, *, limit: int = 300) -> int:
    """Start of the sentence holding ``pos`` (after 。；！？ or a line break)."""
    lo = max(0, pos - limit)
    for i in range(pos - 1, lo - 1, -1):
        if text[i] in _SENTENCE_BREAK:
            return i + 1
    return lo


def approx_cue(text: str, value_start: int, value_end: int, unit_end: int | None = None) -> str | None:
    """``approx`` from the words around a value (§3, §7.6 ``600余万``, §7.7 ranges).

    ``unit_end`` is the end of the value's UNIT span if it has one.
    """
    value_text = text[value_start:value_end]
    if re.search(r"\d\s*[-–—~～至到]\s*\d|[一二三四五六七八九十]\s*[-–—~～至到]\s*[一二三四五六七八九十]", value_text):
        return "more_than"
    before = text[max(0, value_start - 4):value_start].rstrip(" \u3000")
    for word, kind in _APPROX_BEFORE:
        if before.endswith(word):
            if word == "近" and before.endswith(("最近", "附近")):
                continue
            if word == "约" and before[-2:-1] in tuple("签节制契条合预公履"):
                continue
            return kind
    # a filler between cue and value: '达到近10万', '超过了'
    for filler in _FILLER_BEFORE:
        if before.endswith(filler):
            head = text[max(0, value_start - len(filler) - 4):value_start - len(filler)]
            for word, kind in _APPROX_BEFORE:
                if head.endswith(word) and word not in ("近", "约"):
                    return kind
    after_value = text[value_end:value_end + 2].lstrip(" ")
    for word, kind in _APPROX_AFTER:
        if after_value.startswith(word) and word in ("余", "多", "左右", "以上", "以下"):
            return kind
    if unit_end is not None:
        after_unit = text[unit_end:unit_end + 3].lstrip(" ")
        for word, kind in _APPROX_AFTER:
            if after_unit.startswith(word):
                if word == "多" and after_unit.startswith(("多个", "多项", "多家", "多元")):
                    continue
                return kind
    return None


def change_cue(text: str, value_start: int, value_end: int) -> tuple[str, int]:
    """``(measure, sign)`` of a value: ``('change', -1)`` after ``下降``, ``('level', 1)`` for amounts.

    A change verb counts only when nothing but fillers, approximation words and earlier
    values of the same list stand between it and the value (``分别增长5%、6%``); ``增长至``
    names a new level.  Ratios against a base (``是2011年的1.1倍``, §7.19) are changes.
    """
    start = clause_start(text, value_start)
    before = text[start:value_start]
    after = text[value_end:value_end + 6].lstrip(" ")
    if (_RATIO.search(before) or _RATIO.search(_strip_gap(before))) and re.match(r"[倍番]", after):
        return "change", 1
    if _TO_LEVEL.search(_strip_gap(before)):
        return "level", 1
    stem = _strip_gap(before)
    if _LEVEL_AFTER_LIST.search(before[len(stem):]):
        return "level", 1  # '增长34.6%、达526.1亿元': a level after the change of the same thing
    match = _CHANGE_VERB.search(stem)
    if match is None:
        rate = re.match(r"\s*(?:%|％|个百分点|百分点)", after)
        money = re.match(r"\s*(?:万亿|亿|万|千)?元", after)
        if rate or money:
            # '精简办事材料36.5%': a verb, its object, then a rate is a change of that object
            verbs = list(_ANY_CHANGE_VERB.finditer(before))
            between = before[verbs[-1].end():] if verbs else ""
            if verbs and not _TO_LEVEL.search(before[:verbs[-1].end() + 2]) and not _COMPARISON_AFTER_LIST.search(between) and \
                    not re.search(r"(?:比重|占比|率|比例|份额)", between):
                down = verbs[-1].group(0) in _DOWN
                if rate or down:
                    return "change", (-1 if down else 1)
        if re.search(r"(?:增幅|增速|涨幅)(?:为|达|达到)?\s*$", stem):
            return "change", 1
        if re.search(r"(?:降幅)(?:为|达|达到)?\s*$", stem):
            return "change", -1
        return "level", 1
    verb = match.group(0)
    if verb in ("增收", "减收") and not re.match(r"\s*(?:%|％|个百分点|(?:万亿|亿|万|千)?元)", after):
        return "level", 1  # '带动脱贫人口增收59.25万人次' counts people
    prefix = stem[:match.start()]
    if verb in ("增", "减", "降", "翻") and prefix.endswith(("新", "净", "累", "递", "倍", "削", "锐")):
        if prefix.endswith(("新", "累")):
            return "level", 1
    if verb in ("增", "减", "降", "翻") and not re.search(r"(?:同比|比上年|比去年|较上年|较去年|环比|年均|分别|比\S{0,8})$", prefix) \
            and verb != "翻":
        # a bare one-character verb is a change only in a comparison: '同比增5%'
        return "level", 1
    return "change", (-1 if verb in _DOWN else 1)


def _strip_gap(before: str) -> str:
    """Remove the trailing run of fillers/earlier values between a verb and the value."""
    # walk back while the tail matches the gap language
    i = len(before)
    while i > 0 and _GAP.fullmatch(before[i - 1:]):
        i -= 1
    return before[:i]


def status_cue(text: str, value_start: int, value_end: int | None = None, *,
               forward_looking: bool = False) -> str:
    """``'actual'``, ``'target'`` or ``'forecast'`` from cue words before the value (§3, §7.24).

    ``预计`` makes the rest of its sentence (up to 。) a forecast; target words count in the
    value's own clause (``力争…增长7%``), a ``目标是:`` list in its whole sentence.  Inside a plan
    part of the report (``forward_looking``) values are targets unless forecast.  Completion
    ratios (``完成年度目标的110%``) and names (``“归雁计划”``) stay actual.
    """
    start = _full_sentence_start(text, value_start)
    before = text[start:value_start]
    if "初步核算" in before:
        return "actual"
    if any(word in before for word in _FORECAST):
        return "forecast"
    if re.search(r"目标(?:任务)?(?:是|为|：|:)", before):
        return "target"
    clause = text[clause_start(text, value_start):value_start]
    if _TARGET_IN_CLAUSE.search(clause) and not any(word in clause for word in _ACTUAL_OVERRIDES):
        return "target"
    if forward_looking:
        return "target"
    return "actual"


def _full_sentence_start(text: str, pos: int, *, limit: int = 300) -> int:
    lo = max(0, pos - limit)
    for i in range(pos - 1, lo - 1, -1):
        if text[i] in "。！!？?\n":
            return i + 1
    return lo
