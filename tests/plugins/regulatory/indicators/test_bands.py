"""Exposure bands (core.ports.regulatory.ExposureBand, bands_of, band_of) and the liability balance weighed over them
(rules.liability_balance_of_bands): on any book and any settings the bands give the same total, lines, gross and
shares as the per-customer exposures, since a band passes a threshold exactly when its customers do (hypothesis);
the worked book of test_indicator_rules gives its hand-computed total through the bands too."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from surety.core.ports.regulatory import BASES, Exposure, band_of, bands_of
from surety.plugins.regulatory.indicators import rules

CUSTOMERS = [uuid.UUID(int=i) for i in range(1, 7)]


def test_band_of_is_inclusive_at_each_cut():
    cuts = [D("2000000.00"), D("5000000.00")]
    assert [band_of(v, cuts) for v in (D("0"), D("2000000.00"), D("2000000.01"), D("5000000.00"),
                                       D("5000000.01"))] == [0, 0, 1, 1, 2]
    assert band_of(D("123.00"), []) == 0


def test_bands_sum_each_customers_exposures_by_type_and_band():
    a, b = CUSTOMERS[:2]
    exposures = [Exposure(a, "loan", "small_micro", D("3000000.00"), bank_share=D("1000000.00")),
                 Exposure(a, "loan", "small_micro", D("2500000.00")),
                 Exposure(b, "loan", "small_micro", D("4000000.00"), count=2)]
    cuts = [D("5000000.00")]
    # gross: A aggregates 5,500,000 (above), B 4,000,000 (at most)
    assert [(x.band, x.gross, x.bank_share, x.count) for x in bands_of(exposures, cuts, "gross")] == [
        (0, D("4000000.00"), D("0.00"), 2), (1, D("5500000.00"), D("1000000.00"), 2)]
    # own share: A aggregates 4,500,000: both at most the cut
    assert [(x.band, x.gross, x.bank_share, x.count) for x in bands_of(exposures, cuts, "own")] == [
        (0, D("9500000.00"), D("1000000.00"), 4)]


def test_a_worked_book_through_bands():
    """A's loans aggregate 5,000,000.00 exactly (75 %), B's 5,000,000.01 (100 %), C's farmer loan 2,000,000.00 (75 %),
    a housing loan 30 %, a performance letter not weighed in: 3,750,000 + 5,000,000.01 + 1,500,000 + 300,000."""
    a, b, c, d, e = CUSTOMERS[:5]
    exposures = [Exposure(a, "loan", "small_micro", D("3000000.00")),
                 Exposure(a, "loan", "small_micro", D("2000000.00")),
                 Exposure(b, "loan", "small_micro", D("5000000.01")), Exposure(c, "loan", "farmer", D("2000000.00")),
                 Exposure(d, "housing", "individual", D("1000000.00")),
                 Exposure(e, "performance", "other_enterprise", D("3000000.00"))]
    params = rules.Params()
    assert rules.threshold_cuts(params) == [D("2000000.00"), D("5000000.00")]
    result = rules.liability_balance_of_bands(bands_of(exposures, rules.threshold_cuts(params), "gross"), params)
    assert result.total == D("10550000.01")
    assert result.non_financing == {"performance": D("3000000.00")} and result.by_customer == {}


_AMOUNT = st.integers(min_value=1, max_value=800_000).map(lambda n: D(n) * 10)
_EXPOSURE = st.builds(
    lambda customer, btype, ctype, gross, share_pct, reg_pct, rating, count: Exposure(
        CUSTOMERS[customer], btype, ctype, gross, (gross * share_pct / 100).quantize(D("0.01")),
        (gross * reg_pct / 100).quantize(D("0.01")), rating, count),
    st.integers(0, len(CUSTOMERS) - 1), st.sampled_from(["loan", "housing", "bond", "performance", "fund_trust"]),
    st.sampled_from(["small_micro", "farmer", "individual", "other_enterprise"]), _AMOUNT,
    st.sampled_from([0, 20, 50]), st.sampled_from([0, 10]), st.sampled_from([None, "AA", "AAA", "A"]),
    st.integers(1, 3))


@settings(max_examples=200, deadline=None)
@given(st.lists(_EXPOSURE, max_size=14), st.sampled_from(BASES), st.booleans(),
       st.sampled_from([{}, {"small_micro": D("3000000.00")},
                        {"small_micro": D("5000000.00"), "farmer": D("2000000.00")},
                        {"small_micro": D("1000000.00"), "farmer": D("1000000.00")}]))
def test_bands_weigh_as_the_exposures(exposures, basis, deduct, thresholds):
    params = dataclasses.replace(rules.Params(), threshold_basis=basis, deduct_reguaranteed=deduct,
                                 thresholds=thresholds)
    whole = rules.liability_balance(exposures, params)
    banded = rules.liability_balance_of_bands(bands_of(exposures, rules.threshold_cuts(params), basis), params)
    assert banded.total == whole.total
    assert banded.lines == whole.lines
    assert (banded.gross, banded.bank_share, banded.reguaranteed) == (whole.gross, whole.bank_share, whole.reguaranteed)
    assert banded.non_financing == whole.non_financing
