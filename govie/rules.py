"""A rule-based tagger: the baseline every model is compared with and the labeller of silver data.

It follows GUIDELINES.md §2 and §7 with regular expressions for VAL/UNIT/PER, the reporting town's
names for TOWN, and a lexicon plus boundary heuristics for IND (the phrase before the value, or
after it when the value opens its clause). Only the standard library is needed at prediction time.

Measure it honestly with leave-one-document-out cross-validation over the gold corpus::

    python -m govie.rules --cv [--gold /work/shared/corpora/gold]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from govie.labels import LabeledRange

if TYPE_CHECKING:  # pragma: no cover
    from govie.document import Document

logger = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parent / "resources"
BUILTIN_LEXICON = RESOURCES / "indicators.txt"
GOLD_LEXICON = RESOURCES / "rules" / "gold_indicators.txt"

# ---------------------------------------------------------------------------------------------
# Resources (word lists). Kept as data so that a change of policy is a one-line edit.
# ---------------------------------------------------------------------------------------------

# Units (§2): longest first. Magnitude characters are never part of a unit.
UNITS: tuple[str, ...] = tuple(sorted({
    "个百分点", "百分点", "微克/立方米", "毫克/立方米", "平方公里", "平方米", "立方米", "千瓦时", "千瓦", "兆瓦",
    "公里", "公顷", "人次", "家次", "场次", "户次", "车次", "架次", "个月", "个工作日", "工作日", "个榨季",
    "标准箱", "标箱", "吨标准煤", "元/斤", "元/吨", "元/亩", "元/人", "美元", "港元", "元", "%", "％", "‰",
    "倍", "家", "个", "项", "宗", "件", "起", "场", "次", "人", "名", "位", "户", "亩", "米", "吨", "辆",
    "处", "块", "条", "所", "套", "台", "座", "度", "天", "年", "批", "番", "种", "眼", "支", "成", "部",
    "张", "方", "轮", "头", "只", "份", "斤", "公斤", "千克", "列", "间", "栋", "幢", "艘", "株", "棵",
    "床", "册", "篇", "期", "班", "例", "趟", "小时", "分钟", "周", "村", "所", "盏", "本", "片", "组",
    "队", "届", "首", "部", "枚", "级", "万", "亿",
} - {"万", "亿", "届", "级"}, key=len, reverse=True))
# Units that follow a Chinese numeral in a countable sense (a stricter list: 一个 is too often a word).
_CN_UNITS = ("个百分点", "项", "家", "个", "所", "座", "条", "名", "人", "件", "批", "倍", "成", "年", "次",
             "场", "户", "处", "套", "台", "亩", "公里", "元", "%", "％", "天", "轮", "番")

# Light verbs and frames (§2 IND, §7.3) stripped from the start of an IND candidate.
_LEADING_FRAMES = (
    "全市", "全县", "全镇", "全区", "全盟", "全州", "全省", "全乡", "全街道", "我市", "我县", "我镇", "我区", "本市",
    "市区", "其中", "另外", "此外", "同时", "共计", "累计", "总计", "合计", "共", "全面完成", "顺利完成", "完成",
    "实现", "达到", "达", "有", "为", "是", "成功", "推进", "开展", "召开", "组织", "已经", "已", "先后", "当年",
    "预计", "初步预计", "初步核算", "目前", "现有", "拥有", "全力", "持续", "继续", "进一步", "加快", "扎实",
    "一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是", "和", "及", "以及", "并",
    "还", "再", "又", "也", "均", "全年", "上半年", "下半年", "新的一年", "年内", "年度", "同比", "分别",
)
# Frames stripped from the end of an IND candidate (the words between the indicator and its value).
_TRAILING_FRAMES = (
    "同比增长", "同比下降", "同比增加", "同比减少", "同比提高", "同比上升", "比上年增长", "比上年下降",
    "比上年同期增长", "比去年增长", "较上年增长", "年均增长", "平均增长", "增长率", "增速", "增幅",
    "增长", "下降", "增加", "减少", "提高", "降低", "回落", "上涨", "上升", "提升", "攀升", "扩大",
    "提升到", "提升至", "提高到", "提高至", "增加到", "增加至", "增长到", "增长至", "增至", "降至",
    "下降到", "下降至", "减少到", "减少至", "降低到", "降低至", "控制在", "保持在", "稳定在", "稳定",
    "保持", "达到", "达", "为", "实现", "完成", "共计", "累计", "共", "总计", "合计", "有", "突破",
    "超过", "超", "近", "约", "逾", "大约", "不足", "不到", "少于", "多于", "高于", "低于", "分别为",
    "分别达到", "分别达", "分别", "由", "同比", "比上年", "比去年", "较上年", "年均", "平均", "是", "的", "已", "了", "到", "至", "发展到", "增加了", "提高了", "增长了", "下降了", "扩大了",
    "翻了", "翻", "总量", "总数", "规模", "首次", "连续", "再", "又", "均", "仍", "继续", "全年", "以上",
    "，", "：", "计", "左右", "约为", "达成", "创", "创历史新高", "在", "居", "位居", "排名", "已达",
    "新增", "净增", "各", "调整为", "调整",
)
_LEADING_FRAMES = tuple(sorted(set(_LEADING_FRAMES) | {
    "依法", "统一", "大力", "有序", "加速", "纵深", "系统", "直接", "积极", "深入", "着力", "认真", "高质量",
    "圆满", "全力", "不断", "逐步", "稳步", "首次", "新获", "获批", "目前已", "已有", "共有", "总共",
    "实施", "谋划", "系统谋划", "加速推进", "推动", "完成了", "实施了", "在全国", "的", "我们", "力争", "确保",
    "计划", "全州", "全旗", "本镇", "今年", "去年",
}, key=len, reverse=True))
_TRAILING_FRAMES = tuple(sorted(set(_TRAILING_FRAMES), key=len, reverse=True))
# Completion phrases after an object that follows its value (``60个老旧小区改造项目有序实施``).
_AFTER_TRAILING = tuple(sorted({
    "加快建设", "稳步推进", "有序实施", "加紧实施", "全部完成", "全面完成", "全部兑现", "顺利完成", "扎实推进",
    "初见成效", "主体完工", "加快推进", "有序推进", "正在推进", "全面启动", "启动实施", "持续推进", "向市民开放",
    "投入使用", "投入运行", "全部", "等", "和", "及", "与", "以及", "中", "进行了", "进行",
}, key=len, reverse=True))
_INNER_CUTS = ("等", "累计", "共计", "总计", "实现了", "达到", "平台上")
# Where the object after a value ends and its predicate begins: ``7公里官河绿道|实现全线贯通``.
_AFTER_VERB_RE = re.compile("陆续|进展|全部|全面|有序|加快|稳步|顺利|正在|入企|启动|和")
_CONTENT_VERBS = ("新增", "新建成", "新建", "新引进", "引进", "新培育", "培育", "新开工", "开工建设", "建成",
                  "拆除", "整治", "改造", "盘活", "新认定", "认定", "招引", "新签约", "签约", "新创建", "创建",
                  "新改建", "改扩建", "新改扩建", "发放", "完成", "接待", "帮助", "带动", "服务", "办理", "培训")
_CHANGE_WORDS = ("增长", "下降", "增加", "减少", "提高", "降低", "回落", "上涨", "上升", "提升", "增速", "增幅", "翻")
# Characters that end a clause for IND search; parentheses are kept because IND may contain them.
_BOUNDARY = set("，,。；;：:！!？?\n、…—|")
_BOUNDARY_AFTER = _BOUNDARY | set("（(")
_IND_MAX = 24

_ARABIC = r"\d+(?:[,，]\d{3})*(?:[.．]\d+)?"
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_CN_MAG = "十百千万亿"
_YEAR = r"(?:19|20)\d{2}"
_Q = r"(?:[一二三四1-4]|第[一二三四])季度"
_CN_SMALL = "一二三四五六七八九十两"

_PER_PATTERNS = [
    # year ranges and year-anchored compounds (§7.9)
    rf"{_YEAR}年?(?:[-—–~～至到]|年至|年到){_YEAR}年(?:度)?",
    rf"{_YEAR}-\d{{1,2}}-\d{{1,2}}",
    rf"{_YEAR}年\d{{1,2}}月\d{{1,2}}日(?:[-—–至到]\d{{1,2}}日)?",
    rf"{_YEAR}年(?:上半年|下半年|{_Q}(?:以来)?|年初|年底|年末|初|底|末|\d{{1,2}}月(?:份|底|初|末)?|年度|度|以来)?",
    r"\d{1,2}月\d{1,2}日(?:[-—–至到](?:\d{1,2}月)?\d{1,2}日)?",
    r"(?<![\d.个])\d{1,2}月(?:份|以来|底|初|末|中旬|上旬|下旬)?(?![\d个])",
    rf"(?:今年|去年|上年|明年|本年|当年)(?:同期|上半年|下半年|{_Q}(?:以来)?|年初|年底|年末|初|底|末|以来)?",
    rf"近[{_CN_SMALL}\d]+个?(?:月|年)来",
    rf"(?<![第\d.])[{_CN_SMALL}\d]+年(?:来|间|以来)",
    rf"过去(?:的)?[{_CN_SMALL}]?年",
    r"十[一二三四五六]五",
    r"(?<![\d第续])[两三五十]年(?=新增|实施|翻番|增长|累计|共|来)",
    rf"(?:上半年|下半年|{_Q}(?:以来)?|前[一二三]季度|全年|年初|年底|年末|年度(?!投资|绩效|计划)|一年来|这一年|新的一年|开年以来|截至目前|截至去年底|截至年底)",
]
_PER_RE = re.compile("|".join(f"(?:{p})" for p in _PER_PATTERNS))
# A bare year (``2022杭州准独角兽``, page headers): PER when no unit follows it.
_BARE_YEAR_RE = re.compile(rf"(?<![\d.．\-/:：=A-Za-z〔\[【（(]){_YEAR}(?![\d.．%％年万亿千百十余多:：/\-A-Za-z])")

_UNIT_ALT = "|".join(re.escape(u) for u in UNITS)
_APPROX_MID = r"(?:余|多)"
_VAL_RE = re.compile(
    rf"(?P<num>\d+/\d+(?![\d/])|-?{_ARABIC}(?:\s?[-—~～至到]\s?{_ARABIC}(?![年月日]))?)"
    rf"(?:(?P<mag>\s?(?:[{_CN_MAG}](?![瓦克米伏]))+))?"
    rf"(?:(?P<approx>{_APPROX_MID})(?P<mag2>[{_CN_MAG}]*))?"
    rf"(?P<unit>{_UNIT_ALT})?"
)
_RATIO_RE = re.compile(r"(?<![\d.:])\d+\.\d+(?::\d+\.\d+){1,3}(?![\d:])")
_CN_VAL_RE = re.compile(
    rf"(?P<num>[{_CN_NUM}]{{1,6}})(?P<approx>{_APPROX_MID})?"
    rf"(?P<unit>{'|'.join(re.escape(u) for u in sorted(_CN_UNITS, key=len, reverse=True))})"
)
# A bare magnitude after an approximation word: 超千亿元, 近万人 (§2: VAL keeps magnitude characters).
_CN_MAG_ONLY_RE = re.compile(r"(?<=超|近|逾|约|上)(?P<num>千亿|百亿|亿|千万|百万|万)(?P<unit>元|人次|人|户|亩)")
_CN_SHARE_RE = re.compile(r"(?:压减|减少|降低|下降|超过|减|超|近|约)(?P<num>一半)|(?P<num2>[一二三四五六七八九])(?P<unit>成)(?=用于|以上|左右|的)")
_ETHNIC = ("(?:苗|侗|藏|彝|壮|回|土家|布依|哈尼|蒙古|朝鲜|白|傣|黎|瑶|羌|满|畲|水|仡佬|纳西|傈僳|景颇|"
           "拉祜|佤|哈萨克|柯尔克孜|达斡尔|鄂温克|鄂伦春|毛南|仫佬|土|撒拉|东乡|保安|裕固|锡伯|塔吉克|怒|独龙)族?")
_TOWN_SUFFIXES = ("街道", "自治州", "自治县", "镇", "乡", "县", "区", "市", "盟", "州")
_TOWN_CANDIDATE_RE = re.compile(r"([\u4e00-\u9fff]{2,5})(街道|镇|乡|县|区|市|盟|州)(?![场民级域村镇乡容区长县貌内外属直中])")
# ``XX区人民政府``, ``XX县第十七届人民代表大会``: the reporting unit named by the report's own frame
_TOWN_ANCHORED_RE = re.compile(r"([\u4e00-\u9fff]{2,10}?)(街道|镇|乡|县|区|市|盟|州|旗)"
                               r"(?:第[一二三四五六七八九十]+届|人民政府|人民代表大会|\d{4}年政府工作报告|政府工作报告)")
_TOWN_BAD_CHARS = set("全我本该各省市县区镇乡这那在与和及等向对到从两一二三四五六七八九十新老大小每居排列入落实创建范"
                      "点型业园心集聚项目城强级族开发展设进推动化现代")
_TOWN_STOPWORDS = frozenset({
    "代表", "示范", "自治", "园林", "加强", "加快", "实施", "完成", "培育", "启动", "抓好", "统筹", "促进", "增加",
    "重点", "试点", "先进", "文明", "卫生", "森林", "国家", "旅游", "生态", "工业", "高新", "特色", "美丽", "宜居",
    "节水", "智慧", "海绵", "双拥", "平安", "健康", "创新", "农业", "边境", "口岸", "贫困", "山区", "沿海", "周边",
    "所在", "主城", "我们", "服务", "改革", "全面", "支持", "完善", "持续", "深化", "提升", "保障", "治理", "环境",
    "自贸", "保税", "综合", "行政", "管理", "功能", "主体", "核心", "都市", "社区", "农村", "乡村", "省会", "安全",
    "精致", "公园", "文化", "棚户", "革命", "老区", "经济", "亿元", "专业", "实现", "落实", "入选",
})


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def town_short_name(town: str) -> str | None:
    """``斜桥镇`` → ``斜桥``, ``黔东南苗族侗族自治州`` → ``黔东南``; None when under two characters remain."""
    m = re.fullmatch(rf"(.{{2,}}?)(?:{_ETHNIC})+族?自治(州|县|区|旗)", town)
    if m:
        return m.group(1)
    for suffix in _TOWN_SUFFIXES:
        if town.endswith(suffix) and len(town) - len(suffix) >= 2:
            return town[: -len(suffix)]
    return None


def infer_town(text: str) -> str | None:
    """A guess at the reporting unit of a text from its ``X市/县/镇/乡/街道/盟/州`` mentions, or None.

    A fallback for unlabeled text only (``govie.metadata`` is the better source when it exists):
    each mention proposes its 2-5 character tails as names, scored by how often ``X+suffix`` and
    the short name ``X`` occur in the whole text; words that merely end in 市/县 (``城市``,
    ``示范县``) are filtered by a stop list.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for pattern in (_TOWN_ANCHORED_RE, _TOWN_CANDIDATE_RE):
        for match in pattern.finditer(text):
            name, suffix = match.group(1), match.group(2)
            for i in range(len(name) - 1):
                tail = name[i:]
                if any(c in _TOWN_BAD_CHARS for c in tail) or tail in _TOWN_STOPWORDS:
                    continue
                counts[(tail, suffix)] += 1
        if counts:
            break
    if not counts:
        return None

    def score(key: tuple[str, str]) -> int:
        return 3 * text.count(key[0] + key[1]) + text.count(key[0])

    best = max(counts, key=score)
    return best[0] + best[1] if score(best) >= 8 else None


def read_lexicon(path: Path) -> list[str]:
    """Indicator names from a text file: one per line, ``#`` comments and blank lines ignored."""
    if not path.exists():
        return []
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return names


def gold_indicator_names(docs: Iterable["Document"]) -> list[str]:
    """The distinct IND texts of annotated documents, sorted (the gold part of the lexicon)."""
    return sorted({span.text.strip() for doc in docs for span in doc.spans if span.label == "IND" and span.text.strip()})


def write_gold_lexicon(docs: Iterable["Document"], path: Path = GOLD_LEXICON) -> int:
    """Write the gold IND names to ``path`` (kept apart from the builtin list so CV can drop them)."""
    names = gold_indicator_names(docs)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# IND texts of the gold corpus, written by govie.rules.write_gold_lexicon; do not edit by hand\n"
    path.write_text(header + "".join(name + "\n" for name in names), encoding="utf-8")
    return len(names)


_OPEN_QUOTES = "“\"‘「『"
_CLOSE_QUOTES = "”\"’」』"


def _strip_frames(text: str, *, leading: bool, trailing: bool, trailing_words: Sequence[str] = ()) -> str:
    """Remove light verbs, frames and enclosing quotes (§7.15) from the ends of a phrase."""
    words = trailing_words or _TRAILING_FRAMES
    changed = True
    while changed and text:
        changed = False
        stripped = text.strip(" \u3000\t\n")
        if stripped != text:
            text, changed = stripped, True
        if (len(text) > 2 and text[0] in _OPEN_QUOTES and text[-1] in _CLOSE_QUOTES
                and not any(c in _OPEN_QUOTES + _CLOSE_QUOTES for c in text[1:-1])):
            text, changed = text[1:-1], True
        if leading:
            text2 = re.sub(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十\d]+[.、．])", "", text)
            text2 = re.sub(r"^[\u4e00-\u9fff]{0,6}?各[类项种]", "", text2)
            if text2 != text:
                text, changed = text2, True
            for word in _LEADING_FRAMES:
                if text.startswith(word) and len(text) > len(word):
                    text, changed = text[len(word):], True
                    break
        if trailing:
            for word in words:
                if text.endswith(word):
                    text, changed = text[: -len(word)], True
                    break
    return text


def _inside_quotes(text: str, start: int, end: int, reach: int = 12) -> bool:
    """Whether ``text[start:end]`` sits inside a short quoted name (``“6个100”``, ``“25条”``)."""
    left = text[max(0, start - reach):start]
    right = text[end:end + reach]
    opened = max(left.rfind(q) for q in _OPEN_QUOTES if q != '"')
    closed = max(left.rfind(q) for q in _CLOSE_QUOTES if q != '"')
    if opened > closed:
        return any(q in right for q in _CLOSE_QUOTES if q != '"')
    if left.count('"') % 2 == 1 and '"' in right:
        return True
    return False


# ---------------------------------------------------------------------------------------------
# The tagger
# ---------------------------------------------------------------------------------------------

class RuleTagger:
    """Regex and lexicon tagger for IND/VAL/UNIT/PER/TOWN (GUIDELINES.md §2, §7).

    >>> tagger = RuleTagger()
    >>> text = "上半年，瓜沥实现财政总收入17.03亿元"
    >>> [(r.label, text[r.start:r.end]) for r in tagger.predict(text, town="瓜沥镇")]
    [('PER', '上半年'), ('TOWN', '瓜沥'), ('IND', '财政总收入'), ('VAL', '17.03亿'), ('UNIT', '元')]
    """

    def __init__(self, lexicon: Iterable[str] | None = None) -> None:
        names = read_lexicon(BUILTIN_LEXICON) if lexicon is None else list(lexicon)
        self.lexicon: frozenset[str] = frozenset(n.strip() for n in names if len(n.strip()) >= 2)
        self._max_len = max((len(n) for n in self.lexicon), default=0)

    @classmethod
    def from_documents(cls, docs: Iterable["Document"], *, include_builtin: bool = True) -> "RuleTagger":
        """A tagger whose lexicon adds the IND texts of ``docs`` (training folds only, never the test doc)."""
        names = gold_indicator_names(docs)
        if include_builtin:
            names = read_lexicon(BUILTIN_LEXICON) + names
        return cls(names)

    # -- public API -------------------------------------------------------------------------

    def predict(self, text: str, *, town: str | None = None) -> list[LabeledRange]:
        """Flat, non-overlapping, sorted spans of ``text``; TOWN only for the given or inferred town."""
        if not isinstance(text, str):
            raise TypeError(f"RuleTagger.predict expects a str, got {type(text).__name__}")
        if town is None:
            town = infer_town(text)
        taken = [False] * len(text)
        spans: list[LabeledRange] = []

        def add(label: str, start: int, end: int) -> bool:
            if start >= end or any(taken[start:end]):
                return False
            for i in range(start, end):
                taken[i] = True
            spans.append(LabeledRange(label, start, end))
            return True

        for start, end in self._periods(text):
            add("PER", start, end)
        if town:
            for start, end in self._towns(text, town):
                add("TOWN", start, end)
        values = []
        for label_spans in self._values(text):
            val = label_spans[0]
            if any(taken[val[0]:val[1]]):
                continue
            unit = label_spans[1] if len(label_spans) > 1 else None
            if unit and any(taken[unit[0]:unit[1]]):
                unit = None
            add("VAL", *val)
            if unit:
                add("UNIT", *unit)
            values.append((val, unit))
        for val, unit in values:
            for start, end in self._indicators(text, val, unit, taken):
                add("IND", start, end)
        return sorted(spans, key=lambda r: r.start)

    def predict_batch(self, texts: Sequence[str], *, towns: Sequence[str | None] | None = None,
                      show_progress: bool = False) -> list[list[LabeledRange]]:
        """``predict`` over many texts; ``towns`` pairs with ``texts`` when given."""
        if towns is not None and len(towns) != len(texts):
            raise ValueError(f"towns has {len(towns)} entries for {len(texts)} texts")
        items = range(len(texts))
        if show_progress:
            from tqdm.auto import tqdm

            items = tqdm(items, desc="rules", unit="doc")
        return [self.predict(texts[i], town=None if towns is None else towns[i]) for i in items]

    # -- PER / TOWN ---------------------------------------------------------------------------

    def _periods(self, text: str) -> list[tuple[int, int]]:
        found = [(m.start(), m.end()) for m in _PER_RE.finditer(text) if m.end() > m.start()]
        for m in _BARE_YEAR_RE.finditer(text):
            rest = text[m.end():m.end() + 4]
            if any(rest.startswith(u) for u in UNITS) or rest[:1] in "-—~～至到":
                continue
            found.append((m.start(), m.end()))
        # streaks are values, not periods (§7.18): 连续二十年 → VAL + UNIT
        found = [(s, e) for s, e in found if not text[max(0, s - 2):s].endswith("连续")]
        found.sort(key=lambda se: (se[0], -(se[1] - se[0])))
        out, last_end = [], -1
        for start, end in found:
            if start >= last_end:
                out.append((start, end))
                last_end = end
        return out

    @staticmethod
    def _towns(text: str, town: str) -> list[tuple[int, int]]:
        names = [town]
        short = town_short_name(town)
        if short:
            ethnic = re.search(r"自治(州|县|区|旗)$", town)
            if ethnic:
                names.append(short + ethnic.group(1))  # 黔东南州
            names.append(short)
        # print layouts put stray spaces inside names (瓜 沥): allow one between characters
        pattern = "|".join("[ \u3000]?".join(map(re.escape, name)) for name in names)
        out = []
        for m in re.finditer(pattern, text):
            nxt = text[m.end():m.end() + 1]
            name = re.sub(r"[ \u3000]", "", m.group())
            if nxt == "村" and not name.endswith(("镇", "乡")):
                continue  # a village that shares the name (§7.1)
            if short and name == short and nxt in "县市区镇乡州盟旗" and nxt != town[-1]:
                continue  # another unit with the same stem: 吉安县 in a 吉安市 report
            if short and name == town and nxt == "城" and town.endswith(("县", "市")):
                out.append((m.start(), m.end() - 1))  # 高阳县城 → 高阳
                continue
            out.append((m.start(), m.end()))
        return out

    # -- VAL / UNIT ---------------------------------------------------------------------------

    def _values(self, text: str) -> list[list[tuple[int, int]]]:
        out: list[list[tuple[int, int]]] = []
        for m in _VAL_RE.finditer(text):
            item = self._arabic_value(text, m)
            if item:
                out.append(item)
        for m in _RATIO_RE.finditer(text):
            # a structure ratio (三次产业比重 9.2:69.5:21.3): every part is a VAL
            out.extend([(m.start() + p.start(), m.start() + p.end())] for p in re.finditer(r"[\d.]+", m.group()))
        for m in _CN_VAL_RE.finditer(text):
            item = self._chinese_value(text, m)
            if item:
                out.append(item)
        for m in _CN_MAG_ONLY_RE.finditer(text):
            if not text[m.end():m.end() + 1] in ("以", "级") and not text[m.end():m.end() + 2] in ("项目",):
                out.append([m.span("num"), m.span("unit")])
        for m in _CN_SHARE_RE.finditer(text):
            if m.group("num"):
                out.append([m.span("num")])
            else:
                out.append([m.span("num2"), m.span("unit")])
        out.sort(key=lambda item: item[0][0])
        return out

    @staticmethod
    def _arabic_value(text: str, m: re.Match) -> list[tuple[int, int]] | None:
        start, num_end = m.span("num")
        num = m.group("num")
        before = text[max(0, start - 2):start]
        after_all = text[m.end():m.end() + 3]
        if num.startswith("-") and (start == 0 or not re.match(r"[\u4e00-\u9fff]", text[start - 1])):
            start += 1  # a dash after a non-CJK char is punctuation, not a sign
        if (before.endswith(("第", "前", "+", "＋", "（", "〔", "[", "【", "No", "号"))
                or (before[-1:].isascii() and before[-1:].isalpha())):  # ordinals, doc numbers, PM2.5, G60
            return None
        if before.endswith((":", "：")) and "." in num:
            pass  # a structure ratio 9.2:69.5:21.3
        elif before.endswith((":", "：", "/", ".", "-", "—", "=")) and not num.startswith("-"):
            return None
        if _inside_quotes(text, start, m.end()):
            return None
        nxt = text[num_end:num_end + 2]
        if re.match(r"[A-Za-z:：+＋]|[.．]\d|号|届|代|强|佳|星|批次|期(?!间)|大[\u4e00-\u9fff]|位(?!数)|道|字|条线|线", nxt) and not m.group("unit"):
            return None
        if re.match(r"大[\u4e00-\u9fff]", nxt):
            return None
        if m.group("unit") and re.match(r"[A-Za-z]", after_all):
            return None
        digits = re.sub(r"\D", "", num)
        if len(digits) >= 7 and not m.group("mag") and not m.group("unit") and "." not in num:
            return None  # phone numbers, document numbers
        unit = m.group("unit")
        tail = text[m.end():m.end() + 6]
        if unit == "周" and tail[:1] in ("年", "岁"):
            return None
        if unit and re.match(r"(?:以上|以下)(?:的|[\u4e00-\u9fff]{0,3}(?:项目|企业|户|工程|人员|老年))", tail):
            return None  # a threshold inside a category name (§7.5)
        if unit and before.endswith("超") and re.match(r"(?:项目|企业|工程)", tail):
            return None
        if unit in ("年", "月") and not text[max(0, start - 3):start].endswith(("连续", "用时", "历时", "期限", "超过")):
            if re.fullmatch(_YEAR, num) or unit == "月":
                return None
        if unit == "年" and text[m.end():m.end() + 2].startswith(("来", "间", "以来")):
            return None
        # magnitude after 余 stays outside (§7.6: 600余万元 → VAL 600)
        val = (start, m.end("mag") if m.group("mag") else num_end)
        if text[val[1] - 1:val[1]].isspace():
            return None
        if unit:
            return [val, m.span("unit")]
        if "/" in num and text[m.end():m.end() + 1] == "的":
            return [val]  # a share in words: 2/3的村 (§7.20)
        if not m.group("mag"):
            # A bare number: keep it only at a clause end (a rate or index without unit).
            if not re.match(r"\s*[，,。；;、）)]|\s*$", text[num_end:num_end + 2]):
                return None
        return [val]

    @staticmethod
    def _chinese_value(text: str, m: re.Match) -> list[tuple[int, int]] | None:
        num = m.group("num")
        start, end = m.span("num")
        before = text[max(0, start - 2):start]
        unit = m.group("unit")
        if before.endswith(("第", "每", "这", "那", "哪", "某", "几", "前", "后", "之", "逐", "唯", "单", "统", "万")):
            return None
        if re.match(r"[\u4e00-\u9fff]", before[-1:] or " ") and before[-1:] not in "达增新建成完共计有为超近约逾了施办和及、入扩减降续等":
            return None
        if num in ("一", "万", "亿", "千", "百") or num[0] in _CN_MAG and num[0] != "十":
            return None
        if num.endswith(("万", "亿")) and len(num) == 1:
            return None
        after = text[m.end():m.end() + 2]
        if unit in ("年",) and (after.startswith(("来", "间", "以来")) or not before.endswith("连续")):
            return None
        if _inside_quotes(text, start, m.end()) or (unit == "次" and re.match(r"产业|全会|会议|党代会", after)):
            return None
        if unit in ("个", "项", "条", "件", "场", "批") and re.match(r"[“\"「]|方面|又|大|字|一|二|三|维|结合|到位|重点", after):
            return None
        if unit in ("个", "项", "条") and re.match(r"[\u4e00-\u9fff]?[“\"「]", after):
            return None
        return [(start, end), m.span("unit")]

    # -- IND ----------------------------------------------------------------------------------

    def _lexicon_suffix(self, segment: str) -> str | None:
        """The longest lexicon entry that ends the segment."""
        for length in range(min(self._max_len, len(segment)), 1, -1):
            if segment[-length:] in self.lexicon:
                return segment[-length:]
        return None

    def _indicators(self, text: str, val: tuple[int, int], unit: tuple[int, int] | None,
                    taken: list[bool]) -> list[tuple[int, int]]:
        """IND spans for one value: the object after it (``建成301家医保驿站``) or the phrase before it."""
        after = self._indicator_after(text, val, unit, taken)
        if after is not None:
            return [after] if after[1] > after[0] else []
        vstart = val[0]
        # the clause before the value, cut at punctuation and at any span already placed
        cut = vstart
        while cut > 0 and text[cut - 1] not in _BOUNDARY and not taken[cut - 1] and vstart - cut < 60:
            cut -= 1
        raw = text[cut:vstart]
        lead = _strip_frames(raw, leading=True, trailing=False)
        cleaned = _strip_frames(lead, leading=False, trailing=True)
        # an inner frame word or list head ends what precedes the indicator: 此次整治行动共计|排查隐患
        inner = max((cleaned.rfind(w) + len(w) for w in _INNER_CUTS if w in cleaned[:-1]), default=0)
        cleaned = cleaned[inner:]
        cleaned = re.sub(r"^(?:第[一二三四五六七八九十\d]+批|\d+\s?大类|[一二三四五六七八九十]大类)", "", cleaned)
        if inner:
            cleaned = _strip_frames(cleaned, leading=True, trailing=False)
        if (cleaned.endswith(("和", "及", "与")) or len(cleaned) < 2 or cleaned in _LEADING_FRAMES
                or cleaned in _TRAILING_FRAMES):
            return []
        offset = cut + raw.find(cleaned)
        respectively = "分别" in raw[raw.find(cleaned) + len(cleaned):]
        results = []
        if respectively and re.search(r"[和及]", cleaned[1:-1]):
            # ``接待游客和旅游综合收入分别增长…``: each conjunct is an IND
            pos = 0
            for part in re.split(r"[和及]", cleaned):
                if 4 <= len(part) <= _IND_MAX:
                    results.append((offset + pos, offset + pos + len(part)))
                pos += len(part) + 1
            if len(results) >= 2:
                return results + self._list_items(text, cut, taken)
            results = []
        found = self._shorten(cleaned)
        if not found:
            return []
        s = offset + found[0]
        results = [(s, s + len(found[1]))]
        # ``A、B分别增长…``: the items before B in the same list are INDs too
        if respectively:
            results.extend(self._list_items(text, cut, taken))
        return results

    @staticmethod
    def _indicator_after(text: str, val: tuple[int, int], unit: tuple[int, int] | None,
                         taken: list[bool]) -> tuple[int, int] | None:
        """The object phrase after ``value unit`` when the clause goes on; (p, p) when none applies.

        None means the clause ends after the value, so the indicator is before it.
        """
        pos = unit[1] if unit else val[1]
        m = re.match(r"(?:余|多|左右|以上|以下|以内)*", text[pos:])
        pos += m.end()
        if pos >= len(text) or text[pos] in _BOUNDARY or taken[pos] or not unit:
            return None
        if text[pos] == "的":
            pos += 1
        elif not (re.match(r"[\u4e00-\u9fff]", text[pos]) or text[pos] in _OPEN_QUOTES):
            return None
        if text[pos] in "和及与、":
            return None  # a list of values goes on: ``示范村2个和…``
        end = pos
        while end < len(text) and text[end] not in _BOUNDARY_AFTER and not taken[end] and end - pos < 30:
            if text[end] == "的" and end > pos:
                break
            end += 1
        if end < len(text) and taken[end]:
            return None  # the words lead to the next value: they are its indicator or a frame
        cut = _AFTER_VERB_RE.search(text, pos + 2, end)
        if cut:
            end = cut.start()
        phrase = _strip_frames(text[pos:end], leading=False, trailing=True, trailing_words=_AFTER_TRAILING)
        if 2 <= len(phrase) <= _IND_MAX or (len(phrase) == 1 and text[pos + 1:pos + 2] in ("、", "，", ",")):
            return pos, pos + len(phrase)  # one character only in a list: 带动739个村、8.1万人
        return None

    def _shorten(self, segment: str) -> tuple[int, str] | None:
        """Cut a long clause to the indicator phrase: lexicon suffix, else the part after a frame word."""
        if len(segment) <= _IND_MAX:
            return 0, segment
        entry = self._lexicon_suffix(segment)
        if entry:
            start = len(segment) - len(entry)
            for verb in _CONTENT_VERBS:
                if segment[:start].endswith(verb):
                    start -= len(verb)
                    break
            return start, segment[start:]
        best = -1
        for word in ("实现", "完成", "达到", "累计", "共", "推进", "开展", "组织", "成功", "其中", "全市", "全县",
                     "全镇", "全区", "的", "对", "为", "在", "中", "，"):
            pos = segment.rfind(word)
            if pos >= 0 and pos + len(word) > best and len(segment) - pos - len(word) >= 2:
                best = pos + len(word)
        if best > 0 and len(segment) - best <= _IND_MAX:
            return best, segment[best:]
        return None

    @staticmethod
    def _list_items(text: str, cut: int, taken: list[bool]) -> list[tuple[int, int]]:
        items = []
        pos = cut
        while pos > 0 and text[pos - 1] == "、":
            end = pos - 1
            start = end
            while start > 0 and text[start - 1] not in _BOUNDARY and not taken[start - 1] and end - start < 30:
                start -= 1
            phrase = _strip_frames(text[start:end], leading=True, trailing=False)
            if 2 <= len(phrase) <= _IND_MAX:
                s = start + text[start:end].find(phrase)
                items.append((s, s + len(phrase)))
            pos = start
        return items


# ---------------------------------------------------------------------------------------------
# Cross-validation
# ---------------------------------------------------------------------------------------------

def cross_validate(docs: Sequence["Document"], *, include_builtin: bool = True) -> dict:
    """Leave-one-document-out seqeval scores (strict, IOB2, character BIO) of the rule tagger.

    Each held-out document is tagged by a tagger whose lexicon holds the builtin names plus the
    IND texts of the *other* documents only. Returns seqeval's ``output_dict`` report.
    """
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    from govie.labels import spans_to_bio

    gold_tags, pred_tags = [], []
    for i, doc in enumerate(docs):
        others = [d for j, d in enumerate(docs) if j != i]
        tagger = RuleTagger.from_documents(others, include_builtin=include_builtin)
        pred = tagger.predict(doc.text, town=doc.meta.town)
        gold_tags.append(spans_to_bio(len(doc.text), doc.spans))
        pred_tags.append(spans_to_bio(len(doc.text), pred))
    return classification_report(gold_tags, pred_tags, mode="strict", scheme=IOB2, output_dict=True,
                                 zero_division=0)


def format_report(report: dict) -> str:
    """A fixed-width table of a seqeval ``output_dict`` report."""
    lines = [f"{'label':<12}{'P':>7}{'R':>7}{'F1':>7}{'n':>7}"]
    for name, row in report.items():
        lines.append(f"{name:<12}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1-score']:>7.3f}{int(row['support']):>7d}")
    return "\n".join(lines)


def _default_gold_dir() -> Path:
    local = Path(__file__).resolve().parent.parent / "corpora" / "gold"
    return local if any(local.glob("*.json")) else Path("/work/shared/corpora/gold")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govie.rules", description=__doc__.split("\n")[0])
    parser.add_argument("--cv", action="store_true", help="leave-one-document-out scores over the gold corpus")
    parser.add_argument("--gold", type=Path, default=None, help="folder of gold *.json (default corpora/gold)")
    parser.add_argument("--write-gold-lexicon", action="store_true",
                        help=f"write the gold IND names to {GOLD_LEXICON.relative_to(RESOURCES.parent.parent)}")
    parser.add_argument("--no-builtin", action="store_true", help="CV without the builtin lexicon")
    args = parser.parse_args(argv)
    from govie.document import FormatError, read_documents

    gold_dir = args.gold or _default_gold_dir()
    try:
        docs = [doc for path in sorted(gold_dir.glob("*.json")) for doc in read_documents(path)]
    except (FormatError, OSError) as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    if not docs:
        sys.stderr.write(f"error: no gold *.json in {gold_dir}\n")
        return 2
    if args.write_gold_lexicon:
        n = write_gold_lexicon(docs)
        sys.stdout.write(f"wrote {n} names to {GOLD_LEXICON}\n")
    if args.cv:
        report = cross_validate(docs, include_builtin=not args.no_builtin)
        sys.stdout.write(f"leave-one-document-out over {len(docs)} documents in {gold_dir}\n")
        sys.stdout.write(format_report(report) + "\n")
    if not (args.cv or args.write_gold_lexicon):
        parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
