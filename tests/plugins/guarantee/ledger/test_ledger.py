"""The ledger (台账): entries written from the real services' events (once per source), the three-step confirmation
(manager, risk, finance; different people; all or none; audited), the project ledger's figures, the company ledger
(filters, data scope, totals), the .xlsx export (and its command) and the GraphQL round trip."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
import typer
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from strawberry import relay
from typer.testing import CliRunner

from surety.core.audit.models import AuditRecord
from surety.core.authz.check import DENIED_ACTION
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events import raise_event
from surety.core.identity.models import User
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.compensation import claims as compensation
from surety.plugins.guarantee.compensation.events import GuaranteeLossWrittenOff
from surety.plugins.guarantee.compensation.models import GuaranteeCompensation
from surety.plugins.guarantee.finance import banks, fees
from surety.plugins.guarantee.finance.events import GuaranteeFeeReceived
from surety.plugins.guarantee.finance.loans import confirm_loan
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem
from surety.plugins.guarantee.ledger import entries as ledger
from surety.plugins.guarantee.ledger.export import HEADER_EN, HEADER_ZH, TOTAL_LABEL, export_company_ledger, ledger_app
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.origination.events import GuaranteeProjectDecided
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.testing import make_bank, make_project

TODAY = business_today()
START = TODAY - dt.timedelta(days=400)
D = Decimal


def effective(gw, *, start=START, end=None, review="20000.00", margin="300000.00", bank_name="测试银行",
              customer="corp"):
    """An effective project led by fin (amount 3,000,000; loan 2,800,000 from ``start``) with a fee plan (guarantee
    fee 1.5 % once = 45,000, ``review`` fee, ``margin``) received in full on ``start``."""
    end = end or TODAY + dt.timedelta(days=300)
    with gw.acting("fin") as (s, a):
        bank, _ = make_bank(s, name=bank_name, total="10000000.00")
        p = make_project(s, a, gw.customers[customer], bank=bank, status="contracted")
        banks.reserve(s, p)
        fees.set_plan(s, a, p.id, guarantee_fee_method="rate", guarantee_fee_rate="0.015", review_fee=review,
                      margin_amount=margin, start_date=start)
        for item in s.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == p.id)
                              .order_by(GuaranteeFeeItem.fee_type)).all():
            fees.receive(s, a, item.id, item.amount, received_on=start)
        confirm_loan(s, a, p.id, loan_contract_no="JK-1", loan_amount="2800000.00", start_date=start, end_date=end,
                     rate="0.0435")
        return p.id, bank.id


def item_of(gw, pid, fee_type):
    with gw.session() as s:
        return s.scalars(select(GuaranteeFeeItem.id).where(GuaranteeFeeItem.project_id == pid,
                                                           GuaranteeFeeItem.fee_type == fee_type)).one()


def entries(gw, pid):
    with gw.session() as s:
        return list(s.scalars(select(GuaranteeLedgerEntry).where(GuaranteeLedgerEntry.project_id == pid)
                              .order_by(GuaranteeLedgerEntry.entry_date, GuaranteeLedgerEntry.created_at,
                                        GuaranteeLedgerEntry.id)))


def set_managers(gw, pid, a, b=None):
    with gw.session() as s:
        s.execute(update(GuaranteeProject).where(GuaranteeProject.id == pid).values(
            manager_a_id=gw.actors[a].id_uuid, manager_b_id=gw.actors[b].id_uuid if b else None))


def pay_compensation(gw, pid, amount):
    """A claim set to approved directly (its approval is the workflow's business), then paid through the service."""
    with gw.session() as s:
        claim = GuaranteeCompensation(project_id=pid, claimed_amount=D(amount), claim_date=TODAY, notes="",
                                      status="approved", claimed_by=gw.actors["fin"].id_uuid)
        s.add(claim)
        s.flush()
        claim_id = claim.id
    with gw.acting("fin") as (s, a):
        return compensation.pay(s, a, claim_id, amount=amount, paid_on=TODAY).id, claim_id


def full_story(gw):
    """Every kind of entry on one project; returns the project id and what each source was."""
    pid, _ = effective(gw)
    with gw.acting("fin") as (s, a):
        g_refund = fees.refund(s, a, item_of(gw, pid, "guarantee_fee"), "5000", reason="fee reduced",
                               refunded_on=TODAY - dt.timedelta(days=20))
        r_refund = fees.refund(s, a, item_of(gw, pid, "review_fee"), "2000", reason="review fee reduced",
                               refunded_on=TODAY - dt.timedelta(days=20))
        repayment = rel.record_repayment(s, a, pid, "800000", repaid_on=TODAY - dt.timedelta(days=10))
        partial = rel.release(s, a, pid, kind="partial", amount="500000", released_on=TODAY - dt.timedelta(days=5))
    receivable_id, claim_id = pay_compensation(gw, pid, "1000000.00")
    with gw.acting("fin") as (s, a):
        action = compensation.record_recovery(s, a, receivable_id, kind="negotiation", amount="300000",
                                              action_date=TODAY)
    # The write-off goes through an approval (compensation's business): its event is raised as the service does.
    with gw.session() as s:
        raise_event(s, GuaranteeLossWrittenOff(project_id=pid, receivable_id=receivable_id, amount=D("700000.00"),
                                               written_off_on=TODAY))
    return pid, dict(g_refund=g_refund.id, r_refund=r_refund.id, repayment=repayment.id, release=partial.id,
                     claim=claim_id, action=action.id, receivable=receivable_id)


EXPECTED = dict(review_fee=D("18000.00"), guarantee_fee=D("40000.00"), margin_held=D("300000.00"),
                loan_amount=D("2800000.00"), in_force_balance=D("500000.00"), repaid=D("800000.00"),
                released=D("500000.00"), compensated=D("1000000.00"), compensated_principal=D("1000000.00"),
                recovered=D("300000.00"), written_off=D("700000.00"))


# ---------------------------------------------------------------- entries --------------------------------------------


def test_entries_from_every_money_event(gw):
    pid, src = full_story(gw)
    got = [(e.kind, e.detail, e.amount, e.entry_date, e.source_type, e.stage) for e in entries(gw, pid)]
    assert got == [
        ("guarantee_fee", "guarantee_fee", D("45000.00"), START, "guarantee_fee_receipts", "manager"),
        ("margin_in", "margin", D("300000.00"), START, "guarantee_fee_receipts", "manager"),
        ("review_fee", "review_fee", D("20000.00"), START, "guarantee_fee_receipts", "manager"),
        ("loan", "", D("2800000.00"), START, "guarantee_projects", "manager"),
        ("fee_refund", "guarantee_fee", D("5000.00"), TODAY - dt.timedelta(days=20), "guarantee_fee_refunds",
         "manager"),
        ("fee_refund", "review_fee", D("2000.00"), TODAY - dt.timedelta(days=20), "guarantee_fee_refunds", "manager"),
        ("repayment", "", D("800000.00"), TODAY - dt.timedelta(days=10), "guarantee_repayments", "manager"),
        ("release", "partial", D("500000.00"), TODAY - dt.timedelta(days=5), "guarantee_releases", "manager"),
        ("compensation", "", D("1000000.00"), TODAY, "guarantee_compensations", "manager"),
        ("recovery", "negotiation", D("300000.00"), TODAY, "guarantee_recovery_actions", "manager"),
        ("write_off", "", D("700000.00"), TODAY, "guarantee_compensation_receivables", "manager"),
    ]
    sources = {e.kind + e.detail: e.source_id for e in entries(gw, pid)}
    assert (sources["loan"], sources["fee_refundguarantee_fee"], sources["fee_refundreview_fee"],
            sources["repayment"], sources["releasepartial"], sources["compensation"], sources["recoverynegotiation"],
            sources["write_off"]) == (pid, src["g_refund"], src["r_refund"], src["repayment"], src["release"],
                                      src["claim"], src["action"], src["receivable"])


def test_full_release_writes_release_and_margin_out(gw):
    pid, _ = effective(gw, end=TODAY - dt.timedelta(days=30))
    with gw.acting("fin") as (s, a):
        rel.release(s, a, pid, kind="full", released_on=TODAY)
        got = ledger.project_ledger(s, a, pid)
    kinds = [(e.kind, e.detail, e.amount) for e in got.entries if e.entry_date == TODAY]
    assert kinds == [("margin_out", "margin", D("300000.00")), ("release", "full", D("2800000.00"))]
    assert (got.figures.margin_held, got.figures.released, got.figures.in_force_balance) == (
        D("0.00"), D("2800000.00"), D("0.00"))


def test_an_event_handled_twice_writes_one_entry(gw):
    pid, _ = effective(gw)
    first = entries(gw, pid)[0]
    event = GuaranteeFeeReceived(project_id=pid, receipt_id=first.source_id, fee_type="guarantee_fee",
                                 amount=D("45000.00"), received_on=START)
    with gw.session() as s:
        assert ledger.on_event(s, event) is None
        assert ledger.on_event(s, GuaranteeProjectDecided(project_id=pid, project_no="x", result="approved",
                                                          amount=D("1"))) is None
        fresh = ledger.on_event(s, GuaranteeFeeReceived(project_id=pid, receipt_id=uuid.uuid4(), fee_type="margin",
                                                        amount=D("1.00"), received_on=START))
        assert fresh is not None and fresh.kind == "margin_in"
        assert ledger.on_event(s, GuaranteeFeeReceived(project_id=pid, receipt_id=fresh.source_id,
                                                       fee_type="margin", amount=D("1.00"),
                                                       received_on=START)) is None
        s.rollback()
    assert len(entries(gw, pid)) == 4  # three receipts and the loan, each once


# ---------------------------------------------------------------- project ledger -----------------------------------


def test_project_ledger_figures_all_and_confirmed(gw):
    pid, _ = full_story(gw)
    set_managers(gw, pid, "mgr")
    with gw.acting("risk") as (s, a):
        got = ledger.project_ledger(s, a, pid)
    assert got.figures == ledger.LedgerFigures(**EXPECTED)
    assert got.confirmed == ledger.LedgerFigures(in_force_balance=D("500000.00"))
    loan = next(e.id for e in got.entries if e.kind == "loan")
    refund = next(e.id for e in got.entries if e.kind == "fee_refund" and e.detail == "guarantee_fee")
    for who in ("mgr", "risk", "fin"):
        with gw.acting(who) as (s, a):
            ledger.confirm(s, a, [loan, refund])
    with gw.acting("boss") as (s, a):
        got = ledger.project_ledger(s, a, pid)
    assert got.confirmed == ledger.LedgerFigures(loan_amount=D("2800000.00"), guarantee_fee=D("-5000.00"),
                                                 in_force_balance=D("500000.00"))
    with gw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        ledger.project_ledger(s, a, pid)
    with gw.acting("head") as (s, a), pytest.raises(NotFound):  # branch A's head; the project is HQ's
        ledger.project_ledger(s, a, pid)


# ---------------------------------------------------------------- confirmation -------------------------------------


def test_confirmation_in_turn_by_different_people(gw):
    pid, _ = effective(gw)
    set_managers(gw, pid, "mgr", "mgr2")
    e1, e2, e3, e4 = [e.id for e in entries(gw, pid)]

    def refused(who, ids, error, entry):
        with gw.acting(who) as (s, a), pytest.raises(error) as exc:
            ledger.confirm(s, a, ids)
        assert exc.value.field == "entry_ids" and exc.value.details["entry_id"] == str(entry)

    refused("risk", [e1], PermissionDenied, e1)  # the manager stage is the project's managers'
    refused("fin", [e1], PermissionDenied, e1)
    with gw.acting("mgr") as (s, a):
        done = ledger.confirm(s, a, [e1, e2, e1])
        assert [(e.id, e.stage, e.manager_by) for e in done] == [(e1, "risk", a.id_uuid), (e2, "risk", a.id_uuid)]
    refused("mgr", [e1], PermissionDenied, e1)  # the risk stage needs confirm_risk
    # All or none: e3 is confirmable by mgr2, e1 is not; nothing changes and e1 is named.
    refused("mgr2", [e3, e1], PermissionDenied, e1)
    assert {e.id: e.stage for e in entries(gw, pid)}[e3] == "manager"
    with gw.acting("risk") as (s, a):
        assert ledger.confirm(s, a, [e1])[0].stage == "finance"
    refused("risk", [e1], PermissionDenied, e1)  # the finance stage needs confirm_finance
    with gw.acting("fin") as (s, a):
        row = ledger.confirm(s, a, [e1])[0]
        assert (row.stage, row.finance_by, row.risk_by) == ("confirmed", a.id_uuid, gw.actors["risk"].id_uuid)
    refused("fin", [e1], Conflict, e1)

    # The same person never confirms two stages of an entry: risk as manager B, then admin (who holds both staff
    # permissions) for risk, and not again for finance.
    set_managers(gw, pid, "mgr", "risk")
    with gw.acting("risk") as (s, a):
        ledger.confirm(s, a, [e4])
    refused("risk", [e4], PermissionDenied, e4)
    with gw.acting("admin") as (s, a):
        ledger.confirm(s, a, [e4])
    refused("admin", [e4], PermissionDenied, e4)
    with gw.acting("fin") as (s, a):
        assert ledger.confirm(s, a, [e4])[0].stage == "confirmed"

    with gw.acting("mgr") as (s, a):
        with pytest.raises(NotFound) as exc:
            ledger.confirm(s, a, [e3, uuid.uuid4()])
        assert exc.value.field == "entry_ids"
        with pytest.raises(ValidationFailed):
            ledger.confirm(s, a, [])
    with gw.session() as s:
        audited = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.ledger_entry.confirmed")
                            .order_by(AuditRecord.seq)).all()
    assert len(audited) == 2 + 1 + 1 + 3
    assert (audited[0].entity_id, audited[0].before, audited[0].after["stage"],
            audited[0].after["confirmed_stage"]) == (str(e1), {"stage": "manager"}, "risk", "manager")


def test_confirming_outside_the_data_scope_is_not_found_whatever_the_stage(gw):
    pid, _ = effective(gw)  # owned by fin (HQ); mgr is its manager A, which puts it in mgr's scope
    set_managers(gw, pid, "mgr")
    e1, e2, e3, _ = [e.id for e in entries(gw, pid)]
    mine, _ = effective(gw)
    set_managers(gw, mine, "mgr2")
    m1 = entries(gw, mine)[0].id
    with gw.acting("mgr") as (s, a):
        ledger.confirm(s, a, [e1])  # e1 at the risk stage, e2 at the manager stage
    # mgr2 (a manager of branch A with the own scope) and head (department head of branch A) do not see the
    # project: NOT_FOUND, never the stage, whatever the entry's stage and wherever it is in the batch.
    for who, batch, named in (("mgr2", [e1], e1), ("mgr2", [e2], e2), ("mgr2", [m1, e2], e2),
                              ("head", [e1], e1), ("head", [e2, e1], e2), ("mgr", [e1, uuid.uuid4()], None)):
        with gw.acting(who) as (s, a), pytest.raises(NotFound) as exc:
            ledger.confirm(s, a, batch)
        assert exc.value.field == "entry_ids" and "stage" not in exc.value.details
        if named is not None:
            assert exc.value.details["entry_id"] == str(named)
    assert [e.stage for e in entries(gw, pid)].count("risk") == 1  # nothing changed
    with gw.session() as s:  # no permission refusal was audited either
        assert s.scalars(select(AuditRecord).where(AuditRecord.action == DENIED_ACTION)).all() == []
    with gw.acting("mgr2") as (s, a):  # manager A of the other project: in scope as its manager
        assert ledger.confirm(s, a, [m1])[0].stage == "risk"
    # The out-of-scope entry is named even after one the caller sees but may not confirm at its stage.
    with gw.acting("mgr2") as (s, a), pytest.raises(NotFound) as exc:
        ledger.confirm(s, a, [m1, e3])
    assert exc.value.details["entry_id"] == str(e3)


def test_awaiting_lists_what_each_person_may_confirm(gw):
    pid, _ = effective(gw)
    set_managers(gw, pid, "mgr")
    e1, e2, e3, e4 = [e.id for e in entries(gw, pid)]
    other, _ = effective(gw)  # led by fin
    with gw.acting("mgr") as (s, a):
        assert [e.id for e in ledger.awaiting(s, a)] == [e1, e2, e3, e4]
        ledger.confirm(s, a, [e1, e2])
    with gw.acting("risk") as (s, a):
        assert [e.id for e in ledger.awaiting(s, a)] == [e1, e2]
        ledger.confirm(s, a, [e1])
    with gw.acting("fin") as (s, a):
        mine = ledger.awaiting(s, a)
        assert [e.id for e in mine if e.project_id == pid] == [e1]
        assert len([e for e in mine if e.project_id == other]) == 4  # manager A of its own project
    with gw.acting("mgr") as (s, a):
        assert [e.id for e in ledger.awaiting(s, a)] == [e3, e4]
    with gw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        ledger.awaiting(s, a)


# ---------------------------------------------------------------- company ledger -----------------------------------


def company(gw):
    """P1: HQ, bank 工商银行, effective START, with the full story. P2: branch A, bank 建设银行, effective 10 days
    later, released in full. P3: contracted (not in the ledger)."""
    p1, b1 = full_story(gw)[0], None
    with gw.session() as s:
        b1 = s.scalar(select(GuaranteeProject.bank_id).where(GuaranteeProject.id == p1))
    p2, b2 = effective(gw, start=START + dt.timedelta(days=10), end=TODAY - dt.timedelta(days=1), review="0",
                       bank_name="建设银行", customer="person")
    with gw.acting("fin") as (s, a):
        rel.release(s, a, p2, kind="full", released_on=TODAY)
        make_project(s, a, gw.customers["corp"], status="contracted")
    with gw.session() as s:
        s.execute(update(GuaranteeProject).where(GuaranteeProject.id == p2).values(org_unit_id=gw.units["A"]))
    return p1, b1, p2, b2


def test_company_ledger_rows_filters_scope_and_totals(gw):
    p1, b1, p2, b2 = company(gw)
    F = ledger.CompanyLedgerFilter

    def rows(who, f=None):
        with gw.acting(who) as (s, a):
            projects = list(s.scalars(ledger.company_statement(s, a, f).order_by(GuaranteeProject.id)))
            return {r.project_id: r for r in ledger.company_rows(s, a, projects)}

    got = rows("boss")
    assert set(got) == {p1, p2}
    r1, r2 = got[p1], got[p2]
    assert r1.figures == ledger.LedgerFigures(**EXPECTED)
    assert (r1.customer_name, r1.bank_id, r1.status, r1.risk_class, r1.effective_date, r1.unconfirmed) == (
        "华夏建材有限公司", b1, "effective", "substandard", START, 11)
    assert (r2.customer_name, r2.bank_name, r2.status, r2.figures.released, r2.figures.margin_held,
            r2.figures.guarantee_fee, r2.figures.review_fee) == (
        "张三", "建设银行", "released", D("2800000.00"), D("0.00"), D("45000.00"), D("0.00"))

    assert set(rows("boss", F(status="released"))) == {p2}
    assert set(rows("boss", F(bank_id=b1))) == {p1}
    assert set(rows("boss", F(effective_from=START + dt.timedelta(days=1)))) == {p2}
    assert set(rows("boss", F(effective_to=START))) == {p1}
    assert set(rows("boss", F(org_unit_id=gw.units["A"]))) == {p2}
    assert set(rows("boss", F(org_unit_id=gw.units["HQ"]))) == {p1, p2}  # the unit and those below it
    assert set(rows("head")) == {p2}  # branch A's head: the data scope
    assert set(rows("head", F(org_unit_id=gw.units["HQ"]))) == {p2}
    assert set(rows("mgr")) == set()  # leads neither
    with pytest.raises(ValidationFailed):
        rows("boss", F(status="nope"))
    with pytest.raises(ValidationFailed):
        rows("boss", F(effective_from=TODAY, effective_to=START))
    with pytest.raises(PermissionDenied):
        rows("viewer")

    with gw.acting("boss") as (s, a):
        t = ledger.company_totals(s, a)
        one = ledger.company_totals(s, a, F(org_unit_id=gw.units["A"]))
    assert (t.projects, t.unconfirmed) == (2, 11 + 5)
    assert t.figures == ledger.LedgerFigures(
        review_fee=D("18000.00"), guarantee_fee=D("85000.00"), margin_held=D("300000.00"),
        loan_amount=D("5600000.00"), in_force_balance=D("500000.00"), repaid=D("800000.00"),
        released=D("3300000.00"), compensated=D("1000000.00"), compensated_principal=D("1000000.00"),
        recovered=D("300000.00"), written_off=D("700000.00"))
    assert (one.projects, one.figures.released) == (1, D("2800000.00"))


# ---------------------------------------------------------------- export -------------------------------------------


def test_export_workbook(gw):
    p1, b1, p2, b2 = company(gw)
    calls = []
    out = io.BytesIO()
    with gw.acting("boss") as (s, a):
        n = export_company_ledger(s, a, out, progress=lambda done, total: calls.append((done, total)), chunk=1)
    assert n == 2 and calls[-1] == (2, 2) and (1, 2) in calls
    ws = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == HEADER_ZH and rows[1] == HEADER_EN and ws.freeze_panes == "B3"
    assert rows[0][:2] == ("项目编号", "客户名称") and rows[1][:2] == ("Project no", "Customer")
    with gw.session() as s:
        no1 = s.scalar(select(GuaranteeProject.project_no).where(GuaranteeProject.id == p1))
    first = rows[2]  # ordered by effective date: P1 first
    # The compensation paid on it raised its class to 次级 (warnings.classification).
    assert first[:5] == (no1, "华夏建材有限公司", "测试银行", "effective", "次级")
    assert first[5].date() == START
    assert [D(str(v)).quantize(D("0.01")) for v in first[6:20]] == [EXPECTED.get(k, D("0.00")) for k in (
        "review_fee", "guarantee_fee", "margin_held", "loan_amount", "in_force_balance", "repaid", "released",
        "compensated", "compensated_principal", "compensated_interest", "compensated_penalty",
        "compensation_bank_share", "recovered", "written_off")]
    assert rows[0][14:18] == ("代偿本金", "代偿利息", "代偿罚息", "银行分担代偿")
    assert first[20] == 11
    assert ws.cell(row=3, column=7).number_format == "#,##0.00"
    assert ws.cell(row=3, column=7).data_type == "n"
    total = rows[4]
    assert total[0] == TOTAL_LABEL and total[1].startswith("2 ")
    assert D(str(total[6 + 1])) == D("85000") and D(str(total[6 + 6])) == D("3300000") and total[20] == 16
    assert len(rows) == 5
    with gw.session() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "guarantee.ledger.exported")).one()
    assert record.after["count"] == 2

    out = io.BytesIO()
    with gw.acting("boss") as (s, a):
        assert export_company_ledger(s, a, out, ledger.CompanyLedgerFilter(status="released")) == 1
    with gw.acting("risk") as (s, a), pytest.raises(PermissionDenied):  # no guarantee:ledger:export
        export_company_ledger(s, a, io.BytesIO())


def test_export_text_is_never_a_formula(gw):
    pid, _ = effective(gw, bank_name="=HYPERLINK(\"http://x\")")
    out = io.BytesIO()
    with gw.acting("fin") as (s, a):
        assert export_company_ledger(s, a, out) == 1
    cell = load_workbook(io.BytesIO(out.getvalue())).worksheets[0].cell(row=3, column=3)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"


def test_export_command(gw, tmp_path):
    company(gw)
    app = typer.Typer()
    app.add_typer(ledger_app, name="ledger")
    out = tmp_path / "ledger.xlsx"
    runner = CliRunner()
    r = runner.invoke(app, ["ledger", "export", "--tenant", gw.tenant.slug, "--as-user", "boss", "-o", str(out),
                            "--org-unit", "A"])
    assert r.exit_code == 0, r.output
    assert "exported 1 projects" in r.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[2][3] == "released"
    r = runner.invoke(app, ["ledger", "export", "--tenant", gw.tenant.slug, "--as-user", "risk", "-o", str(out)])
    assert r.exit_code != 0
    # The plugin mounts it on the platform's command line: `surety guarantee ledger export ...`.
    from surety.core.cli.main import app as surety_app  # noqa: PLC0415 - builds the plugin registry when imported

    r = runner.invoke(surety_app, ["guarantee", "ledger", "export", "--tenant", gw.tenant.slug, "--as-user", "boss",
                                   "-o", str(tmp_path / "via-surety.xlsx")])
    assert r.exit_code == 0, r.output
    assert load_workbook(tmp_path / "via-surety.xlsx").worksheets[0].max_row == 5


# ---------------------------------------------------------------- GraphQL ------------------------------------------

PROJECT = """query($p: ID!) { guaranteeProjectLedger(projectId: $p) {
  projectNo entries { id kind detail amount stage } figures { reviewFee guaranteeFee inForceBalance writtenOff }
  confirmedFigures { loanAmount } } }"""
COMPANY = """query($f: GuaranteeCompanyLedgerFilterInput, $after: String) {
  guaranteeCompanyLedger(first: 1, after: $after, filter: $f) { totalCount
    edges { node { projectId projectNo customerName bankName status riskClass unconfirmed
                   figures { loanAmount released } } }
    pageInfo { hasNextPage endCursor } }
  guaranteeCompanyLedgerTotals(filter: $f) { projects unconfirmed figures { loanAmount released } } }"""
AWAITING = """{ guaranteeLedgerAwaiting(first: 10) { totalCount edges { node { id kind stage } } } }"""
CONFIRM = """mutation($ids: [ID!]!) { guaranteeLedgerConfirm(input: {entryIds: $ids}) {
  entries { id stage } failedEntryId errors { code field } } }"""


def test_graphql(gw, api):
    p1, b1, p2, b2 = company(gw)
    set_managers(gw, p2, "mgr")
    boss, mgr, risk = (api.login(gw.tenant.slug, u) for u in ("boss", "mgr", "risk"))

    def run(query, token, **variables):
        body = api(query, variables, token=token)
        assert "errors" not in body, body
        return body["data"]

    got = run(PROJECT, boss, p=relay.to_base64("GuaranteeProject", p1))["guaranteeProjectLedger"]
    assert got["figures"] == {"reviewFee": "18000.00", "guaranteeFee": "40000.00", "inForceBalance": "500000.00",
                              "writtenOff": "700000.00"}
    assert got["confirmedFigures"] == {"loanAmount": "0.00"} and len(got["entries"]) == 11

    page = run(COMPANY, boss)
    c = page["guaranteeCompanyLedger"]
    assert c["totalCount"] == 2 and c["pageInfo"]["hasNextPage"]
    newest = c["edges"][0]["node"]  # newest project first
    assert (newest["projectId"], newest["customerName"], newest["bankName"], newest["status"],
            newest["figures"]) == (relay.to_base64("GuaranteeProject", p2), "张三", "建设银行", "released",
                                   {"loanAmount": "2800000.00", "released": "2800000.00"})
    nxt = run(COMPANY, boss, after=c["pageInfo"]["endCursor"])["guaranteeCompanyLedger"]
    assert nxt["edges"][0]["node"]["projectId"] == relay.to_base64("GuaranteeProject", p1)
    assert not nxt["pageInfo"]["hasNextPage"]
    assert page["guaranteeCompanyLedgerTotals"] == {"projects": 2, "unconfirmed": 16,
                                                    "figures": {"loanAmount": "5600000.00",
                                                                "released": "3300000.00"}}
    only_a = run(COMPANY, boss, f={"orgUnitId": relay.to_base64("OrgUnit", gw.units["A"]),
                                   "bankId": relay.to_base64("GuaranteeBank", b2)})
    assert only_a["guaranteeCompanyLedgerTotals"]["projects"] == 1

    waiting = run(AWAITING, mgr)["guaranteeLedgerAwaiting"]
    assert waiting["totalCount"] == 5 and {e["node"]["stage"] for e in waiting["edges"]} == {"manager"}
    ids = [e["node"]["id"] for e in waiting["edges"]]
    refused = run(CONFIRM, risk, ids=ids[:2])["guaranteeLedgerConfirm"]
    assert refused["entries"] == [] and refused["failedEntryId"] == ids[0]
    assert refused["errors"] == [{"code": "FORBIDDEN", "field": "entryIds"}]
    ok = run(CONFIRM, mgr, ids=ids[:2])["guaranteeLedgerConfirm"]
    assert ok["errors"] == [] and [e["stage"] for e in ok["entries"]] == ["risk", "risk"]
    assert run(AWAITING, risk)["guaranteeLedgerAwaiting"]["totalCount"] == 2
    with gw.session() as s:
        assert s.scalar(select(func.count()).select_from(GuaranteeLedgerEntry)
                        .where(GuaranteeLedgerEntry.stage == "risk")) == 2


def test_export_command_refuses_an_inactive_user(gw, tmp_path):
    from surety.core.cli.main import app as surety_app  # noqa: PLC0415 - builds the plugin registry when imported

    with gw.session() as s:
        s.scalars(select(User).where(User.username == "boss")).one().status = "disabled"
    r = CliRunner().invoke(surety_app, ["guarantee", "ledger", "export", "--tenant", gw.tenant.slug, "--as-user",
                                        "boss", "-o", str(tmp_path / "x.xlsx")])
    assert r.exit_code != 0 and "not active" in r.output and not (tmp_path / "x.xlsx").exists()


def test_export_command_refuses_a_tenant_without_the_plugin(make_tenant, tmp_path):
    app = typer.Typer()
    app.add_typer(ledger_app, name="ledger")
    tenant = make_tenant(plugins=["customers"])
    out = tmp_path / "x.xlsx"
    r = CliRunner().invoke(app, ["ledger", "export", "--tenant", tenant.slug, "-o", str(out)])
    said = " ".join(r.output.split())
    assert r.exit_code == 1 and not out.exists()
    assert f"the guarantee plugin is not enabled for {tenant.slug}" in said
    assert f"surety tenant enable-plugin {tenant.slug} guarantee" in said  # how to enable it
    r = CliRunner().invoke(app, ["ledger", "export", "--tenant", "no-such-tenant", "-o", str(out)])
    assert r.exit_code == 1 and "error:" in r.output and not out.exists()
