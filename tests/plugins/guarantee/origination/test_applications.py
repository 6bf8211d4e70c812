"""Applications: drafts with their checks, editing, submission (screening, counter-guarantees, number, approval
instance, event, audit) and that a refused submission leaves nothing behind."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surety.core.audit.canonical import jsonable
from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.workflow.models import WorkflowInstance, WorkflowTask
from surety.plugins.customers.blacklist import decide_entry, request_entry
from surety.plugins.guarantee.origination import applications as ap
from surety.plugins.guarantee.origination.approval import fields_of
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee, GuaranteeNumberSequence, GuaranteeProject
from surety.plugins.guarantee.project.products import retire_product
from surety.plugins.guarantee.testing import make_bank, make_product


@pytest.fixture
def catalog(gw):
    """A loan product (10,000 to 50,000,000 yuan, 1-60 months, counter-guarantee required), a bid product without
    that requirement, and a bank."""
    with gw.acting("admin") as (s, a):
        loan, bid = make_product(s, code="LOAN"), make_product(s, kind="bid", code="BID",
                                                               requires_counter_guarantee=False)
        bank, _ = make_bank(s)
        return {"loan": loan.id, "bid": bid.id, "bank": bank.id}


def application(gw, catalog, **extra) -> dict:
    return {"customer_id": gw.customers["corp"], "product_id": catalog["loan"], "bank_id": catalog["bank"],
            "amount": "3000000", "term_months": 12, "purpose": "流动资金", "loan_category": "small_micro", **extra}


def draft(gw, catalog, user="mgr", counter=True, **extra) -> uuid.UUID:
    with gw.acting(user) as (s, a):
        project = ap.create_application(s, a, application(gw, catalog, **extra))
        if counter:
            s.add(GuaranteeCounterGuarantee(project_id=project.id, kind="mortgage", valuation=Decimal("5000000")))
        return project.id


def load(gw, project_id) -> GuaranteeProject:
    with gw.session() as s:
        return s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == project_id)).one()


def test_a_draft_takes_its_lead_managers_unit_and_has_no_number_yet(gw, catalog):
    pid = draft(gw, catalog, manager_b_id=gw.actors["mgr2"].id_uuid)
    p = load(gw, pid)
    assert (p.status, p.manager_a_id, p.owner_id) == ("draft", gw.actors["mgr"].id_uuid, gw.actors["mgr"].id_uuid)
    assert p.org_unit_id == gw.units["A"] and p.customer_kind == "corporate" and p.amount == Decimal("3000000.00")
    assert p.manager_b_id == gw.actors["mgr2"].id_uuid and not ap.is_numbered(p)
    with gw.session() as s:
        assert s.scalar(select(AuditRecord.action).where(AuditRecord.entity_id == str(pid))) == \
            "guarantee.application.created"


@pytest.mark.parametrize("change, field, words", [
    ({"amount": "-100"}, "amount", "above zero"),
    ({"amount": "0"}, "amount", "above zero"),
    ({"amount": "5000"}, "amount", "outside the range of product LOAN"),
    ({"amount": "60000000"}, "amount", "outside the range"),
    ({"amount": "100.001"}, "amount", "two decimal places"),
    ({"term_months": 61}, "term_months", "term of 61 months is outside the range"),
    ({"term_months": 0}, "term_months", "at least 1"),
    ({"bank_id": None}, "bank_id", "names the lending bank"),
    ({"loan_category": "yacht"}, "loan_category", "loan category is one of"),
    ({"purpose": " "}, "purpose", "Give purpose"),
])
def test_bad_applications_are_refused_naming_the_field(gw, catalog, change, field, words):
    with gw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed, match=words) as err:
            ap.create_application(s, a, application(gw, catalog, **change))
    assert err.value.field == field


def test_unknown_references_and_wrong_managers_are_refused(gw, catalog):
    with gw.acting("mgr") as (s, a):
        for change, field in (({"customer_id": uuid.uuid4()}, "customer_id"), ({"product_id": uuid.uuid4()},
                              "product_id"), ({"bank_id": uuid.uuid4()}, "bank_id"),
                              ({"manager_b_id": uuid.uuid4()}, "manager_b_id")):
            with pytest.raises(NotFound) as err:
                ap.create_application(s, a, application(gw, catalog, **change))
            assert err.value.field == field
        with pytest.raises(ValidationFailed, match="other than manager A"):
            ap.create_application(s, a, application(gw, catalog, manager_b_id=a.id_uuid))
        with pytest.raises(ValidationFailed, match="must be a customer manager") as err:
            ap.create_application(s, a, application(gw, catalog, manager_b_id=gw.actors["viewer"].id_uuid))
        assert err.value.field == "manager_b_id"
    # A non-financing product needs no bank.
    with gw.acting("mgr") as (s, a):
        assert ap.create_application(s, a, application(gw, catalog, product_id=catalog["bid"],
                                                       bank_id=None)).bank_id is None
    with gw.acting("risk") as (s, a), pytest.raises(PermissionDenied):
        ap.create_application(s, a, application(gw, catalog))


def test_retired_product_is_refused(gw, catalog):
    with gw.acting("admin") as (s, a):
        retire_product(s, a, catalog["loan"])
    with gw.acting("mgr") as (s, a), pytest.raises(ValidationFailed, match="retired") as err:
        ap.create_application(s, a, application(gw, catalog))
    assert err.value.field == "product_id"


def test_only_drafts_in_scope_are_edited(gw, catalog):
    pid = draft(gw, catalog)
    with gw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed, match="always has a manager A"):
            ap.update_application(s, a, pid, {"manager_a_id": None})
        p = ap.update_application(s, a, pid, {"amount": "4000000.50", "manager_a_id": gw.actors["mgr2"].id_uuid})
        assert (p.amount, p.owner_id) == (Decimal("4000000.50"), gw.actors["mgr2"].id_uuid)
    with gw.acting("mgr") as (s, a), pytest.raises(NotFound):  # mgr2 owns it now; a manager sees their own
        ap.update_application(s, a, pid, {"amount": "1"})
    with gw.acting("head") as (s, a):  # the branch head edits within the branch
        assert ap.update_application(s, a, pid, {"term_months": 24}).term_months == 24
    with gw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        ap.update_application(s, a, pid, {"term_months": 6})
    with gw.acting("mgr2") as (s, a):
        ap.submit_application(s, a, pid)
    with gw.acting("mgr2") as (s, a), pytest.raises(Conflict, match="Only a draft"):
        ap.update_application(s, a, pid, {"term_months": 6})


def test_submission_numbers_screens_and_starts_the_approval(gw, catalog):
    pid = draft(gw, catalog, manager_b_id=gw.actors["mgr2"].id_uuid)
    other = draft(gw, catalog)
    with gw.acting("mgr2") as (s, a):  # manager B may submit
        p = ap.submit_application(s, a, pid)
        number, instance_id = p.project_no, p.workflow_instance_id
    with gw.acting("mgr") as (s, a):
        assert ap.submit_application(s, a, other).project_no == number[:-1] + "2"
    p = load(gw, pid)
    assert (p.status, p.flags) == ("in_approval", []) and p.submitted_at is not None
    assert number.startswith("DB-") and number.endswith("-00001") and ap.is_numbered(p)
    with gw.session() as s:
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == instance_id)).one()
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id)).one()
        events = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "GuaranteeApplicationSubmitted")
                           .order_by(OutboxEvent.occurred_at)).all()
        audited = s.scalar(select(AuditRecord).where(AuditRecord.action == "guarantee.application.submitted",
                                                     AuditRecord.entity_id == str(pid)))
    assert (inst.definition_key, inst.subject_type, inst.subject_id) == ("guarantee.approval", "guarantee:project",
                                                                         str(pid))
    assert inst.current_step == "acceptance" and task.assignee_id == gw.actors["head"].id_uuid
    assert events[0].payload == {"project_id": str(pid), "project_no": number,
                                 "customer_id": str(gw.customers["corp"]), "amount": "3000000.00"}
    assert audited.after["project_no"] == number and audited.actor_id == gw.actors["mgr2"].id


def test_only_manager_a_or_b_submit_and_only_once(gw, catalog):
    pid = draft(gw, catalog)
    with gw.acting("head") as (s, a), pytest.raises(PermissionDenied, match="manager A or B"):
        ap.submit_application(s, a, pid)
    with gw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        ap.submit_application(s, a, pid)
    with gw.acting("mgr") as (s, a):
        ap.submit_application(s, a, pid)
    with gw.acting("mgr") as (s, a), pytest.raises(Conflict, match="Only a draft can be submitted"):
        ap.submit_application(s, a, pid)


def _nothing_taken(gw, pid):
    p = load(gw, pid)
    assert (p.status, p.workflow_instance_id, ap.is_numbered(p), p.flags) == ("draft", None, False, [])
    with gw.session() as s:
        assert s.scalar(select(func.count()).select_from(WorkflowInstance)) == 0
        assert s.scalar(select(func.coalesce(func.sum(GuaranteeNumberSequence.last_value), 0))) == 0


def test_a_blacklisted_customer_is_refused_and_nothing_is_saved(gw, catalog):
    pid = draft(gw, catalog)
    with gw.acting("risk") as (s, a):
        entry = request_entry(s, a, gw.customers["corp"], "blacklist", "court enforcement", "court records").id
    with gw.acting("boss") as (s, a):
        decide_entry(s, a, entry, True)
    with gw.acting("mgr") as (s, a), pytest.raises(DomainError) as err:
        ap.submit_application(s, a, pid)
    assert err.value.code == "CUSTOMER_BLACKLISTED"
    _nothing_taken(gw, pid)


def test_a_watchlisted_customer_is_flagged(gw, catalog):
    pid = draft(gw, catalog)
    with gw.acting("risk") as (s, a):
        entry = request_entry(s, a, gw.customers["corp"], "watchlist", "late filings", "internal review").id
    with gw.acting("boss") as (s, a):
        decide_entry(s, a, entry, True)
    with gw.acting("mgr") as (s, a):
        assert ap.submit_application(s, a, pid).flags == ["watchlist"]


def test_a_product_requiring_a_counter_guarantee_needs_one(gw, catalog):
    pid = draft(gw, catalog, counter=False)
    with gw.acting("mgr") as (s, a), pytest.raises(ValidationFailed) as err:
        ap.submit_application(s, a, pid)
    assert err.value.code == "GUARANTEE_COUNTER_GUARANTEE_REQUIRED" and err.value.field == "counter_guarantees"
    _nothing_taken(gw, pid)
    bid = draft(gw, catalog, counter=False, product_id=catalog["bid"], bank_id=None, beneficiary_name="某市公共资源交易中心")
    with gw.acting("mgr") as (s, a):
        assert ap.submit_application(s, a, bid).status == "in_approval"


def test_a_non_financing_guarantee_names_its_beneficiary_before_submission(gw, catalog):
    bid = draft(gw, catalog, counter=False, product_id=catalog["bid"], bank_id=None,
                underlying_contract="某道路工程施工招标（ZB-2026-018）")
    with gw.acting("mgr") as (s, a), pytest.raises(ValidationFailed) as err:
        ap.submit_application(s, a, bid)
    assert err.value.field == "beneficiary_name"
    _nothing_taken(gw, bid)
    with gw.acting("mgr") as (s, a):
        ap.update_application(s, a, bid, {"beneficiary_name": "  某市公共资源交易中心 "})
        project = ap.submit_application(s, a, bid)
        assert (project.status, project.beneficiary_name) == ("in_approval", "某市公共资源交易中心")
        assert project.underlying_contract == "某道路工程施工招标（ZB-2026-018）"


def test_the_proposed_fee_goes_with_the_application(gw, catalog):
    pid = draft(gw, catalog, proposed_fee_rate="0.015", proposed_fee="45000")
    p = load(gw, pid)
    assert (p.proposed_fee_rate, p.proposed_fee) == (Decimal("0.015"), Decimal("45000.00"))
    with gw.acting("mgr") as (s, a), pytest.raises(ValidationFailed) as err:
        ap.update_application(s, a, pid, {"proposed_fee_rate": "0.5"})
    assert err.value.field == "proposed_fee_rate"
    with gw.acting("mgr") as (s, a), pytest.raises(ValidationFailed) as err:
        ap.update_application(s, a, pid, {"proposed_fee": "-1"})
    assert err.value.field == "proposed_fee"
    with gw.acting("mgr") as (s, a):
        ap.update_application(s, a, pid, {"proposed_fee": None})
    assert load(gw, pid).proposed_fee is None


def test_a_failure_after_the_number_is_taken_rolls_everything_back(gw, catalog):
    # The admin works at head office, where no department head can accept: the workflow start fails after the
    # number was taken, inside the submission's savepoint; even a caller that commits afterwards keeps nothing.
    pid = draft(gw, catalog, user="admin")
    with gw.acting("admin") as (s, a):
        with pytest.raises(DomainError) as err:
            ap.submit_application(s, a, pid)
        assert err.value.code == "WORKFLOW_NO_ASSIGNEE"
    _nothing_taken(gw, pid)
    with gw.acting("mgr") as (s, a):
        assert ap.submit_application(s, a, draft(gw, catalog)).project_no.endswith("-00001")


def test_settings_update_validates_and_applies_to_the_next_number(gw, catalog):
    with gw.acting("mgr") as (s, a), pytest.raises(PermissionDenied):
        ap.update_settings(s, a, committee_threshold="1")
    with gw.acting("admin") as (s, a):
        with pytest.raises(ValidationFailed) as err:
            ap.update_settings(s, a, number_pattern="BAD-{seq}-{dd}")
        assert err.value.field == "number_pattern"
        with pytest.raises(ValidationFailed) as err:
            ap.update_settings(s, a, green_channel_max="-1")
        assert err.value.field == "green_channel_max"
        row = ap.update_settings(s, a, number_pattern="GX{yy}-{seq:03}", committee_threshold="8000000")
        assert (row.committee_threshold, row.green_channel_max) == (Decimal("8000000.00"), Decimal("1000000.00"))
    with gw.acting("mgr") as (s, a):
        number = ap.submit_application(s, a, draft(gw, catalog)).project_no
    assert number.startswith("GX") and number.endswith("-001") and len(number) == len("GX26-001")


def test_monitoring_day_settings_validated_and_saved(gw):
    with gw.acting("mgr") as (s, a), pytest.raises(PermissionDenied):
        ap.update_settings(s, a, inspection_interval_days=30)
    with gw.acting("admin") as (s, a):
        for name, bad in (("first_inspection_days", 0), ("inspection_interval_days", 367), ("fee_due_within_days", -1),
                          ("expiring_within_days", True)):
            with pytest.raises(ValidationFailed) as err:
                ap.update_settings(s, a, **{name: bad})
            assert err.value.field == name
        with pytest.raises(TypeError):
            ap.update_settings(s, a, inspection_days=3)
        row = ap.update_settings(s, a, first_inspection_days=15, inspection_interval_days=60, fee_due_within_days=0)
        assert (row.first_inspection_days, row.inspection_interval_days, row.expiring_within_days,
                row.fee_due_within_days) == (15, 60, 30, 0)
    with gw.session() as s:
        entry = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.settings.updated")
                          .order_by(AuditRecord.seq.desc())).first()
    assert entry.before["inspection_interval_days"] == 90 and entry.after["inspection_interval_days"] == 60


def test_the_stored_subject_keeps_no_customer_name_and_routing_reads_the_current_fields(gw, catalog):
    """Submission computes the subject's fields once: the instance stores them without the customer's name (as
    ``fields_of(..., with_names=False)``), and the first step is routed on them without asking the plugin again."""
    pid = draft(gw, catalog)
    with gw.acting("mgr") as (s, a):
        ap.submit_application(s, a, pid)
    with gw.session() as s:
        project = s.get(GuaranteeProject, (gw.tenant.id, pid))
        inst = s.scalars(select(WorkflowInstance).where(WorkflowInstance.id == project.workflow_instance_id)).one()
        stored = {k: v for k, v in inst.subject.items() if k != "initiator_id"}
        assert "name" not in inst.subject["customer"] and inst.subject["customer"]["kind"] == "corporate"
        assert stored == jsonable(fields_of(s, project, with_names=False))
        task = s.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == inst.id)).one()
    assert task.assignee_id == gw.actors["head"].id_uuid
