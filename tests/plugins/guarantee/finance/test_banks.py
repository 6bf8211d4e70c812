"""Partner banks and credit lines: create, change, list with total/used/available; validation and permissions;
reserve and release under the line's lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.plugins.guarantee.finance import banks
from surety.plugins.guarantee.project.models import GuaranteeCreditLine
from surety.plugins.guarantee.testing import make_bank, make_product, make_project

D = dt.date


def test_bank_and_line_lifecycle(gw):
    with gw.acting("fin") as (s, a):
        bank = banks.create_bank(s, a, code=" ICBC-01 ", name="工商银行  北京分行")
        assert (bank.code, bank.name, bank.active) == ("ICBC-01", "工商银行 北京分行", True)
        line = banks.create_line(s, a, bank.id, total="80000000", risk_share_ratio="0.2",
                                 start_date=D(2026, 1, 1), end_date=D(2026, 12, 31))
        assert line.total == Decimal("80000000.00") and line.used == Decimal("0.00")
        assert banks.available(line) == Decimal("80000000.00")
        banks.update_bank(s, a, bank.id, name="工商银行", active=True)
        banks.update_line(s, a, line.id, total="90000000.00", risk_share_ratio=Decimal("0.25"))
    with gw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            banks.list_banks(s, a)
    with gw.acting("mgr") as (s, a):
        listed = banks.list_banks(s, a)
        assert [b.name for b in listed] == ["工商银行"]
        (row,) = banks.bank_lines(s, a, bank.id)
        assert (row.total, row.used, row.risk_share_ratio) == (Decimal("90000000.00"), Decimal("0.00"),
                                                               Decimal("0.25000000"))
        with pytest.raises(PermissionDenied):
            banks.create_bank(s, a, code="X", name="X")
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.action.like("guarantee.%"))).all()
        assert {"guarantee.bank.created", "guarantee.bank.updated", "guarantee.credit_line.created",
                "guarantee.credit_line.updated"} <= set(actions)


def test_line_validation(gw):
    with gw.acting("fin") as (s, a):
        bank = banks.create_bank(s, a, code="B1", name="建设银行")
        with pytest.raises(Conflict) as dup:
            banks.create_bank(s, a, code="B1", name="另一家")
        assert dup.value.field == "code"
        good = dict(total="100", risk_share_ratio="0.5", start_date=D(2026, 1, 1), end_date=D(2026, 6, 30))
        for bad, field in ((dict(total="0"), "total"), (dict(total="-5"), "total"), (dict(total="abc"), "total"),
                           (dict(total=1.5), "total"),
                           (dict(risk_share_ratio="1.5"), "risk_share_ratio"),
                           (dict(risk_share_ratio="-0.1"), "risk_share_ratio"),
                           (dict(start_date=D(2026, 7, 1)), "start_date")):
            with pytest.raises(ValidationFailed) as err:
                banks.create_line(s, a, bank.id, **{**good, **bad})
            assert err.value.field == field, bad
        line = banks.create_line(s, a, bank.id, **good)
        with pytest.raises(Conflict) as overlap:
            banks.create_line(s, a, bank.id, **{**good, "start_date": D(2026, 6, 1), "end_date": D(2026, 12, 31)})
        assert "overlapping" in overlap.value.message
        # A later, non-overlapping line is fine; so is an overlapping one once the first is inactive.
        banks.create_line(s, a, bank.id, **{**good, "start_date": D(2026, 7, 1), "end_date": D(2026, 12, 31)})
        banks.update_line(s, a, line.id, active=False)
        banks.create_line(s, a, bank.id, **{**good, "start_date": D(2026, 3, 1), "end_date": D(2026, 5, 31)})
        with pytest.raises(NotFound):
            banks.bank_lines(s, a, line.id)


def test_total_cannot_drop_below_used_and_reserve_release(gw):
    with gw.acting("fin") as (s, a):
        bank, line = make_bank(s, total="1000000.00")
        project = make_project(s, a, gw.customers["corp"], bank=bank, amount="600000.00", status="in_approval")
        assert banks.reserve(s, project, today=D(2026, 5, 1)).id == line.id
        assert project.credit_line_id == line.id and line.used == Decimal("600000.00")
        # Reserving again does nothing more.
        banks.reserve(s, project, today=D(2026, 5, 1))
        assert s.scalar(select(GuaranteeCreditLine.used).where(GuaranteeCreditLine.id == line.id)) \
            == Decimal("600000.00")
        with pytest.raises(Conflict) as low:
            banks.update_line(s, a, line.id, total="500000")
        assert low.value.field == "total" and "600,000.00" in low.value.message
        with pytest.raises(Conflict):
            banks.release(s, project, "700000")
        with pytest.raises(ValidationFailed):
            banks.release(s, project, "-1")
        banks.release(s, project, "250000.00")
        assert banks.lock_line(s, line.id).used == Decimal("350000.00")
        assert banks.release(s, make_project(s, a, gw.customers["corp"]), "1") is None


def test_no_line_covering_the_date(gw):
    with gw.acting("fin") as (s, a):
        bank, _ = make_bank(s, total=None)
        project = make_project(s, a, gw.customers["corp"], bank=bank)
        with pytest.raises(banks.NoCreditLine) as err:
            banks.reserve(s, project, today=D(2026, 5, 1))
        assert err.value.code == "GUARANTEE_NO_CREDIT_LINE" and "2026-05-01" in err.value.message
        other, line = make_bank(s)  # its line runs 2024-2030
        assert banks.line_covering(s, other.id, D(2030, 12, 31)).id == line.id
        assert banks.line_covering(s, other.id, D(2031, 1, 1)) is None
        non_fin = make_project(s, a, gw.customers["corp"], bank=bank, product=make_product(s, kind="bid"))
        assert banks.reserve(s, non_fin) is None and non_fin.credit_line_id is None
