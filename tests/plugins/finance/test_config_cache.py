"""The process cache of a tenant's voucher rules and chart (plugins/finance/accounts/config_cache.py): a warm
session reads neither; a change made in this process is seen by the next receipt at once; a change made elsewhere
(the version bumped in the database) is seen after the recheck; a rolled-back change is never cached; two tenants
never share an entry; finance_0004 adds and removes ``finance_charts.config_version``."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, inspect, select, update

from surety.core.db import migrate
from surety.core.errors import ValidationFailed
from surety.core.testing import migrated
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.finance.accounts import config_cache
from surety.plugins.finance.accounts.models import FinanceChart
from surety.plugins.finance.accounts.services import chart, update_account
from surety.plugins.finance.rules import services as rules
from surety.plugins.finance.rules.models import FinanceVoucherRule
from surety.plugins.finance.vouchers.models import FinanceVoucher
from surety.plugins.guarantee.finance import fees
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem
from surety.plugins.guarantee.testing import make_project

D = dt.date(2026, 11, 20)
FEE = "GuaranteeFeeReceived"


@pytest.fixture(autouse=True)
def long_recheck():
    """A recheck window no test outlives: whatever a test sees change, the process cache's invalidation did (or the
    test shortened the window itself)."""
    cache = config_cache.configure(recheck_seconds=3600)
    yield cache
    config_cache.configure(recheck_seconds=1.0)


def _fee_item(w):
    with w.acting("admin") as (s, a):
        customer = create_customer(s, a, "corporate", corporate(7)).id
    with w.acting("fin") as (s, a):
        p = make_project(s, a, customer, amount="1000000.00", term_months=12, status="approved")
        fees.set_plan(s, a, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.02", frequency="once",
                      start_date=D)
        return s.scalar(select(GuaranteeFeeItem.id).where(GuaranteeFeeItem.project_id == p.id,
                                                          GuaranteeFeeItem.fee_type == "guarantee_fee"))


def _receive(w, item) -> int:
    """One receipt in its own session (as a request runs it); the tenant's fee vouchers afterwards."""
    with w.acting("fin") as (s, a):
        fees.receive(s, a, item, "1.00", received_on=D)
    with w.session() as s:
        return s.scalar(select(func.count()).select_from(FinanceVoucher).where(FinanceVoucher.source_event_type == FEE))


def _set_active(w, active: bool) -> None:
    with w.acting("fin") as (s, a):
        rules.set_rule(s, a, FEE, {"active": active})


def _statements(w):
    """Context: the statements the tenant's sessions run (a list)."""
    seen: list[str] = []

    class Meter:
        def __enter__(self):
            event.listen(w.db.engine, "before_cursor_execute", self.count)
            return seen

        def __exit__(self, *exc):
            event.remove(w.db.engine, "before_cursor_execute", self.count)

        @staticmethod
        def count(conn, cursor, statement, *args):
            seen.append(statement)

    return Meter()


def test_a_warm_session_reads_neither_rules_nor_chart(fgw, long_recheck):
    with fgw.session() as s:
        assert rules.rule_for(s, FEE) is not None and "2401" in chart(s)
    assert fgw.tenant.id in long_recheck
    with _statements(fgw) as seen, fgw.session() as s:
        assert rules.rule_for(s, FEE).word == "记"
        assert chart(s)["2401"].leaf
        with pytest.raises(TypeError):
            chart(s)["9999"] = chart(s)["2401"]  # cached values are read-only
    assert not [x for x in seen if "finance_" in x]


def test_a_rule_or_account_change_is_seen_by_the_next_receipt_in_this_process(fgw):
    item = _fee_item(fgw)
    assert _receive(fgw, item) == 1
    _set_active(fgw, False)
    assert _receive(fgw, item) == 1  # no rule: no voucher
    _set_active(fgw, True)
    assert _receive(fgw, item) == 2
    with fgw.acting("fin") as (s, a):
        update_account(s, a, "2401", {"active": False})
    with pytest.raises(ValidationFailed, match="2401"):
        _receive(fgw, item)


def test_a_reader_while_a_change_is_in_flight_does_not_keep_the_old_rules(fgw, long_recheck):
    item = _fee_item(fgw)
    with fgw.acting("fin") as (s, a):
        rules.set_rule(s, a, FEE, {"active": False})
        with fgw.session() as t:  # a concurrent request of this process caches what is committed: the old rule
            assert rules.rule_for(t, FEE) is not None
        assert fgw.tenant.id in long_recheck
    assert fgw.tenant.id not in long_recheck  # the commit dropped it
    assert _receive(fgw, item) == 0


def test_a_change_made_elsewhere_is_seen_after_the_recheck(fgw, long_recheck):
    item = _fee_item(fgw)
    assert _receive(fgw, item) == 1
    with fgw.session() as s:  # another process: the rule and the version written without this process knowing
        s.execute(update(FinanceVoucherRule).where(FinanceVoucherRule.event_type == FEE).values(active=False))
        s.execute(update(FinanceChart).values(config_version=FinanceChart.config_version + 1))
    assert _receive(fgw, item) == 2  # within the recheck window the cached rule still writes
    long_recheck.recheck_seconds = 0  # the window has passed
    with _statements(fgw) as seen:
        assert _receive(fgw, item) == 2
    assert len([x for x in seen if "config_version" in x]) == 1  # one version read per session (request)
    assert len([x for x in seen if "FROM finance_voucher_rules" in x]) == 1  # and the rules read again once


def test_a_rolled_back_change_is_not_cached(fgw, long_recheck):
    item = _fee_item(fgw)
    assert _receive(fgw, item) == 1
    with pytest.raises(RuntimeError), fgw.acting("fin") as (s, a):
        rules.set_rule(s, a, FEE, {"active": False})
        assert rules.rule_for(s, FEE) is None  # the transaction sees its own change ...
        assert fgw.tenant.id not in long_recheck  # ... read into its session, not into the process cache
        raise RuntimeError("roll back")
    with fgw.session() as s:
        assert s.scalar(select(FinanceVoucherRule.active).where(FinanceVoucherRule.event_type == FEE)) is True
    assert _receive(fgw, item) == 2
    long_recheck.recheck_seconds = 0  # the version went back with the rollback: a recheck keeps the entry
    assert _receive(fgw, item) == 3


def test_two_tenants_never_share_an_entry(fgw, make_tenant, world_of, long_recheck):
    other = world_of(make_tenant(plugins=["customers", "guarantee", "finance"]))
    mine, theirs = _fee_item(fgw), _fee_item(other)
    assert (_receive(fgw, mine), _receive(other, theirs)) == (1, 1)
    with fgw.session() as s, other.session() as t:
        assert s.scalar(select(FinanceChart.config_version)) == t.scalar(select(FinanceChart.config_version))
    _set_active(other, False)  # same version numbers before, a different tenant
    assert (_receive(fgw, mine), _receive(other, theirs)) == (2, 1)
    assert {fgw.tenant.id, other.tenant.id} <= set(long_recheck._entries)


def test_every_change_bumps_the_version_in_its_transaction(fgw):
    def version():
        with fgw.session() as s:
            return s.scalar(select(FinanceChart.config_version))

    start = version()
    _set_active(fgw, False)
    with fgw.acting("fin") as (s, a):
        update_account(s, a, "2401", {"name": "递延收益（担保费）"})
        rules.install_chart(s, a, "guarantee_legacy")
    assert version() == start + 4  # the rule, the account, the chart's accounts and its rules


@pytest.mark.slow
def test_finance_0004_adds_the_config_version_and_goes_back_to_0003():
    with migrated(["finance_charts"]) as (tdb, engine):
        assert "config_version" in {c["name"] for c in inspect(engine).get_columns("finance_charts")}
        migrate.downgrade(tdb.owner_url, "finance_0003")
        assert "config_version" not in {c["name"] for c in inspect(engine).get_columns("finance_charts")}
