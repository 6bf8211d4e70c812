"""Keyset cursors round-trip every column type used for ordering, including the custom timestamp and money types."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid

from surety.core.db.types import Money, UTCDateTime
from surety.core.errors import ValidationFailed
from surety.graphql.pagination import _cursor_value, decode_cursor, encode_cursor

T = Table("t", MetaData(), Column("at", UTCDateTime), Column("amount", Money), Column("id", Uuid),
          Column("n", Integer), Column("s", String))


@pytest.mark.parametrize("column, value", [
    (T.c.at, dt.datetime(2026, 12, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)),
    (T.c.amount, Decimal("1234567.89")),
    (T.c.id, uuid.UUID("01932f4e-7c9a-7d3e-8a1b-2c3d4e5f6a7b")),
    (T.c.n, 42),
    (T.c.s, "华夏"),
])
def test_cursor_values_round_trip(column, value):
    (raw,) = decode_cursor(encode_cursor([value]), 1)
    assert _cursor_value(column, raw) == value


def test_a_garbled_value_is_a_malformed_cursor():
    with pytest.raises(ValidationFailed, match="Malformed cursor"):
        _cursor_value(T.c.at, "not a time")
