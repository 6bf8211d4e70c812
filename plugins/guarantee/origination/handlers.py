"""Automatic workflow steps this plugin offers (``surety_workflow_handlers``), by name ``guarantee.<name>``."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.errors import NotFound
from surety.plugins.guarantee.finance.banks import reserve
from surety.plugins.guarantee.project.models import GuaranteeProject

CREDIT_LINE_CHECK = "guarantee.credit_line_check"
OK = "ok"


def _project(session: Session, subject_id: str) -> GuaranteeProject:
    try:
        project_id = uuid.UUID(str(subject_id))
    except ValueError:
        project_id = None
    project = session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == project_id)) \
        if project_id else None
    if project is None:
        raise NotFound("The workflow's subject is not a guarantee project of this company.", field="subject_id")
    return project


def credit_line_check(session: Session, call) -> str:
    """Reserve a financing project's amount on its bank's credit line (:func:`banks.reserve`) and answer ``ok``.
    A project over the line's available amount raises ``GUARANTEE_CREDIT_LINE_EXCEEDED`` with the figures, so the
    action that reached this step is refused and nothing changes. Non-financing projects and projects without a
    bank pass."""
    reserve(session, _project(session, call.subject_id))
    return OK


def handlers() -> dict:
    return {CREDIT_LINE_CHECK: credit_line_check}
