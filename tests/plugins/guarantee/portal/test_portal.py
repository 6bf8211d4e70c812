"""Customer self-service portal: accounts created and linked by the customer's manager (staff never linked), a
portal user sees and touches only its own customer's projects (any other project is NOT_FOUND in every operation:
views, letter, attachments), applications become drafts for the customer's manager who is notified, milestones and
progress labels, and the GraphQL round trip with a portal user logged in."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from strawberry import relay

from surety.core.attachments import service as attachments
from surety.core.audit.models import AuditRecord
from surety.core.authz.provision import roles_of
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.identity.models import User
from surety.core.notifications.models import Notification
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.engine import business_today
from surety.plugins.customers.models import Customer
from surety.plugins.customers.testing import actor_for
from surety.plugins.guarantee.origination import applications
from surety.plugins.guarantee.portal import letter
from surety.plugins.guarantee.portal import self_service as portal
from surety.plugins.guarantee.portal.models import GuaranteePortalLink
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.testing import make_bank, make_effective, make_product, make_project

TODAY = business_today()
START = TODAY - dt.timedelta(days=400)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def make_portal_user(gw, username, customer="corp"):
    with gw.acting("mgr") as (s, a):
        link = portal.create_portal_user(s, a, gw.customers[customer], username=username, password=TEST_PASSWORD,
                                         display_name=f"{username} 联系人", email=f"{username}@example.com")
        user = s.scalars(select(User).where(User.id == link.user_id)).one()
        gw.actors[username] = actor_for(user)
    return link


@pytest.fixture
def pw(gw):
    """The world with portal users ``cust1`` (for corp) and ``cust2`` (for person), products and a bank."""
    make_portal_user(gw, "cust1", "corp")
    make_portal_user(gw, "cust2", "person")
    with gw.acting("admin") as (s, a):
        gw.product = make_product(s, requires_counter_guarantee=False, name="流动资金贷款担保").id
        gw.bank = make_bank(s)[0].id
    return gw


def audits(gw, action):
    with gw.session() as s:
        return [r for r in s.scalars(select(AuditRecord).where(AuditRecord.action == action)
                                     .order_by(AuditRecord.seq))]


def projects_of_each(gw):
    """A draft for corp and an effective guarantee for person (led by mgr / fin)."""
    with gw.acting("mgr") as (s, a):
        draft = make_project(s, a, gw.customers["corp"], status="draft")
        draft.project_no = None  # drafts have no number yet
        s.flush()
        mine = draft.id
    with gw.acting("fin") as (s, a):
        other = make_effective(s, a, gw.customers["person"], customer_kind="individual", start=START,
                               end=TODAY + dt.timedelta(days=200)).id
    return mine, other


# ---------------------------------------------------------------- accounts ----------------------------------------


def test_manager_creates_and_links_portal_users_and_staff_cannot_be_linked(gw):
    link = make_portal_user(gw, "cust1")
    with gw.session() as s:
        assert roles_of(s, f"user:{link.user_id}") == ["customer_portal"]
        row = s.scalars(select(GuaranteePortalLink).where(GuaranteePortalLink.user_id == link.user_id)).one()
        assert (row.customer_id, row.created_by) == (gw.customers["corp"], gw.actors["mgr"].id_uuid)
        assert s.scalar(select(User.display_name).where(User.id == link.user_id)) == "cust1 联系人"
    assert [r.after for r in audits(gw, "guarantee.portal.linked")] == [
        {"user_id": str(link.user_id), "customer_id": str(gw.customers["corp"])}]

    with gw.acting("mgr") as (s, a):
        with pytest.raises(Conflict) as taken:  # core's rules apply
            portal.create_portal_user(s, a, gw.customers["corp"], username="cust1", password=TEST_PASSWORD,
                                      display_name="x")
        assert taken.value.field == "username"
        with pytest.raises(ValidationFailed) as weak:
            portal.create_portal_user(s, a, gw.customers["corp"], username="cust9", password="123", display_name="x")
        assert weak.value.field == "password"
        with pytest.raises(ValidationFailed) as unnamed:
            portal.create_portal_user(s, a, gw.customers["corp"], username="cust9", password=TEST_PASSWORD,
                                      display_name=" ")
        assert unnamed.value.field == "display_name"
        # Staff accounts never act for a customer ("impersonation" of staff through the portal).
        for staff in ("mgr2", "admin"):
            with pytest.raises(portal.PortalUserNotEligible) as staff_err:
                portal.link_user(s, a, gw.customers["corp"], gw.actors[staff].id_uuid)
            assert staff_err.value.field == "user_id"
        with pytest.raises(portal.PortalAlreadyLinked):
            portal.link_user(s, a, gw.customers["person"], link.user_id)
        with pytest.raises(NotFound):
            portal.link_user(s, a, gw.customers["corp"], uuid.uuid4())

    # Data scope: mgr2 (own scope) does not see mgr's customers; the read-only user may not manage portal users.
    with gw.acting("mgr2") as (s, a):
        with pytest.raises(NotFound):
            portal.create_portal_user(s, a, gw.customers["corp"], username="cust8", password=TEST_PASSWORD,
                                      display_name="x")
        with pytest.raises(NotFound):
            portal.unlink_user(s, a, link.user_id)
    with gw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied, match="guarantee:portal:manage"):
            portal.link_user(s, a, gw.customers["corp"], link.user_id)

    # Unlink, then the user acts for nobody until linked again (to another customer).
    with gw.acting("mgr") as (s, a):
        assert [u.username for _, u in portal.portal_links(s, a, gw.customers["corp"])] == ["cust1"]
        portal.unlink_user(s, a, link.user_id)
    assert [r.before for r in audits(gw, "guarantee.portal.unlinked")] == [
        {"user_id": str(link.user_id), "customer_id": str(gw.customers["corp"])}]
    with gw.acting("cust1") as (s, a):
        with pytest.raises(portal.PortalNotLinked):
            portal.my_projects(s, a)
    with gw.acting("mgr") as (s, a):
        assert portal.link_user(s, a, gw.customers["person"], link.user_id).customer_id == gw.customers["person"]
        with pytest.raises(NotFound):
            portal.unlink_user(s, a, gw.actors["mgr2"].id_uuid)


# ---------------------------------------------------------------- isolation ---------------------------------------


def test_a_portal_user_sees_only_its_customers_projects(pw):
    gw = pw
    mine, other = projects_of_each(gw)
    with gw.acting("cust1") as (s, a):
        listed = portal.my_projects(s, a)
        assert [v.id for v in listed] == [mine]
        assert (listed[0].status, listed[0].progress, listed[0].project_no) == ("draft", portal.PROGRESS["draft"],
                                                                                None)
        assert portal.project_view(s, a, mine).id == mine
        # Another customer's project and an id that does not exist are refused identically, everywhere.
        for pid in (other, uuid.uuid4()):
            for call in (lambda: portal.project_view(s, a, pid), lambda: portal.portal_letter(s, a, pid),
                         lambda: attachments.list_for(s, a, portal.DOCUMENT_ENTITY, str(pid)),
                         lambda: attachments.upload(s, a, portal.DOCUMENT_ENTITY, str(pid), "a.pdf", PDF)):
                with pytest.raises(NotFound) as err:
                    call()
                assert (err.value.message, err.value.field) == ("No guarantee project with that id.", "id")
        # Staff operations stay closed to the portal user.
        with pytest.raises(PermissionDenied, match="guarantee:project:read"):
            get_project(s, a, mine)
        with pytest.raises(PermissionDenied, match="guarantee:project:read"):
            letter.guarantee_letter(s, a, other)
        with pytest.raises(PermissionDenied):
            applications.submit_application(s, a, mine)
    with gw.acting("cust2") as (s, a):
        assert [v.id for v in portal.my_projects(s, a)] == [other]
        with pytest.raises(NotFound):
            portal.project_view(s, a, mine)
    # Staff do not use the portal operations.
    with gw.acting("mgr") as (s, a):
        with pytest.raises(PermissionDenied, match="guarantee:portal:use"):
            portal.my_projects(s, a)


def test_customer_documents_through_core_attachments(pw):
    gw = pw
    mine, other = projects_of_each(gw)
    doc = portal.DOCUMENT_ENTITY
    with gw.acting("cust1") as (s, a):
        row = attachments.upload(s, a, doc, str(mine), "营业执照.pdf", PDF)
        assert [f.id for f in attachments.list_for(s, a, doc, str(mine))] == [row.id]
        assert attachments.download(s, a, row.id)[1] == PDF
    with gw.acting("fin") as (s, a):
        theirs = attachments.upload(s, a, doc, str(other), "借据.pdf", PDF)
        # The project's own files (contracts, due diligence, internal papers) are staff-only.
        internal = attachments.upload(s, a, "guarantee:project", str(mine), "尽调报告.pdf", PDF)
        notice = attachments.upload(s, a, doc, str(mine), "补充材料通知.pdf", PDF)  # staff write to the customer
    with gw.acting("cust1") as (s, a):
        for call in (lambda: attachments.download(s, a, theirs.id), lambda: attachments.get(s, a, theirs.id),
                     lambda: attachments.download(s, a, internal.id),
                     lambda: attachments.list_for(s, a, "guarantee:project", str(mine)),
                     lambda: attachments.upload(s, a, "guarantee:project", str(mine), "a.pdf", PDF)):
            with pytest.raises(NotFound):
                call()
        assert {f.id for f in attachments.list_for(s, a, doc, str(mine))} == {row.id, notice.id}
    # The role's default grants let a customer use core attachments; the plugin's "*" guard keeps it to its
    # customer documents: another entity type (a customer record's files, a test entity) is NotFound for it.
    with gw.acting("mgr") as (s, a):
        on_customer = attachments.upload(s, a, "customers:customer", str(gw.customers["corp"]), "章程.pdf", PDF)
    with gw.acting("cust1") as (s, a):
        for call in (lambda: attachments.list_for(s, a, "customers:customer", str(gw.customers["corp"])),
                     lambda: attachments.download(s, a, on_customer.id),
                     lambda: attachments.upload(s, a, "test:document", "x1", "a.pdf", PDF)):
            with pytest.raises(NotFound):
                call()
    # Staff read the customer's documents within their data scope; the project's files as before.
    with gw.acting("mgr") as (s, a):
        assert {f.filename for f in attachments.list_for(s, a, doc, str(mine))} == {"营业执照.pdf", "补充材料通知.pdf"}
        assert [f.filename for f in attachments.list_for(s, a, "guarantee:project", str(mine))] == ["尽调报告.pdf"]
    with gw.acting("mgr2") as (s, a):
        for entity in (doc, "guarantee:project"):
            with pytest.raises(NotFound):
                attachments.list_for(s, a, entity, str(mine))


# ---------------------------------------------------------------- applications ------------------------------------


def test_an_application_becomes_a_draft_for_the_customers_manager(pw):
    gw = pw
    with gw.acting("cust1") as (s, a):
        project = portal.submit_application(s, a, {"product_id": gw.product, "bank_id": gw.bank,
                                                   "amount": "1000000", "term_months": 12,
                                                   "purpose": " 流动资金周转 "})
        pid = project.id
    with gw.session() as s:
        p = s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == pid)).one()
        mgr = gw.actors["mgr"]
        assert (p.status, p.project_no, p.customer_id, p.manager_a_id, p.owner_id, p.org_unit_id) == (
            "draft", None, gw.customers["corp"], mgr.id_uuid, mgr.id_uuid, mgr.org_unit_id)
        assert (p.flags, p.amount, p.purpose, p.customer_kind, p.created_by) == (
            ["portal"], Decimal("1000000.00"), "流动资金周转", "corporate", gw.actors["cust1"].id_uuid)
        notes = s.scalars(select(Notification).where(Notification.kind == portal.NOTIFY_APPLICATION)).all()
        assert [(n.user_id, n.entity_type, n.entity_id) for n in notes] == [(mgr.id_uuid, "guarantee:project",
                                                                             str(pid))]
        assert "1,000,000.00" in notes[0].body
    created = audits(gw, "guarantee.application.created")
    assert created[-1].after["via"] == "portal" and created[-1].after["flags"] == ["portal"]

    # The manager submits it with the staff operation; the customer follows it.
    with gw.acting("mgr") as (s, a):
        applications.submit_application(s, a, pid)
    with gw.acting("cust1") as (s, a):
        view = portal.project_view(s, a, pid)
        assert (view.status, view.progress, view.current_step) == ("in_approval", "审批中", "受理 Acceptance")
        assert view.project_no and view.product_name == "流动资金贷款担保"
        assert [(m.key, m.reached) for m in view.milestones] == [
            ("submitted", True), ("decided", False), ("effective", False), ("released", False)]
        assert view.milestones[0].on == TODAY
        assert portal.my_projects(s, a)[0].current_step == "受理 Acceptance"


def test_applications_are_validated_like_staff_entries(pw):
    gw = pw
    base = {"product_id": gw.product, "bank_id": gw.bank, "amount": "1000000", "term_months": 12, "purpose": "x"}
    with gw.acting("cust1") as (s, a):
        for change, field in (({"amount": "5"}, "amount"), ({"term_months": 99}, "term_months"),
                              ({"purpose": ""}, "purpose"), ({"bank_id": None}, "bank_id"),
                              ({"customer_id": gw.customers["person"]}, "customer_id"),
                              ({"manager_a_id": gw.actors["mgr2"].id_uuid}, "manager_a_id"),
                              ({"product_id": uuid.uuid4()}, "product_id")):
            with pytest.raises((ValidationFailed, NotFound)) as err:
                with s.begin_nested():
                    portal.submit_application(s, a, {**base, **change})
            assert err.value.field == field, change
    # Without a manager on the customer record nobody could take the application.
    with gw.session() as s:
        s.scalars(select(Customer).where(Customer.id == gw.customers["corp"])).one().owner_id = None
    with gw.acting("cust1") as (s, a):
        with pytest.raises(portal.PortalNoManager):
            portal.submit_application(s, a, base)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(PermissionDenied, match="guarantee:portal:use"):
            portal.submit_application(s, a, base)


def test_milestones_of_an_effective_then_released_guarantee(pw):
    gw = pw
    with gw.acting("fin") as (s, a):
        pid = make_effective(s, a, gw.customers["corp"], start=START, end=TODAY - dt.timedelta(days=30)).id
    with gw.acting("cust1") as (s, a):
        view = portal.project_view(s, a, pid)
        assert (view.status, view.progress) == ("effective", "担保已生效")
        assert [(m.key, m.reached, m.on) for m in view.milestones][2:] == [("effective", True, START),
                                                                          ("released", False, None)]
        assert view.milestones[1].reached and view.milestones[1].result == "approved"
    with gw.acting("fin") as (s, a):
        rel.release(s, a, pid, kind="full")
    with gw.acting("cust1") as (s, a):
        view = portal.project_view(s, a, pid)
        assert (view.progress, view.milestones[3].reached, view.milestones[3].on) == ("已解保", True, TODAY)


# ---------------------------------------------------------------- GraphQL -----------------------------------------

CREATE = """mutation($i: GuaranteePortalUserCreateInput!) { guaranteePortalUserCreate(input: $i) {
  link { userId customerId username displayName } errors { code field } } }"""
LINKS = "query($c: ID!) { guaranteePortalLinks(customerId: $c) { username } }"
UNLINK = "mutation($u: ID!) { guaranteePortalUserUnlink(userId: $u) { unlinkedUserId errors { code field } } }"
APPLY = """mutation($i: GuaranteePortalApplicationInput!) { guaranteePortalApplicationSubmit(input: $i) {
  project { id projectNo status progress amount productName milestones { key reached } } errors { code field } } }"""
MINE = "{ guaranteePortalProjects { id status progress currentStep amount termMonths } }"
ONE = "query($id: ID!) { guaranteePortalProject(id: $id) { id status milestones { key reached on result } } }"
PORTAL_LETTER = "query($p: ID!) { guaranteePortalLetter(projectId: $p) { filename contentType size sha256 contentBase64 } }"
STAFF_LETTER = "query($p: ID!) { guaranteeLetter(projectId: $p) { filename sha256 contentBase64 } }"
FILES = "query($id: String!) { attachments(entityType: \"guarantee:portal_document\", entityId: $id) { filename } }"


def test_graphql(gw, api):
    with gw.acting("admin") as (s, a):
        product = make_product(s, requires_counter_guarantee=False)
        bank, _ = make_bank(s)
    with gw.acting("fin") as (s, a):
        theirs = make_effective(s, a, gw.customers["person"], customer_kind="individual", start=START,
                                end=TODAY + dt.timedelta(days=200)).id
        ours = make_effective(s, a, gw.customers["corp"], start=START, end=TODAY + dt.timedelta(days=200))
        ours_no, ours = ours.project_no, ours.id
    g = lambda t, v: relay.to_base64(t, str(v))  # noqa: E731
    mgr = api.login(gw.tenant.slug, "mgr")

    def run(query, token, **variables):
        body = api(query, variables, token=token)
        assert "errors" not in body, body
        return body["data"]

    made = run(CREATE, mgr, i={"customerId": g("Customer", gw.customers["corp"]), "username": "acme",
                               "password": TEST_PASSWORD, "displayName": "华夏 财务"})["guaranteePortalUserCreate"]
    assert made["errors"] == [] and made["link"]["customerId"] == g("Customer", gw.customers["corp"])
    user_id = made["link"]["userId"]
    staff = run(CREATE, mgr, i={"customerId": g("Customer", gw.customers["corp"]), "username": "x",
                                "password": TEST_PASSWORD, "displayName": "x"})["guaranteePortalUserCreate"]
    assert staff["errors"][0]["field"] == "username"
    assert run(LINKS, mgr, c=g("Customer", gw.customers["corp"])) == {"guaranteePortalLinks": [{"username": "acme"}]}
    link_staff = run("mutation($i: GuaranteePortalUserLinkInput!) { guaranteePortalUserLink(input: $i) { errors { code "
                     "field } } }", mgr, i={"customerId": g("Customer", gw.customers["corp"]),
                                            "userId": g("User", gw.actors["mgr2"].id)})
    assert link_staff["guaranteePortalUserLink"]["errors"] == [{"code": "GUARANTEE_PORTAL_USER_NOT_ELIGIBLE",
                                                                "field": "userId"}]

    acme = api.login(gw.tenant.slug, "acme")
    applied = run(APPLY, acme, i={"productId": g("GuaranteeProduct", product.id), "bankId": g("GuaranteeBank", bank.id),
                                  "amount": "2000000", "termMonths": 12, "purpose": "采购原材料"})
    applied = applied["guaranteePortalApplicationSubmit"]
    assert applied["errors"] == [] and applied["project"]["status"] == "draft"
    assert applied["project"]["projectNo"] is None and applied["project"]["amount"] == "2000000.00"
    bad = run(APPLY, acme, i={"productId": g("GuaranteeProduct", product.id), "bankId": g("GuaranteeBank", bank.id),
                              "amount": "1", "termMonths": 12, "purpose": "x"})["guaranteePortalApplicationSubmit"]
    assert bad == {"project": None, "errors": [{"code": "VALIDATION_FAILED", "field": "amount"}]}

    mine = run(MINE, acme)["guaranteePortalProjects"]
    assert [p["id"] for p in mine] == [applied["project"]["id"], g("GuaranteeProject", ours)]
    assert mine[1]["progress"] == "担保已生效"
    one = run(ONE, acme, id=g("GuaranteeProject", ours))["guaranteePortalProject"]
    assert one["milestones"][2] == {"key": "effective", "reached": True, "on": START.isoformat(), "result": None}
    assert run(ONE, acme, id=g("GuaranteeProject", theirs)) == {"guaranteePortalProject": None}

    pdf = run(PORTAL_LETTER, acme, p=g("GuaranteeProject", ours))["guaranteePortalLetter"]
    raw = base64.b64decode(pdf["contentBase64"])
    assert raw.startswith(b"%PDF") and pdf["size"] == len(raw) and pdf["contentType"] == "application/pdf"
    assert pdf["filename"] == f"担保函 {ours_no}.pdf"
    other = api(PORTAL_LETTER, {"p": g("GuaranteeProject", theirs)}, token=acme)
    assert other["data"] is None and other["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    denied = api(STAFF_LETTER, {"p": g("GuaranteeProject", ours)}, token=acme)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    fin = api.login(gw.tenant.slug, "fin")
    assert run(STAFF_LETTER, fin, p=g("GuaranteeProject", ours))["guaranteeLetter"]["sha256"] == pdf["sha256"]
    assert [r.after["via"] for r in audits(gw, "guarantee.letter.downloaded")] == ["portal", "staff"]

    # Files over HTTP with the portal user's token: its own project only.
    def upload(pid):
        return api.client.post("/attachments", headers={"Authorization": f"Bearer {acme}"},
                               data={"entity_type": "guarantee:portal_document", "entity_id": str(pid)},
                               files={"file": ("申请书.pdf", PDF, "application/pdf")})
    assert upload(ours).status_code == 201
    assert upload(theirs).status_code == 404
    assert run(FILES, acme, id=str(ours)) == {"attachments": [{"filename": "申请书.pdf"}]}
    assert api(FILES, {"id": str(theirs)}, token=acme)["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    # A staff query is refused to the portal user; after unlinking, the portal shows nothing.
    assert api("{ guaranteeProjects { edges { node { id } } } }", token=acme)["errors"][0]["extensions"]["code"] \
        == "FORBIDDEN"
    assert run(UNLINK, mgr, u=user_id)["guaranteePortalUserUnlink"] == {"unlinkedUserId": user_id, "errors": []}
    gone = api(MINE, token=acme)
    assert gone["errors"][0]["extensions"]["code"] == "GUARANTEE_PORTAL_NOT_LINKED"
