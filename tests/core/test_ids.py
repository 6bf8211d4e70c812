"""core.ids: UUIDs from text or UUIDs, None for anything else; text or None."""

from __future__ import annotations

import uuid

import pytest

from surety.core.ids import as_uuid, str_or_none

ID = uuid.UUID("0192a5d4-7c1e-7b3a-9f00-123456789abc")


@pytest.mark.parametrize("value,expected", [(ID, ID), (str(ID), ID), (str(ID).upper(), ID), (None, None),
                                            ("", None), ("not-a-uuid", None), (12, None), (object(), None)])
def test_as_uuid(value, expected):
    assert as_uuid(value) == expected


def test_str_or_none():
    assert (str_or_none(None), str_or_none(ID), str_or_none(0)) == (None, str(ID), "0")
