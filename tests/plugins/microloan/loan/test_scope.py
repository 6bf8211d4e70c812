"""Data scope on loans (loan/scope.py): a customer manager sees the loans it manages, a department head its
department's, an administrator every loan; the same for the loans connection and nodes, repayment lists, collection
cases and actions."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from surety.core.errors import NotFound
from surety.core.identity.auth import user_actor
from surety.core.identity.org import create_org_unit
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, acting_session
from surety.plugins.microloan.collection import cases
from surety.plugins.microloan.collection.models import MicroloanCollectionCase
from surety.plugins.microloan.loan import origination, queries
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.loan.scope import visible_loan
from surety.plugins.microloan.repayment import posting
from surety.plugins.microloan.testing import make_loan, make_product

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
