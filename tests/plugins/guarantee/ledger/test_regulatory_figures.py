"""The guarantee figures and exposures for the regulator, rebuilt from the ledger for any business date
(plugins/guarantee/ledger/regulatory_figures.py), worked by hand on a small ledger of five projects:

=====  ===========  ================  ========  =========================================================
proj.  product      loan category     customer  entries (2025-2026)
=====  ===========  ================  ========  =========================================================
A      loan         small_micro       corp      loan 1,000,000 01-10; repaid 200,000 03-05; full release 07-02
B      loan         housing           person    loan 500,000 (2025-11-01); partial release 100,000 02-01
C      performance  other             corp      letter 300,000 04-01
D      loan         other             big       loan 800,000 (2025-06-01); compensation 400,000 paid on a
                                                claim of 500,000 principal 05-10; recovered 50,000 06-01;
                                                written off 30,000 06-20
E      loan         small_micro       corp      loan 200,000 01-15; full release 200,000 05-01
=====  ===========  ================  ========  =========================================================

``corp`` is a small enterprise, ``big`` a large one, ``person`` an individual. A's line shares 20 % with the bank,
B's 10 %; C and D have no line."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import event

from surety.core.db.base import uuid7
from surety.core.ports import regulatory as port
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.guarantee import plugin as guarantee_plugin
from surety.plugins.guarantee.ledger import regulatory_figures as rf
from surety.plugins.guarantee.ledger.finance_figures import liability_balance
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.testing import make_bank, make_product, make_project

D = dt.date
Y = Decimal
JUNE = D(2026, 6, 30)
YEAR_START = D(2026, 1, 1)


def entry(s, project, kind: str, amount: str, day: dt.date, detail: str = "", **parts) -> None:
    s.add(GuaranteeLedgerEntry(project_id=getattr(project, "id", project), kind=kind, amount=Y(amount), entry_date=day,
                               source_type="test", source_id=uuid.uuid4(), detail=detail,
                               **{k: Y(v) for k, v in parts.items()}))
    s.flush()


def categorised(s, project, category: str):
    project.loan_category = category
    s.flush()
    return project


@pytest.fixture
def book(gw):
    """The five projects above; returns their ids and the customers'."""
    with gw.acting("mgr") as (s, a):
        big = create_customer(s, a, "corporate", corporate(3, name="宏大集团有限公司", size="large")).id
        corp, person = gw.customers["corp"], gw.customers["person"]
        loan, letter = make_product(s), make_product(s, kind="performance")
        bank_a, line_a = make_bank(s, risk_share_ratio="0.20")
        bank_b, line_b = make_bank(s, risk_share_ratio="0.10")

        def project(customer, product, category, **extra):
            return categorised(s, make_project(s, a, customer, product=product, status="effective",
                                               customer_kind="individual" if customer == person else "corporate",
                                               **extra), category)

        pa = project(corp, loan, "small_micro", bank=bank_a, credit_line_id=line_a.id, amount="1000000.00")
        pb = project(person, loan, "housing", bank=bank_b, credit_line_id=line_b.id, amount="500000.00")
        pc = project(corp, letter, "other", amount="300000.00")
        pd = project(big, loan, "other", amount="800000.00")
        pe = project(corp, loan, "small_micro", amount="200000.00")
        entry(s, pa, "loan", "1000000.00", D(2026, 1, 10))
        entry(s, pa, "repayment", "200000.00", D(2026, 3, 5))
        entry(s, pa, "release", "1000000.00", D(2026, 7, 2), "full")
        entry(s, pb, "loan", "500000.00", D(2025, 11, 1))
        entry(s, pb, "release", "100000.00", D(2026, 2, 1), "partial")
        entry(s, pc, "loan", "300000.00", D(2026, 4, 1))
        entry(s, pd, "loan", "800000.00", D(2025, 6, 1))
        entry(s, pd, "compensation", "400000.00", D(2026, 5, 10), principal="500000.00", interest="0.00",
              penalty="0.00", bank_share="100000.00")
        entry(s, pd, "recovery", "50000.00", D(2026, 6, 1), "cash")
        entry(s, pd, "write_off", "30000.00", D(2026, 6, 20))
        entry(s, pe, "loan", "200000.00", D(2026, 1, 15))
        entry(s, pe, "release", "200000.00", D(2026, 5, 1), "full")
        return {"A": pa.id, "B": pb.id, "C": pc.id, "D": pd.id, "E": pe.id, "corp": corp, "person": person,
                "big": big}


def by_dims(figures) -> dict[tuple[str, str], dict[str, Decimal]]:
    out: dict = {}
    for f in figures:
        out.setdefault((f.dim("business_type"), f.dim("customer_type")), {})[f.measure.split(".")[1]] = f.value
    return out


def test_figures_at_june_end_by_business_and_customer_type(gw, book):
    with gw.acting("mgr") as (s, _):
        got = by_dims(rf.report_figures(s, JUNE, YEAR_START))
    assert set(got) == {("loan", "small_micro"), ("housing", "individual"), ("performance", "small_micro"),
                        ("loan", "other_enterprise")}
    # A is released on 07-02, after June: it still counts; E was released in May: it does not
    assert got["loan", "small_micro"] == {
        "in_force_balance": Y("800000.00"), "in_force_count": 1, "in_force_households": 1,
        "issued_amount": Y("1200000.00"), "issued_count": 2, "issued_households": 1,
        "released_amount": Y("200000.00"), "compensation_amount": 0, "recovery_amount": 0, "loss_amount": 0,
        "compensation_balance": 0}
    housing = got["housing", "individual"]
    assert (housing["in_force_balance"], housing["issued_amount"], housing["issued_count"],
            housing["released_amount"]) == (Y("400000.00"), 0, 0, Y("100000.00"))
    letters = got["performance", "small_micro"]  # the size of the corporate customer makes it small/micro
    assert (letters["in_force_balance"], letters["in_force_count"], letters["issued_amount"]) == \
        (Y("300000.00"), 1, Y("300000.00"))
    d = got["loan", "other_enterprise"]
    assert (d["in_force_balance"], d["compensation_amount"], d["recovery_amount"], d["loss_amount"],
            d["compensation_balance"]) == (Y("300000.00"), Y("400000.00"), Y("50000.00"), Y("30000.00"),
                                           Y("320000.00"))
    assert all(isinstance(v, Decimal) for row in got.values() for v in row.values())


def test_the_in_force_total_is_finance_s_liability_balance_and_non_financing_stays_apart(gw, book):
    with gw.acting("mgr") as (s, _):
        figures = rf.report_figures(s, JUNE, YEAR_START)
        assert port.total(figures, "guarantee.in_force_balance") == liability_balance(s, JUNE) == Y("1800000.00")
    financing = sum((f.value for f in figures if f.measure == "guarantee.in_force_balance"
                     and port.BUSINESS_TYPES[f.dim("business_type")][1]), Decimal(0))
    assert financing == Y("1500000.00")
    assert port.total(figures, "guarantee.in_force_balance", business_type="performance") == Y("300000.00")


def test_a_past_date_rebuilds_what_the_ledger_said_then(gw, book):
    with gw.acting("mgr") as (s, _):
        got = by_dims(rf.report_figures(s, D(2026, 3, 1), YEAR_START))
        july = by_dims(rf.report_figures(s, D(2026, 7, 31), D(2026, 7, 1)))
    # 03-01: A before its repayment, B after its partial release, C not yet issued, D before compensation, E in force
    assert got["loan", "small_micro"]["in_force_balance"] == Y("1200000.00")
    assert got["loan", "small_micro"]["in_force_count"] == 2
    assert got["housing", "individual"]["in_force_balance"] == Y("400000.00")
    assert ("performance", "small_micro") not in got  # no entry of C yet: no pair
    assert got["loan", "other_enterprise"]["in_force_balance"] == Y("800000.00")
    assert got["loan", "other_enterprise"]["compensation_balance"] == 0
    # July: A's full release (its amount counts the repaid part too) ends it
    assert july["loan", "small_micro"]["in_force_balance"] == 0
    assert july["loan", "small_micro"]["released_amount"] == Y("1000000.00")
    assert july["loan", "small_micro"]["issued_amount"] == 0
    assert july["loan", "other_enterprise"]["compensation_balance"] == Y("320000.00")


def test_a_backdated_correction_shows_in_later_calls(gw, book):
    with gw.acting("mgr") as (s, _):
        before = port.total(rf.report_figures(s, JUNE, YEAR_START), "guarantee.in_force_balance",
                            business_type="performance")
        entry(s, book["C"], "repayment", "50000.00", D(2026, 5, 15))  # entered today, dated in May
        after = port.total(rf.report_figures(s, JUNE, YEAR_START), "guarantee.in_force_balance",
                           business_type="performance")
        april = port.total(rf.report_figures(s, D(2026, 4, 30), YEAR_START), "guarantee.in_force_balance",
                           business_type="performance")
    assert (before, after, april) == (Y("300000.00"), Y("250000.00"), Y("300000.00"))


def test_the_hooks_answer_through_the_port(gw, book):
    with gw.acting("mgr") as (s, _):
        figures = port.report_figures(s, JUNE, YEAR_START)
        exposures = port.exposures(s, JUNE)
    assert port.total(figures, "guarantee.in_force_balance") == Y("1800000.00")
    assert sum((e.gross for e in exposures), Decimal(0)) == Y("1800000.00")


def test_exposures_per_customer_with_the_bank_s_share(gw, book):
    with gw.acting("mgr") as (s, _):
        found = {(e.customer_id, e.business_type, e.customer_type): e for e in rf.exposures(s, JUNE)}
        march = {(e.customer_id, e.business_type): e.gross for e in rf.exposures(s, D(2026, 3, 1))}
    corp, person, big = book["corp"], book["person"], book["big"]
    assert set(found) == {(corp, "loan", "small_micro"), (person, "housing", "individual"),
                          (corp, "performance", "small_micro"), (big, "loan", "other_enterprise")}
    a = found[corp, "loan", "small_micro"]
    assert (a.gross, a.bank_share, a.reguaranteed, a.count, a.rating) == (Y("800000.00"), Y("160000.00"), 0, 1,
                                                                          None)
    b = found[person, "housing", "individual"]
    assert (b.gross, b.bank_share, b.financing) == (Y("400000.00"), Y("40000.00"), True)
    c = found[corp, "performance", "small_micro"]
    assert (c.gross, c.bank_share, c.financing) == (Y("300000.00"), 0, False)
    assert found[big, "loan", "other_enterprise"].gross == Y("300000.00")
    # on 03-01 corp held A (1,000,000) and E (200,000) in one exposure of two guarantees
    assert march[corp, "loan"] == Y("1200000.00")


def test_proposed_exposure_is_the_project_s_amount_for_its_customer(gw, book):
    with gw.acting("mgr") as (s, a):
        bank, _ = make_bank(s, risk_share_ratio="0.20")
        draft = categorised(s, make_project(s, a, book["person"], customer_kind="individual", bank=bank,
                                            amount="600000.00"), "other")
        got = port.proposed_exposures(s, "guarantee:project", str(draft.id))
        assert rf.proposed_exposures(s, "microloan:loan", str(draft.id)) is None
        assert rf.proposed_exposures(s, "guarantee:project", str(uuid.uuid4())) is None
        assert rf.proposed_exposures(s, "guarantee:project", "not-an-id") is None
    assert got == [port.Exposure(customer_id=book["person"], business_type="loan", customer_type="individual",
                                 gross=Y("600000.00"), bank_share=Y("120000.00"), count=1)]


@pytest.mark.parametrize(("kind", "category", "expected"), [
    ("loan", "housing", "housing"), ("loan", "small_micro", "loan"), ("bond", "other", "bond"),
    ("other_financing", "other", "other_financing"), ("bid", "other", "bid"), ("litigation", "other", "litigation"),
    ("advance_payment", "other", "other_non_financing"), ("other_non_financing", "other", "other_non_financing")])
def test_business_type_of_each_product_kind(kind, category, expected):
    assert rf.business_type(kind, category) == expected
    assert expected in port.BUSINESS_TYPES


@pytest.mark.parametrize(("category", "kind", "size", "expected"), [
    ("small_micro", "corporate", "large", "small_micro"), ("farmer", "individual", None, "farmer"),
    ("housing", "individual", None, "individual"), ("other", "corporate", "micro", "small_micro"),
    ("other", "corporate", "medium", "other_enterprise"), ("other", "corporate", None, "other_enterprise")])
def test_customer_type_from_the_loan_category_then_the_customer(category, kind, size, expected):
    assert rf.customer_type(category, kind, size) == expected
    assert expected in port.CUSTOMER_TYPES


def test_the_plugin_s_hook_implementations(gw, book):
    with gw.acting("mgr") as (s, _):
        figures = guarantee_plugin.regulatory_report_figures(session=s, as_of=JUNE, period_start=YEAR_START)
        exposures = guarantee_plugin.regulatory_exposures(session=s, as_of=JUNE)
        proposed = guarantee_plugin.regulatory_proposed_exposures(session=s, subject_type="guarantee:project",
                                                                  subject_id=str(book["C"]))
    assert port.total(figures, "guarantee.in_force_balance", customer_type="small_micro") == Y("1100000.00")
    assert len(exposures) == 4
    with gw.acting("mgr") as (s, _):
        mine = guarantee_plugin.regulatory_customer_exposures(session=s, as_of=JUNE, customer_ids={book["corp"]})
        version = guarantee_plugin.regulatory_book_version(session=s)
    assert sorted(mine, key=repr) == sorted((e for e in exposures if e.customer_id == book["corp"]), key=repr)
    assert isinstance(version, str) and version
    assert proposed == [port.Exposure(customer_id=book["corp"], business_type="performance",
                                      customer_type="small_micro", gross=Y("300000.00"), count=1)]


def test_the_book_version_changes_for_an_entry_committed_out_of_id_order(gw, book):
    """An entry created (its UUIDv7 id taken) before another but committed after it: the newest id stays the other's,
    yet the version changes (the limit check's cached book would otherwise miss the entry)."""
    with gw.acting("mgr") as (s, _):
        before = guarantee_plugin.regulatory_book_version(session=s)
        # a transaction took its entry's id a millisecond ago (uuid7 is not monotonic within one millisecond) ...
        early = uuid.UUID(int=uuid7().int - (1 << 80))
        entry(s, book["A"], "repayment", "10000.00", D(2026, 6, 2))  # ... another committed a later one first
        middle = guarantee_plugin.regulatory_book_version(session=s)
        s.add(GuaranteeLedgerEntry(id=early, project_id=book["A"], kind="repayment", amount=Y("20000.00"),
                                   entry_date=D(2026, 6, 3), source_type="test", source_id=uuid7()))
        s.flush()
        after = guarantee_plugin.regulatory_book_version(session=s)
    assert before != middle != after
    assert after.split(":")[0] == middle.split(":")[0]  # the newest id did not move


def test_exposures_after_figures_reuse_their_rows_until_the_session_writes(gw, book):
    with gw.acting("mgr") as (s, _):
        fresh = sorted((e.customer_id, e.business_type, e.gross, e.bank_share) for e in rf.exposures(s, JUNE))
        rf.report_figures(s, JUNE, YEAR_START)
        seen: list = []
        event.listen(s.get_bind(), "before_cursor_execute", lambda *args: seen.append(args[2]))
        reused = sorted((e.customer_id, e.business_type, e.gross, e.bank_share) for e in rf.exposures(s, JUNE))
        assert reused == fresh and seen == []
        entry(s, book["A"], "repayment", "100000.00", D(2026, 6, 1))  # the flush drops the rows
        after = {(e.customer_id, e.business_type): e.gross for e in rf.exposures(s, JUNE)}
    assert after[book["corp"], "loan"] == Y("700000.00")
