"""The measures for a date through the services (plugins/regulatory/indicators/services.py): figures and exposures
answered by a made-up plugin (indicators/testing.py) with hand-computed numbers, related parties from the customers
plugin, the permission and the names rule; the settings read and update with their checks; the GraphQL query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from surety.core.authz.matrix import set_grant
from surety.core.errors import PermissionDenied, ValidationFailed
from surety.core.ports.regulatory import Exposure, figure
from surety.core.testing import mutation_ok
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.related import add_relation
from surety.plugins.customers.testing import corporate
from surety.plugins.regulatory.indicators import services
from surety.plugins.regulatory.indicators.testing import Book, answering

DAY = dt.date(2026, 6, 30)


def figures() -> list:
    return [
        figure("finance.net_assets", D("10100000")), figure("finance.equity_in_guarantee_companies", D("100000")),
        figure("finance.total_assets", D("12000000")), figure("finance.compensation_receivable", D("2000000")),
        figure("finance.assets_by_class", D("3000000"), asset_class="I"),
        figure("finance.assets_by_class", D("4500000"), asset_class="II"),
        figure("finance.assets_by_class", D("2500000"), asset_class="III"),
        figure("finance.unearned_premium_reserve", D("200000")), figure("finance.compensation_reserve", D("300000")),
        figure("guarantee.compensation_amount", D("300000"), business_type="loan", customer_type="small_micro"),
        figure("guarantee.released_amount", D("6000000"), business_type="loan", customer_type="small_micro"),
        figure("guarantee.loss_amount", D("30000"), business_type="loan", customer_type="small_micro"),
        figure("guarantee.compensation_balance", D("250000"), business_type="loan", customer_type="small_micro"),
    ]


@pytest.fixture
def parties(gw):
    """Three corporate customers a, b, c; b and c related (same group)."""
    with gw.acting("admin") as (s, admin):
        a, b, c = (create_customer(s, admin, "corporate", corporate(n)) for n in (1, 2, 3))
        add_relation(s, admin, b.id, c.id, "same_group")
        return a.id, b.id, c.id


@pytest.fixture
def book(parties):
    a, b, c = parties
    found = Book(figures=figures(), exposures=[
        Exposure(a, "loan", "small_micro", D("1000000")),
        Exposure(a, "performance", "other_enterprise", D("1000000")),
        Exposure(b, "loan", "other_enterprise", D("900000")),
        Exposure(c, "loan", "other_enterprise", D("700000")),
    ])
    with answering(found):
        yield found


def test_measures_with_worked_numbers(gw, parties, book):
    a, b, c = parties
    with gw.acting("risk") as (s, risk):
        m = services.regulatory_measures(s, risk, DAY)
    assert m.liability.total == D("2350000.00") and m.liability.non_financing == {"performance": D("1000000")}
    assert m.base.amount == D("10000000")
    assert (m.leverage.value, m.leverage.passes, m.leverage.headroom) == (D("0.235000"), True, D("97650000.00"))
    single, group = m.concentration.single, m.concentration.group
    assert m.concentration.largest.customer_id == b
    assert (single.value, single.passes, single.headroom) == (D("0.090000"), True, D("100000.00"))
    assert m.concentration.largest_group.members == tuple(sorted((b, c), key=str))
    assert (group.value, group.passes, group.headroom) == (D("0.160000"), False, D("-100000.00"))
    assert (m.assets.class_i.value, m.assets.class_i_ii.value, m.assets.class_iii.value) == (
        D("0.300000"), D("0.750000"), D("0.250000"))
    assert m.indicators.compensation_rate == D("0.050000") and m.indicators.cumulative_loss_rate == D("0.100000")
    assert m.indicators.reserve_coverage == D("2.000000") and m.indicators.compensation_balance == D("250000")
    assert [lim.key for lim in m.limits if not lim.passes] == ["related_group"]
    assert m.names[b] == "北京测试科技有限公司2" and set(m.names) == {a, b, c}
    assert m.microloan is None


def test_names_only_for_readers_of_customers_and_report_permission(gw, book):
    with gw.session() as s:
        set_grant(s, "finance", "customers:customer:read", False)
    with gw.acting("fin") as (s, fin):
        m = services.regulatory_measures(s, fin, DAY)
        assert m.names == {} and m.concentration.largest is not None
    with gw.session() as s:
        set_grant(s, "finance", "regulatory:report:read", False)
    with gw.acting("fin") as (s, fin), pytest.raises(PermissionDenied):
        services.regulatory_measures(s, fin, DAY)


def test_microloan_ratios_when_microloan_reports(gw, book):
    book.figures += [figure("microloan.loan_balance", D("900"), loan_class="normal"),
                     figure("microloan.loan_balance", D("100"), loan_class="substandard"),
                     figure("microloan.provision_balance", D("150"))]
    with gw.acting("admin") as (s, admin):
        m = services.regulatory_measures(s, admin, DAY)
    assert (m.microloan.npl_ratio, m.microloan.provision_coverage) == (D("0.100000"), D("1.500000"))


def test_settings_change_the_measures(gw, book):
    with gw.acting("admin") as (s, admin):
        services.update_settings(s, admin, {"mainly_small_micro": True, "related_group_limit": "0.2",
                                            "registered_capital": "200000000", "province": "320000"})
    with gw.acting("admin") as (s, admin):
        m = services.regulatory_measures(s, admin, DAY)
        assert m.leverage.limit == D("15") and m.concentration.group.passes
        row = services.read_settings(s, admin)
        assert (row.registered_capital, row.province) == (D("200000000.00"), "320000")


@pytest.mark.parametrize(("data", "field"), [
    ({"weights": [{"business_type": "bid", "weight": "1"}]}, "weights[0].business_type"),
    ({"weights": [{"business_type": "loan", "weight": "1.5"}]}, "weights[0].weight"),
    ({"weights": [{"business_type": "loan", "threshold": "nope", "weight": "1"}]}, "weights[0].threshold"),
    ({"weights": []}, "weights"),
    ({"thresholds": {"small_micro": "5000000"}}, "thresholds"),
    ({"thresholds": {"small_micro": "-1", "farmer": "1"}}, "thresholds.small_micro"),
    ({"threshold_basis": "net"}, "threshold_basis"),
    ({"leverage_cap": "0"}, "leverage_cap"),
    ({"single_party_limit": "1.2"}, "single_party_limit"),
    ({"province": "320100"}, "province"),
    ({"mainly_small_micro": "yes"}, "mainly_small_micro"),
    ({"colour": "red"}, "colour"),
])
def test_settings_are_checked(gw, data, field):
    with gw.acting("admin") as (s, admin), pytest.raises(ValidationFailed) as err:
        services.update_settings(s, admin, data)
    assert err.value.field == field


def test_settings_weights_round_trip_and_permission(gw):
    weights = [{"business_type": "loan", "customer_type": "small_micro", "threshold": "small_micro", "weight": "0.5"},
               {"business_type": "bond", "min_rating": "AA+", "weight": "0.8"}]
    with gw.acting("admin") as (s, admin):
        row = services.update_settings(s, admin, {"weights": weights,
                                                  "thresholds": {"small_micro": "1000000", "farmer": "2000000"}})
        assert row.weights == weights and row.thresholds == {"small_micro": "1000000.00", "farmer": "2000000.00"}
        assert services.params_of(row).weights[0].weight == D("0.5")
    with gw.acting("risk") as (s, risk), pytest.raises(PermissionDenied):
        services.update_settings(s, risk, {"province": "110000"})


QUERY = """query($d: Date, $u: AmountUnit) { regulatoryMeasures(asOf: $d, unit: $u) { asOf amountUnit netAssetBase
  liabilityBalance { total nonFinancingTotal lines { rule weight balance weighted count } }
  leverage { value limit passes headroom } breaches
  concentration { largestGroup { name amount memberIds } relatedGroup { value passes } }
  assetRatios { classI { value passes } } indicators { compensationRate reserveCoverage } } }"""
UPDATE = """mutation($i: RegulatorySettingsUpdateInput!) { regulatorySettingsUpdate(input: $i) {
  settings { leverageCap thresholdBasis weights } errors { code field message } } }"""


def test_graphql_measures_in_wan_and_settings_update(api, gw, book):
    token = api.login(gw.tenant.slug)
    body = api(QUERY, {"d": "2026-06-30", "u": "WAN"}, token)
    assert "errors" not in body, body
    m = body["data"]["regulatoryMeasures"]
    assert m["amountUnit"] == "WAN" and D(m["netAssetBase"]) == D("1000")
    assert D(m["liabilityBalance"]["total"]) == D("235") and D(m["liabilityBalance"]["nonFinancingTotal"]) == 100
    assert m["breaches"] == ["related_group"] and m["leverage"]["passes"] is True
    assert D(m["concentration"]["largestGroup"]["amount"]) == D("160")
    assert m["concentration"]["largestGroup"]["name"] == "北京测试科技有限公司2"
    assert D(m["indicators"]["reserveCoverage"]) == 2
    ok = mutation_ok(api(UPDATE, {"i": {"leverageCap": "12", "thresholdBasis": "own"}}, token),
                     "regulatorySettingsUpdate")
    assert D(ok["settings"]["leverageCap"]) == 12 and ok["settings"]["thresholdBasis"] == "own"
    bad = api(UPDATE, {"i": {"thresholdBasis": "net"}}, token)["data"]["regulatorySettingsUpdate"]
    assert bad["errors"][0]["field"] == "thresholdBasis"
