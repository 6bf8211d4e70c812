"""Data scope on loans (loan/scope.py): a customer manager sees the loans it manages, a department head its
department's, an administrator every loan; the same for the loans connection and nodes, repayment lists, collection
cases and actions, and for the services that change a loan or what hangs off it (NOT_FOUND out of scope)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from surety.core.authz.matrix import set_grant
from surety.core.context import SYSTEM
from surety.core.errors import NotFound
from surety.core.identity.auth import user_actor
from surety.core.identity.org import create_org_unit
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, acting_session
from surety.plugins.microloan.collection import cases
from surety.plugins.microloan.collection.models import MicroloanCollectionCase
from surety.plugins.microloan.loan import origination, queries
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.loan.scope import lock_loan, visible_loan
from surety.plugins.microloan.repayment import posting, reversal
from surety.plugins.microloan.testing import make_loan, make_product

from .conftest import approve, investigated

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def book(mw):
    """Department A: managers ``wang`` and ``liu`` and head ``zhao``; department B: manager ``chen``. One loan per
    manager, each with an open collection case."""
    with mw.session() as s:
        a = create_org_unit(s, code="dept-a", name="业务一部", kind="department")
        b = create_org_unit(s, code="dept-b", name="业务二部", kind="department")
        people = {"wang": ("customer_manager", a), "liu": ("customer_manager", a), "zhao": ("department_head", a),
                  "chen": ("customer_manager", b)}
        for name, (role, unit) in people.items():
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name, roles=[role],
                               org_unit_id=unit.id, email=f"{name}@example.com")
            mw.actors[name] = user_actor(user)
        product = make_product(s)
        loans = {}
        for name in ("wang", "liu", "chen"):
            actor = mw.actors[name]
            loan = make_loan(s, product, manager_id=uuid.UUID(str(actor.id)), department_id=actor.org_unit_id)
            s.add(MicroloanCollectionCase(loan_id=loan.id, loan_no=loan.loan_no, stage="M1", opened_on=DAY,
                                          stage_since=DAY))
            loans[name] = loan.id
    return loans


def _loans(mw, who: str) -> set:
    with acting_session(mw.db, mw.tenant.id, mw.actors[who]) as (s, a):
        return set(s.scalars(queries.search_statement(s, a).with_only_columns(MicroloanLoan.id)))


def _case_loans(mw, who: str) -> set:
    with acting_session(mw.db, mw.tenant.id, mw.actors[who]) as (s, a):
        return {c.loan_id for c in s.scalars(cases.cases_query(s, a))}


def test_a_manager_sees_its_own_loans_a_head_the_departments_an_admin_all(mw, book):
    assert _loans(mw, "wang") == {book["wang"]}
    assert _loans(mw, "chen") == {book["chen"]}
    assert _loans(mw, "zhao") == {book["wang"], book["liu"]}
    assert _loans(mw, "admin") == set(book.values())


def test_collection_cases_and_results_follow_the_loans_scope(mw, book):
    assert _case_loans(mw, "wang") == {book["wang"]}
    assert _case_loans(mw, "zhao") == {book["wang"], book["liu"]}
    assert _case_loans(mw, "admin") == set(book.values())
    with acting_session(mw.db, mw.tenant.id, mw.actors["wang"]) as (s, a):
        assert sum(cases.collection_results(s, a).open_by_stage.values()) == 1
        other = s.scalar(select(MicroloanCollectionCase.id).where(MicroloanCollectionCase.loan_id == book["liu"]))
        with pytest.raises(NotFound):
            cases.actions_of(s, a, other)
        own = s.scalar(select(MicroloanCollectionCase.id).where(MicroloanCollectionCase.loan_id == book["wang"]))
        assert cases.actions_of(s, a, own) == []
    with acting_session(mw.db, mw.tenant.id, mw.actors["admin"]) as (s, a):
        assert sum(cases.collection_results(s, a).open_by_stage.values()) == 3


def test_a_loan_out_of_scope_is_not_found_for_its_repayments(mw, book):
    with acting_session(mw.db, mw.tenant.id, mw.actors["wang"]) as (s, a):
        assert posting.repayments(s, a, book["wang"]) == []
        with pytest.raises(NotFound) as err:
            posting.repayments(s, a, book["chen"])
        assert err.value.field == "loan_id"
        with pytest.raises(NotFound):
            visible_loan(s, a, book["liu"])
    with acting_session(mw.db, mw.tenant.id, mw.actors["zhao"]) as (s, a):
        assert visible_loan(s, a, book["liu"]).id == book["liu"]
        with pytest.raises(NotFound):
            posting.repayments(s, a, book["chen"])


LOANS = "query { microloanLoans(first: 10) { edges { node { id loanNo } } } }"
NODE = "query($id: ID!) { node(id: $id) { ... on MicroloanLoan { loanNo } } }"


def test_the_loans_connection_and_nodes_show_only_loans_in_scope(mw, book, api):
    with mw.session() as s:
        numbers = {i: n for i, n in s.execute(select(MicroloanLoan.id, MicroloanLoan.loan_no))}
    token = api.login(mw.tenant.slug, "wang", TEST_PASSWORD)
    body = api(LOANS, token=token)
    assert [e["node"]["loanNo"] for e in body["data"]["microloanLoans"]["edges"]] == [numbers[book["wang"]]]
    admin = api.login(mw.tenant.slug)
    admin_ids = [e["node"]["id"] for e in api(LOANS, token=admin)["data"]["microloanLoans"]["edges"]]
    assert len(admin_ids) == 3
    shown = [api(NODE, {"id": i}, token=token)["data"]["node"] for i in admin_ids]
    assert [n["loanNo"] for n in shown if n] == [numbers[book["wang"]]]
    assert shown.count(None) == 2


def test_get_loan_with_an_actor_is_scoped_and_without_one_is_not(mw, book):
    with acting_session(mw.db, mw.tenant.id, mw.actors["wang"]) as (s, a):
        assert origination.get_loan(s, a, book["wang"]).id == book["wang"]
        with pytest.raises(NotFound):
            origination.get_loan(s, a, book["chen"])
        assert origination.get_loan(s, None, book["chen"]).id == book["chen"]  # internal callers


# ---------------------------------------------------------------- writes ------------------------------------------


def _grant(mw, role: str, *permissions: str) -> None:
    with mw.session() as s:
        for permission in permissions:
            set_grant(s, role, permission, True)


def _refused(mw, who: str, call) -> NotFound:
    """``call(session, actor)`` as ``who`` raises NotFound; the error."""
    with acting_session(mw.db, mw.tenant.id, mw.actors[who]) as (s, a):
        with pytest.raises(NotFound) as err:
            call(s, a)
    return err.value


def _status(mw, loan_id) -> str:
    with mw.session() as s:
        return s.scalar(select(MicroloanLoan.status).where(MicroloanLoan.id == loan_id))


def test_origination_on_a_loan_out_of_scope_is_not_found(lw, book):
    mw = lw.mw
    wangs, chens = investigated(lw, "wang"), investigated(lw, "chen")
    err = _refused(mw, "liu", lambda s, a: origination.submit(s, a, wangs))
    assert (err.code, err.field) == ("NOT_FOUND", "loan_id")
    _refused(mw, "liu", lambda s, a: origination.record_investigation(s, a, wangs, findings="x",
                                                                      conclusion="decline"))
    with mw.acting("liu") as (s, a):
        draft = origination.apply(s, a, {"customer_id": lw.company, "product_id": lw.product_id,
                                         "amount": "100000.00", "term_months": 12, "kind": "business"}).id
    _refused(mw, "wang", lambda s, a: origination.update_draft(s, a, draft, {"purpose": "改"}))
    _refused(mw, "wang", lambda s, a: origination.start_investigation(s, a, draft))
    assert (_status(mw, wangs), _status(mw, draft)) == ("investigating", "draft")
    with mw.acting("wang") as (s, a):
        assert origination.submit(s, a, wangs).status == "in_approval"
    with mw.acting("admin") as (s, a):
        assert origination.submit(s, a, chens).status == "in_approval"


def test_contract_and_disbursement_follow_the_department_scope(lw, book):
    """A department head (scope org_subtree) given microloan:loan:disburse pays out its department's loans only."""
    mw = lw.mw
    _grant(mw, "department_head", "microloan:loan:disburse")
    ours, theirs = investigated(lw, "wang"), investigated(lw, "chen")
    for loan_id, owner in ((ours, "wang"), (theirs, "chen")):
        with mw.acting(owner) as (s, a):
            origination.submit(s, a, loan_id)
        approve(lw, loan_id, "risk")
    signed, paid = dt.date(2026, 1, 14), dt.date(2026, 1, 15)
    _refused(mw, "zhao", lambda s, a: origination.sign_contract(s, a, theirs, "HT-B", signed))
    with mw.acting("zhao") as (s, a):
        origination.sign_contract(s, a, ours, "HT-A", signed)
    with mw.acting("admin") as (s, a):
        origination.sign_contract(s, a, theirs, "HT-B", signed)
    err = _refused(mw, "zhao", lambda s, a: origination.disburse(s, a, theirs, paid))
    assert err.field == "loan_id"
    assert _status(mw, theirs) == "contracted"
    with mw.acting("zhao") as (s, a):
        assert origination.disburse(s, a, ours, paid).status == "active"
    with mw.acting("admin") as (s, a):
        assert origination.disburse(s, a, theirs, paid).status == "active"


def test_repayments_on_a_loan_out_of_scope_are_not_found(mw, book):
    _grant(mw, "customer_manager", "microloan:repayment:post", "microloan:repayment:reverse")
    day = dt.date(2026, 2, 15)
    err = _refused(mw, "wang", lambda s, a: posting.post(s, a, book["liu"], "1000.00", day))
    assert (err.code, err.field) == ("NOT_FOUND", "loan_id")
    _refused(mw, "wang", lambda s, a: posting.prepay(s, a, book["liu"], "1000.00", day, "lower_installment"))
    with mw.acting("wang") as (s, a):
        own = posting.post(s, a, book["wang"], "1000.00", day).id
    with mw.acting("admin") as (s, a):
        assert posting.post(s, a, book["chen"], "1000.00", day).loan_id == book["chen"]
    err = _refused(mw, "liu", lambda s, a: reversal.reverse(s, a, own, "录入错误"))
    assert (err.field, str(err)) == ("repayment_id", "No repayment with that id.")
    with mw.acting("admin") as (s, a):
        assert reversal.reverse(s, a, own, "录入错误").id


def test_collection_actions_on_a_loan_out_of_scope_are_not_found(mw, book):
    with mw.session() as s:
        case = {c.loan_id: c.id for c in s.scalars(select(MicroloanCollectionCase))}
    data = {"kind": "call", "happened_on": DAY, "note": "电话联系借款人"}
    err = _refused(mw, "wang", lambda s, a: cases.record_action(s, a, case[book["liu"]], data))
    assert (err.code, err.field) == ("NOT_FOUND", "case_id")
    with mw.acting("wang") as (s, a):
        assert cases.record_action(s, a, case[book["wang"]], data).loan_id == book["wang"]
    with mw.acting("admin") as (s, a):
        assert cases.record_action(s, a, case[book["chen"]], data).loan_id == book["chen"]


def test_lock_loan_is_unscoped_for_the_system_and_internal_callers(mw, book):
    with mw.session() as s:
        assert lock_loan(s, SYSTEM, book["chen"]).id == book["chen"]
        assert lock_loan(s, None, book["liu"]).id == book["liu"]
    _refused(mw, "wang", lambda s, a: lock_loan(s, a, book["chen"]))
