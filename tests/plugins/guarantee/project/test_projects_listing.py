"""Reading projects: data scope, filters, keyset pages, the attachment guard, exposure, and the GraphQL listing
that loads a page's customers, products, banks and counter-guarantees with a fixed number of queries."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import event
from strawberry import relay

from surety.core.errors import NotFound
from surety.core.testing import TEST_PASSWORD
from surety.plugins.guarantee.project.exposure import exposure
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.project.projects import ProjectFilter, attachment_guard, get_project, list_projects
from surety.plugins.guarantee.testing import make_bank, make_product, make_project


@pytest.fixture
def book(gw):
    """Projects of mgr (branch A) and of the admin (head office), with two products and two banks."""
    with gw.acting("mgr") as (s, a):
        loan, bid = make_product(s, code="LOAN"), make_product(s, kind="bid", code="BID")
        (b1, _), (b2, _) = make_bank(s, name="一行"), make_bank(s, name="二行")
        ids = {
            "draft": make_project(s, a, gw.customers["corp"], product=loan, bank=b1).id,
            "approved": make_project(s, a, gw.customers["person"], customer_kind="individual", product=bid,
                                     status="approved").id,
            "shared": make_project(s, a, gw.customers["corp"], product=loan, bank=b2,
                                   manager_b_id=gw.actors["mgr2"].id_uuid).id,
        }
        s.get(GuaranteeProject, (gw.tenant.id, ids["approved"])).project_no = "DB-2026-00007"
    with gw.acting("admin") as (s, a):
        ids["hq"] = make_project(s, a, gw.customers["corp"], product=loan, bank=b1, status="effective",
                                 in_force_balance=Decimal("2500000.00")).id
    return {**ids, "loan": loan.id, "bid": bid.id, "b1": b1.id, "b2": b2.id}


def seen(gw, user, f=None) -> set[uuid.UUID]:
    with gw.acting(user) as (s, a):
        return {p.id for p in list_projects(s, a, f)}


def test_data_scope(gw, book):
    mine = {book["draft"], book["approved"], book["shared"]}
    assert seen(gw, "mgr") == mine
    assert seen(gw, "mgr2") == {book["shared"]}  # manager B sees what they second
    assert seen(gw, "head") == mine and seen(gw, "viewer") == mine  # branch A
    assert seen(gw, "boss") == mine | {book["hq"]}
    with gw.acting("mgr2") as (s, a):
        with pytest.raises(NotFound):
            get_project(s, a, book["draft"])
        with pytest.raises(NotFound):
            attachment_guard(s, a, str(book["draft"]))
        with pytest.raises(NotFound):
            attachment_guard(s, a, "not-a-uuid")
        attachment_guard(s, a, str(book["shared"]))
        assert get_project(s, a, book["shared"]).id == book["shared"]


def test_filters(gw, book):
    mgr = gw.actors["mgr"].id_uuid
    assert seen(gw, "boss", ProjectFilter(status="approved")) == {book["approved"]}
    assert seen(gw, "boss", ProjectFilter(customer_id=gw.customers["person"])) == {book["approved"]}
    assert seen(gw, "boss", ProjectFilter(product_id=book["bid"])) == {book["approved"]}
    assert seen(gw, "boss", ProjectFilter(bank_id=book["b1"])) == {book["draft"], book["hq"]}
    assert seen(gw, "boss", ProjectFilter(manager_id=gw.actors["mgr2"].id_uuid)) == {book["shared"]}
    assert seen(gw, "boss", ProjectFilter(manager_id=mgr)) == {book["draft"], book["approved"], book["shared"]}
    assert seen(gw, "boss", ProjectFilter(org_unit_id=gw.units["HQ"])) == {book["hq"]}
    assert seen(gw, "boss", ProjectFilter(project_no="DB-2026-")) == {book["approved"]}
    assert seen(gw, "boss", ProjectFilter(project_no="DB-2026-00007")) == {book["approved"]}
    with gw.acting("boss") as (s, a), pytest.raises(Exception, match="status is one of"):
        list_projects(s, a, ProjectFilter(status="lost"))


def test_exposure_sums_in_force_balances_of_effective_projects(gw, book):
    with gw.acting("admin") as (s, a):
        make_project(s, a, gw.customers["corp"], status="effective", in_force_balance=Decimal("0.01"))
        make_project(s, a, gw.customers["person"], status="approved", in_force_balance=Decimal("9"))
        assert exposure(s, [gw.customers["corp"], gw.customers["person"], uuid.uuid4()]) == {
            gw.customers["corp"]: Decimal("2500000.01")}
        assert exposure(s, []) == {}


LIST = """query($first: Int, $after: String, $f: GuaranteeProjectFilterInput) {
  guaranteeProjects(first: $first, after: $after, filter: $f) {
    edges { node { id projectNo status amount customer { id kind name } product { code category }
                   bank { name } counterGuarantees { kind valuation } } }
    pageInfo { hasNextPage endCursor } } }"""


def _count_statements(db):
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        # The permission cache re-reads the policy version at most once a second (time-based, not per row).
        if "authz_state" not in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", listener)


def test_a_page_costs_the_same_queries_whatever_its_size(gw, api, db):
    with gw.acting("mgr") as (s, a):
        products = [make_product(s, code=f"P{n}") for n in range(3)]
        banks = [make_bank(s, name=f"银行{n}", total=None)[0] for n in range(4)]
        bank_of: dict[str, str | None] = {}  # project number -> the bank's name, None for projects without one
        product_of: dict[str, str] = {}  # project number -> the product's code (3 products shared by 55 projects)
        for n in range(55):
            customer = gw.customers["corp" if n % 2 else "person"]
            p = make_project(s, a, customer, customer_kind="corporate" if n % 2 else "individual",
                             product=products[n % 3], bank=banks[n % 4] if n % 5 else None)
            bank_of[p.project_no] = banks[n % 4].name if n % 5 else None
            product_of[p.project_no] = products[n % 3].code
            for k in range(n % 3):
                s.add(GuaranteeCounterGuarantee(project_id=p.id, kind=("mortgage", "pledge")[k],
                                                valuation=Decimal("100.10")))
    token = api.login(gw.tenant.slug, "mgr", TEST_PASSWORD)
    api(LIST, {"first": 1}, token=token)  # warm caches (permissions, plugins)
    counts, pages = {}, {}
    for size in (5, 50):
        statements, stop = _count_statements(db)
        try:
            body = api(LIST, {"first": size}, token=token)
        finally:
            stop()
        assert "errors" not in body, body
        pages[size] = body["data"]["guaranteeProjects"]
        counts[size] = list(statements)
    assert len(pages[5]["edges"]) == 5 and len(pages[50]["edges"]) == 50
    assert len(counts[5]) == len(counts[50]), "\n".join(counts[50])
    nodes = [e["node"] for e in pages[50]["edges"]]
    assert {n["customer"]["name"] for n in nodes} == {"华夏建材有限公司", "张三"}
    assert {n["product"]["code"] for n in nodes} == {"P0", "P1", "P2"}
    assert {n["projectNo"]: n["product"]["code"] for n in nodes} == {n["projectNo"]: product_of[n["projectNo"]]
                                                                    for n in nodes}
    # Which 50 of the 55 the page holds depends on how ties in creation time order: check each row's own bank.
    assert {n["projectNo"]: n["bank"] and n["bank"]["name"] for n in nodes} == {
        n["projectNo"]: bank_of[n["projectNo"]] for n in nodes}
    assert 6 <= sum(1 for n in nodes if n["bank"] is None) <= 11  # every fifth of the 55 has none
    assert sorted({len(n["counterGuarantees"]) for n in nodes}) == [0, 1, 2]
    rest = api(LIST, {"first": 50, "after": pages[50]["pageInfo"]["endCursor"]}, token=token)
    later = rest["data"]["guaranteeProjects"]
    assert len(later["edges"]) == 5 and not later["pageInfo"]["hasNextPage"]
    assert not {e["node"]["id"] for e in later["edges"]} & {n["id"] for n in nodes}


def test_graphql_application_flow_with_typed_errors(gw, api):
    admin = api.login(gw.tenant.slug, "admin", "Correct-Horse-9")
    mgr = api.login(gw.tenant.slug, "mgr", TEST_PASSWORD)
    made = api("""mutation { guaranteeProductCreate(input: {code: "B1", name: "投标保函", kind: "bid",
               minAmount: "1000", maxAmount: "9000000", requiresCounterGuarantee: false}) {
               product { id category } errors { code } } }""", token=admin)["data"]["guaranteeProductCreate"]
    assert made["errors"] == [] and made["product"]["category"] == "non_financing"
    denied = api("""mutation { guaranteeProductCreate(input: {code: "B2", name: "x", kind: "bid"}) {
                 product { id } errors { code } } }""", token=mgr)["data"]["guaranteeProductCreate"]
    assert denied == {"product": None, "errors": [{"code": "FORBIDDEN"}]}
    create = """mutation($i: GuaranteeApplicationCreateInput!) { guaranteeApplicationCreate(input: $i) {
                project { id projectNo status customer { kind } } errors { code field message } } }"""
    data = {"customerId": relay.to_base64("Customer", gw.customers["corp"]), "productId": made["product"]["id"],
            "amount": "-1", "termMonths": 12, "purpose": "投标",
            "beneficiaryName": "某市公共资源交易中心"}
    bad = api(create, {"i": data}, token=mgr)["data"]["guaranteeApplicationCreate"]
    assert bad["project"] is None and bad["errors"][0]["field"] == "amount"
    ok = api(create, {"i": {**data, "amount": "500000"}}, token=mgr)["data"]["guaranteeApplicationCreate"]
    assert ok["errors"] == [] and ok["project"]["projectNo"] is None and ok["project"]["status"] == "draft"
    pid = ok["project"]["id"]
    upd = api("""mutation($i: GuaranteeApplicationUpdateInput!) { guaranteeApplicationUpdate(input: $i) {
              project { amount termMonths } errors { code field } } }""",
              {"i": {"id": pid, "termMonths": 6}}, token=mgr)["data"]["guaranteeApplicationUpdate"]
    assert upd == {"project": {"amount": "500000.00", "termMonths": 6}, "errors": []}
    sub = api("""mutation($id: ID!) { guaranteeApplicationSubmit(id: $id) { project { projectNo status
              workflowInstanceId } errors { code } } }""", {"id": pid}, token=mgr)["data"]["guaranteeApplicationSubmit"]
    assert sub["errors"] == [] and sub["project"]["status"] == "in_approval"
    assert sub["project"]["projectNo"].endswith("-00001") and sub["project"]["workflowInstanceId"]
    one = api("query($id: ID!) { guaranteeProject(id: $id) { projectNo } }", {"id": pid}, token=mgr)
    assert one["data"]["guaranteeProject"]["projectNo"] == sub["project"]["projectNo"]
    other = api.login(gw.tenant.slug, "mgr2", TEST_PASSWORD)
    assert api("query($id: ID!) { guaranteeProject(id: $id) { projectNo } }", {"id": pid},
               token=other)["data"]["guaranteeProject"] is None
    settings = api("""mutation { guaranteeSettingsUpdate(input: {numberPattern: "X-{seq}-{zz}"}) {
                   settings { numberPattern } errors { code field } } }""", token=admin)["data"]
    assert settings["guaranteeSettingsUpdate"]["errors"] == [{"code": "VALIDATION_FAILED", "field": "numberPattern"}]
    listed = api("{ guaranteeProducts { code } guaranteeSettings { numberPattern committeeThreshold } }", token=mgr)
    assert listed["data"] == {"guaranteeProducts": [{"code": "B1"}],
                              "guaranteeSettings": {"numberPattern": "DB-{yyyy}-{seq:05}",
                                                    "committeeThreshold": "5000000.00"}}

