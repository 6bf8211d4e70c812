"""The pure rules of the measures (plugins/regulatory/indicators/rules.py), with worked numbers computed by hand
(docs/regulatory/measures.md shows the same example)."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal as D

from surety.core.ports.regulatory import Exposure
from surety.plugins.regulatory.indicators import rules

A, B, C, DD, E, F, G, H = (uuid.UUID(int=i) for i in range(1, 9))
P = rules.Params()


def book(**kw) -> list[Exposure]:
    return [
        Exposure(A, "loan", "small_micro", D("3000000.00"), bank_share=D("1000000.00")),
        Exposure(A, "loan", "small_micro", D("2000000.00")),          # A's loans: 5,000,000 gross exactly -> 75 %
        Exposure(B, "loan", "small_micro", D("5000000.01"), **kw),    # one fen over -> 100 %
        Exposure(C, "loan", "farmer", D("2000000.00")),
        Exposure(DD, "housing", "individual", D("1000000.00")),
        Exposure(E, "bond", "other_enterprise", D("10000000.00"), rating="AA"),
        Exposure(F, "bond", "other_enterprise", D("1000000.00"), rating="AA-"),
        Exposure(G, "performance", "other_enterprise", D("3000000.00")),
        Exposure(H, "fund_trust", "other_enterprise", D("500000.00"), reguaranteed=D("200000.00")),
    ]


def lines(result) -> dict[str, tuple]:
    return {ln.rule.key: (ln.balance, ln.weight, ln.weighted) for ln in result.lines}


def test_liability_balance_weights_each_exposure_by_the_first_matching_line():
    result = rules.liability_balance(book(), P)
    assert lines(result) == {
        "loan/small_micro/<=small_micro": (D("4000000.00"), D("0.75"), D("3000000.00")),
        "loan/farmer/<=farmer": (D("2000000.00"), D("0.75"), D("1500000.00")),
        "housing": (D("1000000.00"), D("0.30"), D("300000.00")),
        "loan": (D("5000000.01"), D("1"), D("5000000.01")),
        "bond/>=AA": (D("10000000.00"), D("0.80"), D("8000000.00")),
        "bond": (D("1000000.00"), D("1"), D("1000000.00")),
        "fund_trust": (D("500000.00"), D("1"), D("500000.00")),
    }
    assert result.total == D("19300000.01")
    assert result.gross == D("24500000.01")
    assert result.bank_share == D("1000000.00")
    assert result.reguaranteed == D("0.00")
    assert result.non_financing == {"performance": D("3000000.00")}
    assert result.by_customer[A] == D("3000000.00") and G not in result.by_customer


def test_threshold_is_on_the_customers_aggregated_balance_boundary_inclusive():
    one = [Exposure(A, "loan", "small_micro", D("5000000.00"))]
    assert rules.liability_balance(one, P).total == D("3750000.00")
    split = [Exposure(A, "loan", "small_micro", D("2500000.00")), Exposure(A, "loan", "small_micro", D("2500000.01"))]
    assert rules.liability_balance(split, P).total == D("5000000.01")  # together one fen over: both at 100 %
    farmer = [Exposure(C, "loan", "farmer", D("2000000.01"))]
    assert lines(rules.liability_balance(farmer, P)) == {"loan": (D("2000000.01"), D("1"), D("2000000.01"))}


def test_threshold_basis_own_share_tests_the_balance_after_the_banks_share():
    exposures = [Exposure(B, "loan", "small_micro", D("5000000.01"), bank_share=D("0.01"))]
    assert rules.liability_balance(exposures, P).total == D("5000000.00")  # gross basis: over, 100 % of own share
    own = dataclasses.replace(P, threshold_basis="own")
    assert rules.liability_balance(exposures, own).total == D("3750000.00")


def test_reguaranteed_shares_are_deducted_only_when_set():
    deduct = dataclasses.replace(P, deduct_reguaranteed=True)
    result = rules.liability_balance(book(), deduct)
    assert lines(result)["fund_trust"] == (D("300000.00"), D("1"), D("300000.00"))
    assert result.total == D("19100000.01") and result.reguaranteed == D("200000.00")


def test_bond_ratings_and_unmatched_exposures():
    assert rules.rating_at_least("aa+", "AA") and rules.rating_at_least("AAA", "AA")
    assert not rules.rating_at_least("AA-", "AA") and not rules.rating_at_least(None, "AA")
    assert not rules.rating_at_least("junk", "AA")
    only_loans = dataclasses.replace(P, weights=rules.weight_rules([{"business_type": "loan", "weight": "0.5"}]))
    result = rules.liability_balance([Exposure(A, "loan", "individual", D("100.00")),
                                      Exposure(E, "bond", "other_enterprise", D("10.00"))], only_loans)
    assert lines(result) == {"loan": (D("100.00"), D("0.5"), D("50.00")), "*": (D("10.00"), D("1"), D("10.00"))}


def test_leverage_against_10x_or_15x_of_net_assets_less_equity_in_guarantee_companies():
    base = rules.net_asset_base(D("2100000.00"), D("100000.00"))
    lev = rules.leverage(D("19300000.01"), base, P)
    assert (lev.value, lev.limit, lev.passes, lev.headroom) == (D("9.650000"), D("10"), True, D("699999.99"))
    small = rules.leverage(D("19300000.01"), base, dataclasses.replace(P, mainly_small_micro=True))
    assert (small.limit, small.passes, small.headroom) == (D("15"), True, D("10699999.99"))
    over = rules.leverage(D("19300000.01"), D("1900000.00"), P)
    assert (over.value, over.passes, over.headroom) == (D("10.157895"), False, D("-300000.01"))
    none = rules.leverage(D("100.00"), D("0.00"), P)
    assert (none.value, none.passes, none.headroom) == (None, False, None)
    assert rules.leverage(D("0.00"), D("0.00"), P).passes


def test_concentration_single_party_and_related_group():
    by_customer = rules.liability_balance(book(), P).by_customer
    related = {B: [E, C], E: [B], C: [B]}
    conc = rules.concentration(by_customer, related, D("90000000.00"), P, top=3)
    assert conc.largest == rules.Party(E, D("8000000.00"))
    assert (conc.single.value, conc.single.passes, conc.single.headroom) == (D("0.088889"), True, D("1000000.00"))
    assert conc.largest_group == rules.Party(B, D("14500000.01"), tuple(sorted((B, C, E), key=str)))
    assert (conc.group.value, conc.group.passes, conc.group.headroom) == (D("0.161111"), False, D("-1000000.01"))
    assert [p.customer_id for p in conc.top] == [E, B, A]
    empty = rules.concentration({}, {}, D("1.00"), P)
    assert empty.largest is None and empty.single.passes and empty.group.passes


def test_asset_ratios_on_total_assets_less_compensation_receivable():
    r = rules.asset_ratios(D("110000000.00"), D("10000000.00"),
                           {"I": D("25000000.00"), "II": D("40000000.00"), "III": D("35000000.00")}, P)
    assert r.base == D("100000000.00")
    assert (r.class_i.value, r.class_i.passes, r.class_i.headroom) == (D("0.250000"), True, D("5000000.00"))
    assert (r.class_i_ii.value, r.class_i_ii.passes, r.class_i_ii.headroom) == (D("0.650000"), False,
                                                                                 D("-5000000.00"))
    assert (r.class_iii.value, r.class_iii.passes, r.class_iii.headroom) == (D("0.350000"), False, D("-5000000.00"))
    assert rules.breaches([r.class_i, r.class_i_ii, r.class_iii]) == ["class_i_ii", "class_iii"]


def test_indicators():
    ind = rules.indicators(compensation_this_year=D("600000"), released_this_year=D("20000000"),
                           cumulative_loss=D("150000"), cumulative_compensation=D("1200000"),
                           unearned_premium_reserve=D("800000"), compensation_reserve=D("1000000"),
                           compensation_balance=D("900000"))
    assert ind == rules.Indicators(D("0.030000"), D("0.125000"), D("2.000000"), D("900000"))
    zero = rules.indicators(compensation_this_year=D("1"), released_this_year=D("0"), cumulative_loss=D("0"),
                            cumulative_compensation=D("0"), unearned_premium_reserve=D("1"),
                            compensation_reserve=D("0"), compensation_balance=D("0"))
    assert (zero.compensation_rate, zero.cumulative_loss_rate, zero.reserve_coverage) == (None, None, None)


def test_microloan_ratios():
    m = rules.microloan_ratios({"normal": D("8000000"), "special_mention": D("1000000"), "substandard": D("600000"),
                                "doubtful": D("300000"), "loss": D("100000")}, D("1500000"))
    assert (m.loan_balance, m.non_performing, m.npl_ratio) == (D("10000000"), D("1000000"), D("0.100000"))
    assert (m.provision_coverage, m.provision_ratio) == (D("1.500000"), D("0.150000"))
