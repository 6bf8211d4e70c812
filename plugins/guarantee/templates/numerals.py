"""Amounts in Chinese capital numerals (大写金额) as written on contracts and cheques: ``壹佰万元整``."""

from __future__ import annotations

from decimal import Decimal

from surety.core.db.types import to_money
from surety.core.errors import ValidationFailed

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ((1000, "仟"), (100, "佰"), (10, "拾"), (1, ""))
_SECTIONS = ("", "万", "亿", "万亿")


def _section(n: int) -> str:
    """0 < n < 10000: ``1010`` -> ``壹仟零壹拾`` (a zero between digits is read once, trailing zeros not at all)."""
    out, zero = "", False
    for size, unit in _PLACES:
        digit = n // size % 10
        if digit == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + unit
    return out


def _integer(n: int) -> str:
    sections = []
    while n:
        n, rest = divmod(n, 10000)
        sections.append(rest)
    if len(sections) > len(_SECTIONS):
        raise ValidationFailed("The amount is too large to write in capital numerals.", field="amount")
    out, gap = "", False
    for index in reversed(range(len(sections))):
        value = sections[index]
        if value == 0:
            gap = gap or bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        out += _section(value) + _SECTIONS[index]
        gap = False
    return out


def amount_in_words(value: Decimal | int | str) -> str:
    """``value`` yuan (rounded half-up to the fen) in capital numerals: ``1000000`` -> ``壹佰万元整``,
    ``1234567.89`` -> ``壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分``, ``10.05`` -> ``壹拾元零伍分``, ``0`` -> ``零元整``."""
    amount = to_money(value)
    sign = "负" if amount < 0 else ""
    fen_total = int(abs(amount) * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    out = _integer(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return sign + (out or "零元") + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    return sign + out
