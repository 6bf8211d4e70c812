"""The limit check's fast path (plugins/regulatory/limits/book.py, guarantee's ledger/regulatory_customers.py): the
liability balance after approval computed from the cached book and the subject's customers only equals the full
recomputation (random books); a few customers' exposures equal the whole book's for them; the cached book follows
the guarantee ledger (a new entry here, in another session, in the reading transaction and rolled back) and the
finance ledger (read afresh); a warm check reads a bounded number of statements, whatever the book."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from surety.core.ports import regulatory as port
from surety.core.ports.regulatory import Exposure
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.related import add_relation
from surety.plugins.customers.testing import corporate
from surety.plugins.finance.vouchers.services import create_voucher, post_voucher, review_voucher
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.testing import make_bank, make_product, make_project
from surety.plugins.regulatory.indicators import rules
from surety.plugins.regulatory.limits import book, check
from surety.plugins.regulatory.measures import gather

DAY = dt.date(2026, 6, 30)
SUBJECT = "guarantee:project"

# ------------------------------------------------------------ the incremental liability balance (pure) -------------

CUSTOMERS = [uuid.UUID(int=n) for n in range(1, 6)]
amounts = st.integers(min_value=0, max_value=800_000_000).map(lambda fen: D(fen) / 100)
exposure = st.builds(
    lambda c, btype, ctype, gross, share, reg, rating: Exposure(c, btype, ctype, gross,
                                                                (gross * share).quantize(D("0.01")),
                                                                (gross * reg).quantize(D("0.01")), rating),
    st.sampled_from(CUSTOMERS), st.sampled_from(["loan", "housing", "bond", "fund_trust", "bid"]),
    st.sampled_from(["small_micro", "farmer", "other_enterprise", "individual"]), amounts,
    st.sampled_from([D("0"), D("0.2"), D("0.5")]), st.sampled_from([D("0"), D("0.3")]),
    st.sampled_from([None, "AAA", "AA", "A"]))
params = st.builds(lambda basis, deduct: rules.Params(threshold_basis=basis, deduct_reguaranteed=deduct),
                   st.sampled_from(["gross", "own"]), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(exposure, max_size=14), st.lists(exposure, min_size=1, max_size=3), params)
def test_the_incremental_liability_balance_equals_the_full_recomputation(held, proposed, p):
    whole = rules.liability_balance(held, p)
    subject = {e.customer_id for e in proposed}
    old = [e for e in held if e.customer_id in subject]
    assert book.liability_after(whole, old, [*old, *proposed], p) == rules.liability_balance([*held, *proposed],
                                                                                               p).total


def test_a_customer_crossing_the_threshold_moves_all_its_loans_to_100_percent():
    a, b = CUSTOMERS[:2]
    held = [Exposure(a, "loan", "small_micro", D("4000000")), Exposure(b, "loan", "small_micro", D("1000000"))]
    whole = rules.liability_balance(held, rules.Params())
    assert whole.total == D("3750000.00")  # 5,000,000 x 75 %
    # a's 4,000,000 + 1,500,000 = 5,500,000 > 500万: all of a's at 100 %; b stays at 75 %
    assert book.liability_after(whole, held[:1], [held[0], Exposure(a, "loan", "small_micro", D("1500000"))],
                                rules.Params()) == D("6250000.00")


# ------------------------------------------------------------ the guarantee plugin's answers ------------------------


def capital(gw, amount: str) -> None:
    """Paid-in capital posted on DAY (net assets and the base grow by ``amount``)."""
    with gw.acting("fin") as (s, fin):
        v = create_voucher(s, fin, voucher_date=DAY, word="记", summary="实收资本",
                           lines=[{"account": "1002", "debit": amount}, {"account": "4001", "credit": amount}])
        review_voucher(s, gw.actors["admin"], v.id)
        post_voucher(s, gw.actors["admin"], v.id)


def entry(s, project_id, kind: str, amount: str, day: dt.date, detail: str = "") -> None:
    s.add(GuaranteeLedgerEntry(project_id=project_id, kind=kind, amount=D(amount), entry_date=day,
                               source_type="test", source_id=uuid.uuid4(), detail=detail))
    s.flush()


@pytest.fixture
def ledger(gw):
    """Customers a (two loans, one on a 20 % line), b (a loan, a letter and a released loan), c related to b (a loan
    and one dated after DAY), d (a draft project: the subject). Returns the customer ids and the subject's id."""
    with gw.acting("admin") as (s, admin):
        a, b, c, d = (create_customer(s, admin, "corporate", corporate(n)).id for n in (1, 2, 3, 4))
        add_relation(s, admin, b, c, "same_group")
        loan, letter = make_product(s), make_product(s, kind="performance")
        bank, line = make_bank(s, risk_share_ratio="0.20")

        def project(customer, amount, *entries, product=loan, **extra):
            pid = make_project(s, admin, customer, product=product, amount=amount, status="effective", **extra).id
            for kind, value, day, *detail in entries:
                entry(s, pid, kind, value, day, *detail)
            return pid

        project(a, "3000000.00", ("loan", "3000000.00", dt.date(2026, 1, 5)), bank=bank, credit_line_id=line.id)
        project(a, "1500000.00", ("loan", "1500000.00", dt.date(2026, 2, 5)),
                ("repayment", "500000.00", dt.date(2026, 4, 1)))
        project(b, "900000.00", ("loan", "900000.00", dt.date(2026, 3, 1)))
        project(b, "400000.00", ("loan", "400000.00", dt.date(2026, 3, 2)), product=letter)
        project(b, "700000.00", ("loan", "700000.00", dt.date(2026, 1, 2)),
                ("release", "700000.00", dt.date(2026, 5, 2), "full"))
        project(c, "500000.00", ("loan", "500000.00", dt.date(2026, 2, 2)))
        project(c, "800000.00", ("loan", "800000.00", dt.date(2026, 7, 2)))
        subject = make_project(s, admin, d, product=loan, amount="2000000.00").id
    return (a, b, c, d), str(subject)


def _key(e: Exposure):
    return (str(e.customer_id), e.business_type, e.customer_type, e.gross, e.bank_share, e.count)


def test_a_few_customers_exposures_are_the_whole_books_for_them(gw, ledger):
    (a, b, c, d), _ = ledger
    with gw.session() as s:
        everyone = port.exposures(s, DAY)
        for wanted in ({a}, {b, c}, {a, b, c, d}, {d}):
            found = port.customer_exposures(s, DAY, wanted)
            assert sorted(map(_key, found)) == sorted(_key(e) for e in everyone if e.customer_id in wanted)
        assert port.customer_exposures(s, DAY, set()) == []
    # a: 3,000,000 (20 % line: 600,000 the bank's) + 1,000,000 merged per type; b: the loan and the letter
    assert sorted((e.gross, e.bank_share, e.count) for e in everyone if e.customer_id == a) == [
        (D("4000000.00"), D("600000.00"), 2)]
    assert sorted((e.business_type, e.gross) for e in everyone if e.customer_id == b) == [
        ("loan", D("900000.00")), ("performance", D("400000.00"))]


def _full(s, subject: str) -> tuple[D, D]:
    """The old path: the whole book's exposures with and without the subject's."""
    p = rules.Params()
    exposures = gather.exposures_for(s, DAY)
    proposed = port.proposed_exposures(s, SUBJECT, subject)
    return (rules.liability_balance(exposures, p).total,
            rules.liability_balance([*exposures, *proposed], p).total)


def test_the_check_equals_the_full_recomputation_and_follows_the_ledger(gw, ledger):
    (a, b, c, d), subject = ledger
    capital(gw, "50000000.00")
    cache = book.get_cache()
    with gw.session() as s:
        first = check.limit_check(s, SUBJECT, subject, as_of=DAY)
        assert (first.liability_before, first.liability_after) == _full(s, subject)
    # all small/micro loans at 75 %: a 4,000,000 less the bank's 600,000 = 2,550,000, b 675,000, c 375,000; then d
    # 2,000,000 x 75 % = 1,500,000 (b's letter is non-financing, c's July loan after DAY)
    assert (first.liability_before, first.liability_after) == (D("3600000.00"), D("5100000.00"))
    assert first.base == D("50000000.00") and first.breaches == []
    loads = cache.loads
    with gw.session() as s:  # nothing changed: from the cache
        assert check.limit_check(s, SUBJECT, subject, as_of=DAY) == first
    assert cache.loads == loads

    # a ledger entry committed by another session (as another process would): a new version, the book reloaded
    with gw.acting("admin") as (s, admin):
        project = make_project(s, admin, a, amount="2000000.00", status="effective").id
        entry(s, project, "loan", "2000000.00", dt.date(2026, 6, 1))
    with gw.session() as s:
        second = check.limit_check(s, SUBJECT, subject, as_of=DAY)
        assert (second.liability_before, second.liability_after) == _full(s, subject)
    # a: 6,000,000 over 500万 -> 5,400,000 at 100 %, with b and c 6,450,000
    assert second.liability_before == D("6450000.00") and cache.loads > loads

    # an entry of the reading transaction counts; rolled back, the check is the committed one again
    with gw.session() as s:
        entry(s, project, "repayment", "1500000.00", dt.date(2026, 6, 2))
        inside = check.limit_check(s, SUBJECT, subject, as_of=DAY)
        assert (inside.liability_before, inside.liability_after) == _full(s, subject)
        s.rollback()
    assert inside.liability_before == D("3975000.00")  # a back under 500万: 3,900,000 x 75 % + 1,050,000
    with gw.session() as s:
        assert check.limit_check(s, SUBJECT, subject, as_of=DAY) == second

    # a posted voucher changes the base at once (finance keeps no book version: read afresh)
    capital(gw, "10000000.00")
    with gw.session() as s:
        assert check.limit_check(s, SUBJECT, subject, as_of=DAY).base == D("60000000.00")


def test_the_related_group_reads_only_the_group(gw, ledger):
    (a, b, c, d), _ = ledger
    capital(gw, "10000000.00")
    with gw.acting("admin") as (s, admin):
        subject = str(make_project(s, admin, b, amount="100000.00").id)
    with gw.session() as s:
        found = check.limit_check(s, SUBJECT, subject, as_of=DAY)
        assert (found.liability_before, found.liability_after) == _full(s, subject)
    # b 900,000 + 100,000 small/micro at 75 % = 750,000, with c's 375,000: 1,125,000 of 10,000,000
    assert found.related == {b: (c,)}
    assert [(lim.key, lim.numerator) for lim in found.after][1:] == [
        ("single_party", D("750000.00")), ("related_group", D("1125000.00"))]


# ------------------------------------------------------------ statements of a warm check ----------------------------

#: Statements of a warm check on SQLite (measured when written: 12): the tenant's enabled plugins, the subject
#: project (with its product and line), the customer's summary (size), the settings, the guarantee book version,
#: the finance stocks (template, accounts, posted lines: finance keeps no book version), the related parties
#: (relations, then keys twice), the customers' exposures. Only the finance stocks grow (with the posted voucher
#: lines); nothing reads the whole guarantee ledger.
CEILING = 12


def test_a_warm_check_reads_a_bounded_number_of_statements(gw, ledger, db):
    (a, b, c, d), subject = ledger
    capital(gw, "50000000.00")
    with gw.session() as s:
        check.limit_check(s, SUBJECT, subject, as_of=DAY)
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SELECT SET_CONFIG", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    with gw.session() as s:
        s.connection()  # the session's own set-up is not the check's
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            check.limit_check(s, SUBJECT, subject, as_of=DAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) <= CEILING, "\n".join(seen)
    assert not any("guarantee_ledger_entries" in st and "guarantee_projects" not in st and "LIMIT" not in st
                   for st in seen)
