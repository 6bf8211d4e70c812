"""Column types that keep exact values on both PostgreSQL and SQLite.

SQLite stores NUMERIC as a float, so on SQLite money is kept as an integer number of fen and rates as an integer
scaled by 10^8. On PostgreSQL both are NUMERIC. Python always sees ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

FEN = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round half-up to the fen. Floats are refused: money never passes through binary floating point."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal, int or str")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


class _ScaledDecimal(TypeDecorator):
    impl = Numeric
    cache_ok = True
    scale = 2
    precision = 20

    @property
    def python_type(self) -> type:
        return Decimal

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def _quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.scale)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError(f"{type(self).__name__} refuses float values; use Decimal")
        value = Decimal(value).quantize(self._quantum(), rounding=ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return int(value.scaleb(self.scale))
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._quantum())
        return Decimal(value).quantize(self._quantum())


class Money(_ScaledDecimal):
    """Money in yuan, exact to the fen."""

    scale = 2
    precision = 20
    cache_ok = True


class Rate(_ScaledDecimal):
    """A rate or ratio with 8 decimal places."""

    scale = 8
    precision = 18
    cache_ok = True


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A UTC-aware timestamp. Naive datetimes are refused on the way in; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        return dt.datetime

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: timestamps must be timezone-aware (UTC)")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
