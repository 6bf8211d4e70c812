"""Masked display values."""

from __future__ import annotations

import pytest

from surety.core.crypto.masking import mask


@pytest.mark.parametrize(("value", "kind", "expected"), [
    ("110101199001011234", "id_number", "110101********1234"),
    ("11010519491231002x", "id_number", "110105********002X"),
    ("13800138000", "phone", "138****8000"),
    ("+86 138 0013 8000", "phone", "138****8000"),
    ("6222020200112233", "bank_account", "************2233"),
    ("6222 0202 0011 2233 445", "bank_account", "***************3445"),
    ("张三", "name", "张*"),
    ("欧阳修文", "name", "欧***"),
    ("张", "name", "*"),
    ("li.si@example.com", "email", "l****@example.com"),
    ("abcdef", "licence", "a****f"),
    ("ab", "licence", "a*"),
    ("a", "licence", "*"),
    ("", "licence", ""),
    ("1234", "bank_account", "1**4"),
    ("12345", "id_number", "1***5"),
])
def test_mask(value, kind, expected):
    assert mask(value, kind) == expected


def test_none_stays_none():
    assert mask(None, "phone") is None
