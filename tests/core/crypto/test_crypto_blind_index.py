"""Blind indexes: normalisation, per-tenant keys, automatic filling, exact-match queries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surety.core.crypto.blind_index import BlindIndexColumn, blind_index, normalise


@pytest.mark.parametrize(("kind", "raw", "expected"), [
    ("id_number", " 110105 19491231 002x ", "11010519491231002X"),
    ("id_number", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
    ("phone", "138 0013 8000", "13800138000"),
    ("phone", "+86 138-0013-8000", "13800138000"),
    ("phone", "+86 10 1234 5678", "1012345678"),
    ("phone", "008613800138000", "13800138000"),
    ("phone", "8613800138000", "13800138000"),
    ("phone", "(010) 1234-5678", "01012345678"),
    ("bank_account", "6222 0202 0011 2233 445", "6222020200112233445"),
    ("name", " 张 三 ", "张三"),
])
def test_normalisers(kind, raw, expected):
    assert normalise(raw, kind) == expected


def test_equal_for_equal_normalised_values(db, tenant):
    same = ["13800138000", "138 0013 8000", "+86 138-0013-8000", "+8613800138000"]
    assert len({blind_index(tenant.id, v, "phone") for v in same}) == 1
    assert blind_index(tenant.id, "13800138001", "phone") != blind_index(tenant.id, "13800138000", "phone")
    assert blind_index(tenant.id, "11010519491231002x", "id_number") == blind_index(
        tenant.id, "11010519491231002X", "id_number")
    value = blind_index(tenant.id, "6222020200112233445", "bank_account")
    assert len(value) == 64 and int(value, 16) >= 0 and "6222" not in value


def test_different_across_tenants_and_kinds(db, tenant, other_tenant):
    assert blind_index(tenant.id, "13800138000", "phone") != blind_index(other_tenant.id, "13800138000", "phone")
    assert blind_index(tenant.id, "13800138000", "phone") != blind_index(tenant.id, "13800138000", "bank_account")


def test_none_and_unknown_kinds(db, tenant):
    assert blind_index(tenant.id, None, "phone") is None
    with pytest.raises(ValueError, match="no blind-index normaliser"):
        blind_index(tenant.id, "x", "shoe_size")
    with pytest.raises(ValueError, match="shoe_size"):
        BlindIndexColumn("shoe_size")


def test_companion_columns_are_filled_and_queryable(db, sample_model, tenant, other_tenant):
    Sample = sample_model
    with db.tenant_session(tenant.id) as s:
        mine = Sample(label="mine", id_number="11010519491231002X", phone="+86 138 0013 8000",
                      bank_account="6222020200112233445")
        s.add_all([mine, Sample(label="blank")])
    with db.tenant_session(other_tenant.id) as s:
        s.add(Sample(label="theirs", phone="13800138000"))

    def find(tenant_id, column, value, kind):
        with db.tenant_session(tenant_id) as s:
            return list(s.scalars(select(Sample.label).where(column == blind_index(tenant_id, value, kind))))

    assert mine.phone_bidx == blind_index(tenant.id, "13800138000", "phone")
    assert find(tenant.id, Sample.phone_bidx, "138 0013 8000", "phone") == ["mine"]
    assert find(other_tenant.id, Sample.phone_bidx, "138-0013-8000", "phone") == ["theirs"]
    assert find(tenant.id, Sample.id_number_bidx, "11010519491231002x", "id_number") == ["mine"]
    assert find(tenant.id, Sample.bank_account_bidx, "6222 0202 0011 2233 445", "bank_account") == ["mine"]
    assert find(tenant.id, Sample.phone_bidx, "1380013800", "phone") == []  # exact match only

    with db.tenant_session(tenant.id) as s:
        row = s.scalar(select(Sample).where(Sample.label == "mine"))
        row.phone = "13911112222"
    assert find(tenant.id, Sample.phone_bidx, "13800138000", "phone") == []
    assert find(tenant.id, Sample.phone_bidx, "139 1111 2222", "phone") == ["mine"]
    with db.tenant_session(tenant.id) as s:
        row = s.scalar(select(Sample).where(Sample.label == "mine"))
        row.phone = None
        s.flush()
        assert row.phone_bidx is None
