"""Grounding: tying each fact to the report's text.

- :class:`ReportText` holds the report text, finds quotes (character offsets in
  Unicode code points, 0-based, end exclusive) and knows where the body is.
- :func:`parse_figure` turns a printed figure (``59.96万元``, ``1700余元``,
  ``两个``, ``248%``) into an exact :class:`~decimal.Decimal` and a qualifier,
  using jionlp's Chinese number reading (magnitudes 万/亿, Chinese numerals).
- :func:`resolve_period` resolves the report's relative time expressions
  (今年年初, 两年前, 五年来, “十三五”以来, 近年来, 一年后, 2015年底) against the
  publication date, so the builder can check what a sheet writes out.
- :func:`uncovered_numbers` lists numbers in the body no quote covers.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path


@cache
def _jio():
    # jionlp prints a banner to stdout on import; keep stdout clean for exports.
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    return jionlp


@dataclass(frozen=True)
class Span:
    """``text[start:end] == exact``; offsets in code points, end exclusive."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


class ReportText:
    """A report's text (decoded UTF-8, exactly as on disk, no normalisation).

    ``body`` is the (start, end) of the body between ``body_start`` and the end
    of ``body_end``; the rest is page chrome. Raises ``ValueError`` when a
    marker is missing.
    """

    CONTEXT = 16

    def __init__(self, path: Path, body_start: str, body_end: str):
        self.path = Path(path)
        self.text = self.path.read_bytes().decode("utf-8")
        s = self.text.find(body_start)
        e = self.text.find(body_end, max(s, 0))
        if s < 0 or e < 0:
            missing = body_start if s < 0 else body_end
            raise ValueError(f"body marker {missing!r} not found in {self.path}")
        self.body = (s, e + len(body_end))

    def count(self, quote: str) -> int:
        return self.text.count(quote)

    def find(self, quote: str, *, within: Span | None = None) -> Span | None:
        """The first occurrence of ``quote`` (inside ``within`` if given), or None."""
        lo, hi = (within.start, within.end) if within else (0, len(self.text))
        i = self.text.find(quote, lo, hi)
        if i < 0 or not quote:
            return None
        j = i + len(quote)
        c = self.CONTEXT
        return Span(i, j, quote, self.text[max(0, i - c):i], self.text[j:j + c])

    def in_body(self, span: Span) -> bool:
        return self.body[0] <= span.start and span.end <= self.body[1]


# --- figures ---------------------------------------------------------------

_NUM = r"[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千]+"
_FIGURE = re.compile(
    rf"^(?P<pre>约|近)?(?P<num>{_NUM})(?P<mid>余|多)?(?P<mag>[万亿]*)(?P<post>余|多)?(?P<unit>.*)$")
_MAGNITUDE = {"": 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}

QUALIFIER_OF = {"约": "about", "近": "nearly", "余": "more-than", "多": "more-than"}


def parse_figure(figure: str) -> tuple[Decimal, str, str]:
    """Read a printed figure.

    Returns ``(value, qualifier, unit_text)``: the exact value in base
    magnitude, the qualifier (``exact``/``about``/``nearly``/``more-than``) and
    whatever follows the number (``元``, ``户``, ``%``, ``公里``…).

    >>> parse_figure("59.96万元")
    (Decimal('599600'), 'exact', '元')
    >>> parse_figure("1700余元")
    (Decimal('1700'), 'more-than', '元')
    >>> parse_figure("3000余万元")
    (Decimal('30000000'), 'more-than', '元')
    >>> parse_figure("两个")
    (Decimal('2'), 'exact', '个')

    Raises ``ValueError`` when ``figure`` does not start with a number.
    """
    m = _FIGURE.match(figure)
    if not m:
        raise ValueError(f"{figure!r} does not start with a number (digits or Chinese numerals)")
    num, mag = m["num"], m["mag"]
    if mag not in _MAGNITUDE:
        raise ValueError(f"{figure!r}: unknown magnitude {mag!r}")
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", num):
        value = Decimal(num) * _MAGNITUDE[mag]
    else:  # Chinese numerals (with their magnitudes): jionlp's reading
        parsed = _jio().parse_money(num + mag + "元")["num"]
        value = Decimal(parsed[0] if isinstance(parsed, list) else parsed)
    qualifier = QUALIFIER_OF.get(m["pre"] or m["mid"] or m["post"] or "", "exact")
    return _plain(value), qualifier, m["unit"]


def _plain(d: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form: 599600.00 → 599600."""
    d = d.normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d


# --- periods ---------------------------------------------------------------

_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9, "十": 10}
_FYP = {"十二五": 2011, "十三五": 2016, "十四五": 2021}


@dataclass(frozen=True)
class Resolved:
    start: dt.date | None
    end: dt.date
    instant: bool = False


def _years_back(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year - n)
    except ValueError:  # 29 February
        return d.replace(year=d.year - n, day=28)


def resolve_period(expression: str, published: dt.date,
                   anchor: Resolved | None = None) -> Resolved:
    """Resolve the report's wording of a time to explicit dates.

    ``published`` is the publication date; ``anchor`` is the resolved period a
    relative expression counts from when it is not the publication (一年后).
    Ends are inclusive. Patterns, in order:

    - ``YYYY年底`` / ``YYYY年末`` → the instant YYYY-12-31
    - ``YYYY年`` → that calendar year
    - ``今年年初`` → from 1 January of the publication year to publication
    - ``N年前`` → the calendar year N years before publication
    - ``N年来`` → from the same day N years before publication, to publication
    - ``“十三五”以来`` (any five-year plan) → from the plan's first 1 January
    - ``近年来`` → up to publication, start not stated
    - ``如今`` / ``目前`` / ``今年`` → the publication date (instant) / year so far
    - ``N年后`` → the calendar year N years after ``anchor``'s end

    Raises ``ValueError`` for wording it does not know (a sheet must then
    resolve it by other means) or a relative expression without its anchor.
    """
    e = expression.strip("“”\"")
    if m := re.search(r"(\d{4})年[底末]", e):
        d = dt.date(int(m[1]), 12, 31)
        return Resolved(d, d, True)
    if m := re.fullmatch(r"(\d{4})年", e):
        y = int(m[1])
        return Resolved(dt.date(y, 1, 1), dt.date(y, 12, 31))
    if e in ("今年年初", "年初"):
        return Resolved(dt.date(published.year, 1, 1), published)
    if e in ("如今", "目前"):
        return Resolved(published, published, True)
    if e == "今年":
        return Resolved(dt.date(published.year, 1, 1), published)
    if e == "近年来":
        return Resolved(None, published)
    if m := re.fullmatch(r"([一二两三四五六七八九十])年前", e):
        y = published.year - _CN_DIGIT[m[1]]
        return Resolved(dt.date(y, 1, 1), dt.date(y, 12, 31))
    if m := re.fullmatch(r"([一二两三四五六七八九十])年来", e):
        return Resolved(_years_back(published, _CN_DIGIT[m[1]]), published)
    if m := re.fullmatch(r"“?(十[二三四]五)”?以来", expression):
        return Resolved(dt.date(_FYP[m[1]], 1, 1), published)
    if m := re.fullmatch(r"([一二两三四五六七八九十])年后", e):
        if anchor is None:
            raise ValueError(f"{expression!r} is relative to another period: give 'anchor'")
        y = anchor.end.year + _CN_DIGIT[m[1]]
        return Resolved(dt.date(y, 1, 1), dt.date(y, 12, 31))
    raise ValueError(
        f"cannot resolve {expression!r}; known: YYYY年, YYYY年底, 今年年初, N年前, N年来, "
        "N年后 (with anchor), “十三五”以来, 近年来, 如今, 目前")


# --- coverage --------------------------------------------------------------

_ANY_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?%?|[零〇一二两三四五六七八九十百千万亿]+(?=[个户人名期种项届年元])")


def numbers_in(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Every number in ``text[lo:hi]``: Arabic numbers, and Chinese numerals
    followed by a measure word (两个, 五年, 第一届). Returns (start, end, text)."""
    return [(m.start(), m.end(), m[0]) for m in _ANY_NUMBER.finditer(text, lo, hi)]


def uncovered_numbers(report: "ReportText", spans: list[Span]) -> list[tuple[int, int, str]]:
    """Numbers in the body that lie inside none of ``spans``."""
    covered = sorted((s.start, s.end) for s in spans)
    out = []
    for a, b, t in numbers_in(report.text, *report.body):
        if not any(s <= a and b <= e for s, e in covered):
            out.append((a, b, t))
    return out
