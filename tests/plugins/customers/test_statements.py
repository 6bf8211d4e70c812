"""Financial statements and derived ratios, checked against hand-computed Decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surety.core.errors import ValidationFailed
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.statements import set_statement, statements
from surety.plugins.customers.testing import corporate, individual

Y2023 = dict(total_assets="1000000.00", total_liabilities="600000.00", current_assets="500000.00",
             current_liabilities="250000.00", inventory="100000.00", equity="400000.00", revenue="800000.00",
             net_profit="60000.00")
Y2024 = dict(total_assets="1200000.00", total_liabilities="660000.00", current_assets="540000.00",
             current_liabilities="300000.00", inventory="120000.00", equity="540000.00", revenue="1000000.00",
             net_profit="81000.00")


def test_ratios(db, world):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        cid = create_customer(s, a, "corporate", corporate(1)).id
        set_statement(s, a, cid, dt.date(2023, 12, 31), Y2023)
        set_statement(s, a, cid, dt.date(2024, 12, 31), Y2024)
        latest, first = statements(s, a, cid)
        r = latest.ratios
        assert r.debt_ratio == Decimal("0.550000")  # 660000 / 1200000
        assert r.current_ratio == Decimal("1.800000")  # 540000 / 300000
        assert r.quick_ratio == Decimal("1.400000")  # (540000 - 120000) / 300000
        assert r.roe == Decimal("0.150000")  # 81000 / 540000
        assert r.revenue_growth == Decimal("0.250000")  # 1000000 / 800000 - 1
        assert first.ratios.revenue_growth is None and first.ratios.quick_ratio == Decimal("1.600000")
        assert isinstance(latest.statement.revenue, Decimal)
        # Correcting a period replaces it; a third of a yuan rounds half-up at 6 places.
        set_statement(s, a, cid, dt.date(2024, 12, 31), {**Y2024, "current_liabilities": "300000.00",
                                                         "current_assets": "400000.00", "inventory": "0.00",
                                                         "total_liabilities": "400000.00"})
        r2 = statements(s, a, cid)[0].ratios
        assert r2.debt_ratio == Decimal("0.333333") and r2.current_ratio == Decimal("1.333333")


def test_bad_statements_are_refused(db, world):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        cid = create_customer(s, a, "corporate", corporate(1)).id
        person = create_customer(s, a, "individual", individual(1)).id
        with pytest.raises(ValidationFailed) as err:
            set_statement(s, a, cid, dt.date(2024, 12, 31), {**Y2024, "revenue": None})
        assert err.value.field == "revenue"
        with pytest.raises(ValidationFailed) as err:
            set_statement(s, a, cid, dt.date(2024, 12, 31), {**Y2024, "inventory": "999999.00"})
        assert err.value.field == "inventory"
        with pytest.raises(ValidationFailed):
            set_statement(s, a, person, dt.date(2024, 12, 31), Y2024)
        loss = set_statement(s, a, cid, dt.date(2022, 12, 31), {**Y2023, "net_profit": "-5000.50",
                                                                "equity": "-1.00"})
        assert loss.net_profit == Decimal("-5000.50")
        assert statements(s, a, cid)[0].ratios.roe is None  # negative equity: no ROE


def test_hooks_for_other_plugins_give_summaries_and_latest_ratios(db, world):
    from surety.core.plugins import get_registry
    from surety.plugins.customers.records import delete_customer

    hook = get_registry().hook
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        company = create_customer(s, a, "corporate", corporate(1, name="华夏建材有限公司", industry="C30"))
        person = create_customer(s, a, "individual", individual(2, name="张三"))
        assert hook.customers_latest_ratios(session=s, customer_id=company.id) is None
        set_statement(s, a, company.id, dt.date(2023, 12, 31), Y2023)
        set_statement(s, a, company.id, dt.date(2024, 12, 31), Y2024)
        set_statement(s, a, company.id, dt.date(2025, 3, 31), {**Y2024, "revenue": "200000.00"},
                      period_type="quarterly")
        latest = hook.customers_latest_ratios(session=s, customer_id=company.id)
        # The annual statement wins over a later quarterly one; growth against the year before.
        assert latest["period_type"] == "annual" and latest["period_end"] == dt.date(2024, 12, 31)
        assert latest["debt_ratio"] == Decimal("0.550000") and latest["revenue_growth"] == Decimal("0.250000")
        delete_customer(s, world.actors["admin"], person.id)
        found = hook.customers_summaries(session=s, customer_ids=[company.id, person.id, company.id])
        assert found[company.id] == {"id": company.id, "kind": "corporate", "name": "华夏建材有限公司",
                                     "org_unit_id": company.org_unit_id, "owner_id": company.owner_id,
                                     "industry": "C30", "region": company.region, "size": company.size,
                                     "deleted": False}
        assert found[person.id]["deleted"] is True and "id_number" not in found[person.id]
        assert hook.customers_summaries(session=s, customer_ids=[]) == {}
