"""Parse the text of a VAL span into a number (GUIDELINES §2 VAL, §3 value_norm, §7.6/7.7/7.20/7.21).

Reports write numbers in Arabic digits (with full-width forms, thousands separators, stray
spaces from PDF extraction), in Chinese numerals, and in mixtures (``1.2万亿``, ``3千``,
``两万三千``).  Everything is computed with :class:`decimal.Decimal` so that ``17.03亿`` gives
exactly ``1703000000`` and not ``1702999999.9999998``; integral results are returned as ``int``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["Number", "NumberError", "parse_number", "MAGNITUDES", "CN_DIGITS", "to_plain"]


class NumberError(ValueError):
    """The text is not a number this parser understands; the message quotes the text."""


@dataclass(frozen=True)
class Number:
    """A parsed value; ``upper`` is set for ranges (``10-15`` → ``Number(10, upper=15)``)."""

    value: int | float
    upper: int | float | None = None

    @property
    def is_range(self) -> bool:
        return self.upper is not None


CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5,
    "陆": 6, "柒": 7, "捌": 8, "玖": 9,
}
_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
#: Magnitude characters that may follow a number inside a VAL span (§2: they belong to VAL).
MAGNITUDES: dict[str, int] = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8, "万亿": 10**12}

_RANGE_SEP = re.compile(r"(?<=[\d一二两三四五六七八九十百千万亿])\s*[-–—~～至到]+\s*(?=[\d一二两三四五六七八九十])")
_ARABIC = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_APPROX_INNER = re.compile(r"(?<=[\d一二两三四五六七八九十百千])[余多]+(?=[十百千万亿]|$)")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[零〇○一二两三四五六七八九壹贰叁肆伍陆柒捌玖]|[十拾百佰千仟]")
_HALF_WORDS = {"一半": Decimal("0.5"), "半": Decimal("0.5"), "半数": Decimal("0.5")}


def to_plain(value: Decimal) -> int | float:
    """``Decimal`` → ``int`` when integral, else ``float``."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _prepare(text: str) -> str:
    if not isinstance(text, str):
        raise NumberError(f"expected a string, got {type(text).__name__}")
    s = unicodedata.normalize("NFKC", text)
    s = "".join(s.split())  # stray spaces from PDF layout: '12.56 万'
    s = s.replace("−", "-").replace("﹣", "-")
    return s


def parse_number(text: str) -> Number:
    """Parse a VAL span's text: ``'17.03亿'`` → ``Number(1703000000)``; raises only :class:`NumberError`.

    Accepted: Arabic and full-width digits, thousands separators, Chinese numerals of every
    standard form, magnitude characters (十百千万亿, 万亿), ``余``/``多`` between number and
    magnitude (``600余万`` → 6000000, §7.6), fractions (``2/3``, ``三分之二``), ``一半``,
    percent forms (``百分之五``, ``5%`` give 5: the number of percent), a leading minus or
    ``负`` and ranges (``10-15`` → lower 10, upper 15, §7.7).
    """
    s = _prepare(text)
    if not s:
        raise NumberError(f"empty number text {text!r}")
    try:
        return _parse(s, text)
    except NumberError:
        raise
    except (InvalidOperation, ValueError, ZeroDivisionError, OverflowError, IndexError) as exc:
        raise NumberError(f"cannot parse number {text!r}: {exc}") from None


def _parse(s: str, original: str) -> Number:
    sign = 1
    if s[0] in "-负":
        sign, s = -1, s[1:]
    elif s[0] == "+":
        s = s[1:]
    parts = _RANGE_SEP.split(s)
    if len(parts) == 2:
        low, high = (_scalar(p, original) for p in parts)
        # '10-15万' applies the magnitude of the upper bound to a bare lower bound
        factor = _trailing_factor(parts[1])
        if factor != 1 and _trailing_factor(parts[0]) == 1 and low * factor <= high:
            low = low * factor
        return Number(to_plain(sign * low), upper=to_plain(sign * high))
    if len(parts) > 2:
        raise NumberError(f"cannot parse number {original!r}: more than two range bounds")
    return Number(to_plain(sign * _scalar(s, original)))


def _trailing_factor(s: str) -> int:
    if s.endswith("万亿"):
        return MAGNITUDES["万亿"]
    return MAGNITUDES.get(s[-1:], 1) if s[-1:] in "万亿" else 1


def _scalar(s: str, original: str) -> Decimal:
    if not s:
        raise NumberError(f"cannot parse number {original!r}: missing digits")
    if s in _HALF_WORDS:
        return _HALF_WORDS[s]
    if s.endswith("%"):
        return _scalar(s[:-1], original)
    if s.startswith("百分之"):
        return _scalar(s[3:], original)
    if "分之" in s:
        den, _, num = s.partition("分之")
        return _scalar(num, original) / _scalar(den, original)
    if "/" in s:
        num, _, den = s.partition("/")
        return _scalar(num, original) / _scalar(den, original)
    if "," in s:
        if not _THOUSANDS.fullmatch(s):
            raise NumberError(f"cannot parse number {original!r}: misplaced thousands separator")
        s = s.replace(",", "")
    s = _APPROX_INNER.sub("", s)
    if not s:
        raise NumberError(f"cannot parse number {original!r}: missing digits")
    if _ARABIC.fullmatch(s):
        return Decimal(s)
    if "点" in s:
        whole, _, frac = s.partition("点")
        if not frac or any(c not in CN_DIGITS for c in frac):
            raise NumberError(f"cannot parse number {original!r}: bad decimal part after 点")
        digits = "".join(str(CN_DIGITS[c]) for c in frac)
        base = _scalar(whole, original) if whole else Decimal(0)
        return base + Decimal("0." + digits)
    return _chinese(s, original)


def _chinese(s: str, original: str) -> Decimal:
    """Numbers with 亿/万 sections, split recursively: ``1.2万亿`` = 1.2万 × 1e8."""
    if "亿" in s:
        head, _, tail = s.rpartition("亿")
        high = _chinese(head, original) if head else Decimal(1)
        return high * 10**8 + (_chinese(tail, original) if tail else 0)
    if "万" in s:
        head, _, tail = s.partition("万")
        if "万" in tail:
            raise NumberError(f"cannot parse number {original!r}: 万 twice")
        high = _section(head, original) if head else Decimal(1)
        low = _section(tail, original) if tail else Decimal(0)
        if low >= 10**4:
            raise NumberError(f"cannot parse number {original!r}: part after 万 too large")
        return high * 10**4 + low
    return _section(s, original)


def _section(s: str, original: str) -> Decimal:
    """A section below 万: digits with 十百千, or a digit string (``二〇二四``), or Arabic."""
    if _ARABIC.fullmatch(s):
        return Decimal(s)
    tokens = _TOKEN.findall(s)
    if "".join(tokens) != s:
        raise NumberError(f"cannot parse number {original!r}: unexpected characters")
    if all(t in CN_DIGITS for t in tokens):
        if len(tokens) > 1 and tokens[0] in "零〇○":
            pass  # a digit string such as '〇五' still reads positionally
        return Decimal("".join(str(CN_DIGITS[t]) for t in tokens))
    total = Decimal(0)
    current: Decimal | None = None
    last_unit = 10**5
    after_zero = False
    for tok in tokens:
        if tok in _SMALL_UNITS:
            unit = _SMALL_UNITS[tok]
            if unit >= last_unit:
                raise NumberError(f"cannot parse number {original!r}: {tok} out of order")
            total += (current if current is not None else Decimal(1)) * unit
            current, last_unit, after_zero = None, unit, False
        elif tok in CN_DIGITS and CN_DIGITS[tok] == 0:
            if current is not None:
                raise NumberError(f"cannot parse number {original!r}: misplaced 零")
            after_zero = True
        else:
            if current is not None:
                raise NumberError(f"cannot parse number {original!r}: two digits without a unit")
            current = Decimal(tok) if tok[0].isdigit() else Decimal(CN_DIGITS[tok])
    if current is not None:
        if after_zero or last_unit == 10**5 or last_unit == 10:
            total += current
        else:
            # colloquial '两千三' = 2300: a trailing digit counts in the next lower unit
            total += current * (last_unit // 10)
    return total
