"""Clean report text for the model while keeping an exact map back to the raw offsets (GUIDELINES §1).

Reports come from PDFs, print layouts and web pages: stray spaces and line breaks inside phrases
(``风 貌样板``, ``13 大类``), full-width digits and letters, non-breaking and zero-width spaces,
and page furniture (navigation, footers, ICP numbers).  Annotations and outputs index the *raw*
text, so cleaning only deletes or substitutes characters one for one and records, for every
cleaned character, the raw position it came from.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["CleanedText", "clean_text", "FURNITURE"]

_SPACES = {"\u00a0", "\u3000", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2009", "\u202f", "\t", "\r"}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"}
# full-width forms folded to ASCII; CJK punctuation (，：；！？（）) is the norm in Chinese text and stays
_FOLD = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
_FOLD.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})
_FOLD.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})
_FOLD.update({"％": "%", "．": ".", "－": "-", "／": "/", "＋": "+", "～": "~", "＜": "<", "＞": ">", "＝": "="})

#: Lines that are page furniture of government web sites and newspapers, dropped whole.
FURNITURE = re.compile(
    r"网站地图|版权所有|版权保护|隐私安全|联系我们|常见问题|ICP备|公网安备|主办单位|承办单位|技术支持|分辨率|"
    r"浏览本网站|进入老年模式|无障碍|智能问答|阅读辅助|访\s*问\s*量|字号\s*[:：]|打印本页|关闭窗口|分享到|"
    r"^\s*(?:首页|当前位置)\s*[>›]|^\s*图片\s*$|扫一扫|网站标识码")
_CJK = r"[\u4e00-\u9fff]"
# one stray space between CJK characters/digits; runs of 2+ spaces and spaces before a
# 'field:' label (发文机关:斜桥镇 公开形式:…) separate things and stay
_INNER = re.compile(rf"(?<=[\u4e00-\u9fff\d%])(?<! ) (?! )(?=[\u4e00-\u9fff])(?![\u4e00-\u9fff]{{2,6}}\s*[:：])"
                    rf"|(?<={_CJK})(?<! ) (?! )(?=\d)")
_FIELD = re.compile(r"[\u4e00-\u9fff]{2,6}\s*[:：]")
_SENTENCE_END = tuple("。！？；：:;!?）)”\"》】")
_ENUMERATOR = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、]|——|■|●|第[一二三四五六七八九十]+)")


@dataclass
class CleanedText:
    """Cleaned text plus ``origin[i]``: the raw offset of cleaned character ``i``."""

    text: str
    raw: str
    origin: list[int]

    def to_raw(self, pos: int) -> int:
        """Raw offset of cleaned offset ``pos`` (``len(text)`` maps to the end of the last char)."""
        if not 0 <= pos <= len(self.text):
            raise IndexError(f"cleaned offset {pos} outside 0..{len(self.text)}")
        if pos == len(self.text):
            return self.origin[-1] + 1 if self.origin else 0
        return self.origin[pos]

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` covering cleaned ``[start, end)``, stray spaces inside included."""
        if not 0 <= start < end <= len(self.text):
            raise IndexError(f"cleaned span {start}-{end} outside 0..{len(self.text)} or empty")
        return self.origin[start], self.origin[end - 1] + 1

    def from_raw(self, pos: int) -> int:
        """Cleaned offset of the first kept character at or after raw offset ``pos``."""
        return bisect.bisect_left(self.origin, pos)


def clean_text(raw: str) -> CleanedText:
    """Clean a raw report; see the module docstring for what is changed and why."""
    if not isinstance(raw, str):
        raise TypeError(f"clean_text expects str, got {type(raw).__name__}")
    keep = [True] * len(raw)
    chars = list(raw)
    for i, ch in enumerate(raw):
        if ch in _ZERO_WIDTH:
            keep[i] = False
        elif ch in _SPACES:
            chars[i] = " "
        elif ch in _FOLD:
            chars[i] = _FOLD[ch]
    folded = "".join(c if k else "\x00" for c, k in zip(chars, keep))

    # drop furniture lines (with their line break)
    offset = 0
    for line in folded.split("\n"):
        bare = line.replace("\x00", "").strip()
        # furniture is a short line; a paragraph that mentions 技术支持 is content
        if bare and len(bare) <= 80 and FURNITURE.search(bare):
            for j in range(offset, min(len(raw), offset + len(line) + 1)):
                keep[j] = False
        offset += len(line) + 1

    # stray spaces between CJK characters/digits, on the kept text
    view_idx = [i for i in range(len(raw)) if keep[i]]
    view = "".join(chars[i] for i in view_idx)
    for m in _INNER.finditer(view):
        for j in range(m.start(), m.end()):
            keep[view_idx[j]] = False
    # a single line break inside a wrapped line of a print layout
    view_idx = [i for i in range(len(raw)) if keep[i]]
    view = "".join(chars[i] for i in view_idx)
    for m in re.finditer(rf"(?<={_CJK})\n(?={_CJK})", view):
        line_start = view.rfind("\n", 0, m.start()) + 1
        prev_line = view[line_start:m.start()]
        next_line_end = view.find("\n", m.end())
        next_line = view[m.end():next_line_end if next_line_end >= 0 else len(view)]
        if len(prev_line) >= 15 and not prev_line.endswith(_SENTENCE_END) and not _ENUMERATOR.match(next_line) \
                and len(next_line) >= 2 and not _FIELD.search(prev_line) and not _FIELD.match(next_line):
            keep[view_idx[m.start()]] = False

    origin = [i for i in range(len(raw)) if keep[i]]
    return CleanedText(text="".join(chars[i] for i in origin), raw=raw, origin=origin)
