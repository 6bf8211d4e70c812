"""The review documents of a project: the review report (评审报告) and the approval form (审批表), filled from the
tenant's templates like the contracts (templates/fill.py types ``review_report`` and ``approval_form``, defaults in
templates/defaults.py, replaced by uploading a new version) with the project's figures: customer, amount in yuan and
万元, term, product, counter-guarantees, credit rating and risk, the due-diligence conclusion, the review opinions
and committee votes, the approval conditions with their outcome, and the proposed fee. Each generation is stored as
an attachment of the project (entity ``guarantee:project``) and audited; nothing else changes
(docs/guarantee/documents.md, "Review report and approval form")."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.attachments import service as attachments
from surety.core.attachments.models import Attachment
from surety.core.audit.log import audit
from surety.core.context import Actor
from surety.core.errors import Conflict, ValidationFailed
from surety.core.identity.models import User
from surety.core.inputs import beijing_date
from surety.core.workflow.definition import COMMITTEE
from surety.core.workflow.engine import KIND_VOTE, business_today, definition_of
from surety.core.workflow.models import TASK_DONE, WorkflowInstance, WorkflowStepRun, WorkflowTask
from surety.plugins.guarantee.documents import contracts
from surety.plugins.guarantee.documents.minutes import RESULT_NAMES, VOTE_NAMES, condition_values
from surety.plugins.guarantee.project import conditions as cond
from surety.plugins.guarantee.project.models import (
    CATEGORY_FINANCING,
    PROJECT_STATUS_LABELS,
    RISK_CLASSES,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import get_project as project_in_scope
from surety.plugins.guarantee.risk.models import GuaranteeDueDiligenceReport
from surety.plugins.guarantee.risk.rating import latest_rating
from surety.plugins.guarantee.templates import fill, wording

ENTITY = contracts.PROJECT_ENTITY
CUSTOMER_KIND_NAMES = {"corporate": "企业", "individual": "个人"}
CATEGORY_NAMES = {CATEGORY_FINANCING: "融资担保", "non_financing": "非融资担保"}
LOAN_CATEGORY_NAMES = {"small_micro": "小微企业", "farmer": "农户", "housing": "住房", "other": "其他"}
#: The due-diligence report's sections, in order (risk/due_diligence.py TEXTS; the conclusion is printed apart).
DD_SECTIONS = {"business_overview": "经营情况", "financial_analysis": "财务分析", "repayment_source": "还款来源",
               "counter_guarantee_analysis": "反担保分析", "risks": "风险提示"}
DD_STATUS_NAMES = {"draft": "草稿（未提交）", "submitted": "已提交"}
#: A reviewer's decision in words; anything else a step records reads 已处理 (never the raw code).
DECISION_NAMES = {**{k: v for k, v in VOTE_NAMES.items() if k}, "convene": "召集上会", "return": "退回",
                  "withdraw": "撤回", "submit": "提交"}


def _date(moment: dt.datetime | dt.date | None) -> str:
    return wording.cn_date(beijing_date(moment)) if moment is not None else ""


def _names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u.display_name or u.username for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def _opinions(session: Session, project: GuaranteeProject) -> tuple[list[dict], list[dict], str]:
    """The review opinions (done tasks of the approval other than committee votes, in order), the votes of the
    latest committee resolution, and that resolution in words."""
    if project.workflow_instance_id is None:
        return [], [], ""
    instance = session.scalar(select(WorkflowInstance).where(WorkflowInstance.id == project.workflow_instance_id))
    tasks = list(session.scalars(select(WorkflowTask).where(
        WorkflowTask.instance_id == project.workflow_instance_id, WorkflowTask.status == TASK_DONE)
        .order_by(WorkflowTask.completed_at, WorkflowTask.id)))
    run = session.scalar(select(WorkflowStepRun).where(
        WorkflowStepRun.instance_id == project.workflow_instance_id, WorkflowStepRun.kind == COMMITTEE,
        WorkflowStepRun.resolution.is_not(None)).order_by(WorkflowStepRun.started_at.desc(),
                                                          WorkflowStepRun.id.desc()).limit(1))
    names = _names(session, [t.completed_by or t.assignee_id for t in tasks])
    steps = definition_of(session, instance).steps if instance is not None else {}
    opinions, votes = [], []
    for task in tasks:
        who = names.get(task.completed_by or task.assignee_id, "")
        if task.kind == KIND_VOTE:
            if run is not None and task.step_run_id == run.id:
                votes.append({"member": who, "vote": VOTE_NAMES.get(task.decision, "已表决"),
                              "comment": task.comment or ""})
            continue
        step = steps.get(task.step_key)
        opinions.append({"step": step.name if step else "审批", "reviewer": who,
                         "decision": DECISION_NAMES.get(task.decision, "已处理"), "comment": task.comment or "",
                         "date": _date(task.completed_at)})
    resolution = ""
    if run is not None and run.resolution:
        r = run.resolution
        result = r.get("result")
        counts = (f"（同意{r.get('approvals', 0)}票，不同意{r.get('rejections', 0)}票，回避{r.get('recusals', 0)}票）"
                  if "approvals" in r else "")
        head = (RESULT_NAMES.get(result, "已表决") if result else "") + counts
        resolution = wording.join([head, "主任委员行使否决权" if r.get("vetoed") else ""], "；")
    return opinions, votes, resolution


def _fee_text(project: GuaranteeProject) -> str:
    parts = []
    if project.proposed_fee_rate is not None:
        parts.append(f"年费率{wording.percent(project.proposed_fee_rate)}")
    if project.proposed_fee is not None:
        parts.append(f"计人民币{wording.figures(project.proposed_fee)}元")
    return wording.join(parts) or "未拟定"


def report_context(session: Session, project: GuaranteeProject, today: dt.date) -> dict[str, Any]:
    """Every placeholder of the review report and approval form (templates.fill.COMMON and REPORT)."""
    counters = contracts.project_counters(session, project.id)
    shared = contracts.project_context(session, project, counters, today)
    rating = latest_rating(session, project.id)
    dd = session.scalar(select(GuaranteeDueDiligenceReport).where(
        GuaranteeDueDiligenceReport.project_id == project.id).order_by(
        GuaranteeDueDiligenceReport.version.desc()).limit(1))
    opinions, votes, resolution = _opinions(session, project)
    items, summary = condition_values(cond.conditions_by_project(session, [project.id])[project.id])
    total = sum((c.valuation for c in counters), start=Decimal(0))
    cover = sum((c.valuation * c.discount_rate for c in counters), start=Decimal(0))
    return {
        **shared, "contract_no": project.project_no or "",
        "customer_kind_name": CUSTOMER_KIND_NAMES.get(project.customer_kind, "其他"),
        "product_kind_name": CATEGORY_NAMES[CATEGORY_FINANCING if shared["financing"] else "non_financing"],
        "loan_category_name": LOAN_CATEGORY_NAMES.get(project.loan_category, "其他"),
        "submitted_date": _date(project.submitted_at), "decided_date": _date(project.decided_at),
        "risk_grade": rating.grade if rating else "", "risk_score": f"{rating.total:.2f}" if rating else "",
        "risk_degree": wording.percent(project.risk_degree) if project.risk_degree is not None else "未计算",
        "risk_amount": wording.figures(project.risk_amount) if project.risk_amount is not None else "0.00",
        "risk_class_name": RISK_CLASSES.get(project.risk_class, "正常"),
        "counter_total": wording.figures(total), "counter_cover": wording.figures(cover),
        "due_diligence_status": DD_STATUS_NAMES.get(dd.status, "草稿（未提交）") if dd else "无",
        "due_diligence": [{"title": title, "text": getattr(dd, key)} for key, title in DD_SECTIONS.items()
                          if dd is not None and getattr(dd, key)],
        "due_diligence_conclusion": (dd.conclusion if dd is not None else "") or "无",
        "review_opinions": opinions, "votes": votes, "resolution": resolution,
        "approval_conditions": items, "conditions_summary": summary,
        "proposed_fee": wording.figures(project.proposed_fee) if project.proposed_fee is not None else "",
        "proposed_fee_rate": (wording.percent(project.proposed_fee_rate)
                              if project.proposed_fee_rate is not None else ""),
        "proposed_fee_text": _fee_text(project),
        "result_name": PROJECT_STATUS_LABELS.get(project.status, "审批中"),
    }


def generate_report(session: Session, actor: Actor, project_id: uuid.UUID, kind: str, *,
                    today: dt.date | None = None) -> tuple[Attachment, bytes]:
    """Fill the tenant's current ``kind`` template (``review_report`` or ``approval_form``) for a submitted project
    the actor may read (guarantee:project:read and the data scope; NotFound outside) and store the .docx as an
    attachment of the project (core:attachment:upload). Returns the attachment and the bytes; audited
    ``guarantee.report.generated``."""
    if kind not in fill.REPORT_TYPES:
        raise ValidationFailed("A review document is one of {kinds}; not {kind}.", field="kind",
                                         kinds=", ".join(fill.REPORT_TYPES), kind=repr(kind))
    project = project_in_scope(session, actor, project_id)
    if not project.project_no:
        raise Conflict("A review document is made for a submitted project; this one is a draft.",
                                 field="project_id")
    template = contracts.current_template(session, kind)
    context = report_context(session, project, today or business_today())
    data = fill.render(template.content, context, template.filename)
    stored = attachments.upload(session, actor, ENTITY, str(project.id),
                                f"{project.project_no} {fill.CONTRACT_TYPE_NAMES[kind]}.docx", data)
    audit(session, "guarantee.report.generated", entity_type=ENTITY, entity_id=project.id, actor=actor,
          after={"kind": kind, "attachment_id": str(stored.id), "template_version": template.version})
    return stored, data
