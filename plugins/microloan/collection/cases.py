"""Staged collection (分阶段催收): cases opened, moved and closed by the day-end (:func:`sync_cases`), actions
recorded by people (:func:`record_action`), money received counted on the open case and on pending promises
(:func:`on_event`), and the results the dashboard shows (:func:`results`, pure). docs/microloan/collection.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.i18n import N_
from surety.core.notifications.service import notify
from surety.core.workflow.assignees import NoAssignee, resolve
from surety.plugins.microloan.collection.models import (
    CASE_CLOSED,
    CASE_OPEN,
    CLOSED_CURED,
    CLOSED_SETTLED,
    ZERO,
    MicroloanCollectionAction,
    MicroloanCollectionCase,
)
from surety.plugins.microloan.collection.permissions import COLLECTION, COLLECTOR
from surety.plugins.microloan.collection.words import CASE_OPENED
from surety.plugins.microloan.conventions import ON_BOOK_STATUSES
from surety.plugins.microloan.loan.models import MicroloanLoan
from surety.plugins.microloan.loan.scope import lock_of_loan, of_scoped_loans
from surety.plugins.microloan.settings import get_settings

log = structlog.get_logger(__name__)

ENTITY = "microloan:collection_case"
#: Action kind -> zh-CN label.
ACTION_KINDS = {
    "call": "电话催收",
    "sms": "短信催收",
    "visit": "上门催收",
    "letter": "催收函",
    "legal": "法律诉讼",
    "promise": "承诺还款",
}
PROMISE = "promise"
#: Who works a case at each stage, by the stage's place in settings.collection_stages (lowest threshold first): the
#: loan's manager, then the collectors, then legal; stages beyond the third go to legal too. Workflow assignee rules
#: (core/workflow/assignees.py), read against the loan's ``manager_id`` and ``org_unit_id`` (its department).
STAGE_ASSIGNEES = ({"field": "manager_id"}, {"role": COLLECTOR, "org_unit": "subject"}, {"role": "legal"})
#: Notification kind of a case's new stage (the inbox and the channels see it).
NOTIFICATION_KIND = "microloan_collection_stage"
STAGE_TITLE = N_("Collection {stage}: loan {loan_no}")
STAGE_BODY = N_("Loan {loan_no} is {days} days past due: its collection case is at stage {stage} and assigned to "
                "you.")
#: Events that bring money in on a loan (counted on its open case and pending promises), with their sign.
MONEY_IN = {"MicroloanRepaid": 1, "MicroloanRepaymentReversed": -1, "MicroloanRecovered": 1}


# ---------------------------------------------------------------- stages ------------------------------------------


def stages(settings_stages: Mapping[str, int]) -> list[tuple[str, int]]:
    """The stages as (name, first day past due), lowest first."""
    return sorted(((name, int(day)) for name, day in settings_stages.items()), key=lambda s: (s[1], s[0]))


def stage_for(days_past_due: int, ordered: list[tuple[str, int]]) -> str | None:
    """The stage a loan ``days_past_due`` days overdue is in: the last whose first day it has reached; None below
    the first (not in collection)."""
    found = None
    for name, first_day in ordered:
        if days_past_due >= max(first_day, 1):
            found = name
    return found


def _least_loaded(session: Session, candidates: list[uuid.UUID], load: dict[uuid.UUID, int]) -> uuid.UUID:
    missing = [c for c in candidates if c not in load]
    if missing:
        counted = dict(session.execute(
            select(MicroloanCollectionCase.assignee_id, func.count())
            .where(MicroloanCollectionCase.status == CASE_OPEN, MicroloanCollectionCase.assignee_id.in_(missing))
            .group_by(MicroloanCollectionCase.assignee_id)).all())
        load.update({c: counted.get(c, 0) for c in missing})
    return min(candidates, key=lambda c: (load[c], str(c)))


class _Run:
    """One day-end run: the stages, the assignees resolved so far and the counts."""

    def __init__(self, session: Session, business_date: dt.date):
        self.session, self.day = session, business_date
        self.stages = stages(get_settings(session).collection_stages)
        self.load: dict[uuid.UUID, int] = {}
        self.counts = {"opened": 0, "moved": 0, "closed": 0, "broken": 0}

    def assign(self, case: MicroloanCollectionCase, loan: MicroloanLoan) -> None:
        """Give the case to its stage's assignee (the least loaded holder) and tell them."""
        place = [name for name, _ in self.stages].index(case.stage)
        spec = STAGE_ASSIGNEES[min(place, len(STAGE_ASSIGNEES) - 1)]
        subject = {"manager_id": loan.manager_id, "org_unit_id": loan.department_id}
        try:
            candidates = resolve(self.session, spec, subject, case.stage)
        except NoAssignee:
            candidates = []
        case.assignee_id = _least_loaded(self.session, candidates, self.load) if candidates else None
        if case.assignee_id is None:
            log.warning("microloan.collection.unassigned", case_id=str(case.id), stage=case.stage)
            return
        self.load[case.assignee_id] = self.load.get(case.assignee_id, 0) + 1
        notify(self.session, [case.assignee_id], NOTIFICATION_KIND, STAGE_TITLE, STAGE_BODY, entity_type=ENTITY,
               entity_id=case.id, params={"stage": case.stage, "loan_no": case.loan_no, "days": case.days_past_due})


def _image(case: MicroloanCollectionCase) -> dict[str, Any]:
    return {"loan_id": str(case.loan_id), "stage": case.stage, "status": case.status,
            "assignee_id": str(case.assignee_id) if case.assignee_id else None, "days_past_due": case.days_past_due,
            "opened_on": case.opened_on.isoformat(), "closed_on": case.closed_on and case.closed_on.isoformat(),
            "close_reason": case.close_reason}


def _close(run: _Run, case: MicroloanCollectionCase, reason: str) -> None:
    before = _image(case)
    case.status, case.closed_on, case.close_reason = CASE_CLOSED, run.day, reason
    run.counts["closed"] += 1
    run.session.flush()
    audit(run.session, "microloan.collection.closed", entity_type=ENTITY, entity_id=case.id, before=before,
          after=_image(case))


def sync_cases(session: Session, business_date: dt.date) -> dict[str, int]:
    """The day-end job (after the accrual job has set days past due): for every loan on the books overdue into the
    first stage, open a case if it has none; move each open case to the stage its loan's days past due put it in
    (a new stage: the case goes to that stage's assignee, who is notified); close the case of a loan that is
    settled or no longer overdue (cured); a written-off loan's case stays as it is. Promises to pay whose date is
    before ``business_date`` and that are not paid in full are marked broken. Idempotent for a date: a second run
    changes nothing. Returns the counts (opened, moved, closed, broken)."""
    run = _Run(session, business_date)
    first = min((max(d, 1) for _, d in run.stages), default=1)
    open_cases = session.execute(
        select(MicroloanCollectionCase, MicroloanLoan)
        .join(MicroloanLoan, MicroloanLoan.id == MicroloanCollectionCase.loan_id)
        .where(MicroloanCollectionCase.status == CASE_OPEN)
        .order_by(MicroloanCollectionCase.opened_on, MicroloanCollectionCase.id)).all()
    with_case = set()
    for case, loan in open_cases:
        with_case.add(loan.id)
        if loan.status == "settled":
            _close(run, case, CLOSED_SETTLED)
            continue
        if loan.status not in ON_BOOK_STATUSES:
            continue
        stage = stage_for(loan.days_past_due, run.stages)
        if stage is None:
            _close(run, case, CLOSED_CURED)
            continue
        case.days_past_due = loan.days_past_due
        if stage != case.stage:
            before = _image(case)
            case.stage, case.stage_since = stage, business_date
            run.assign(case, loan)
            run.counts["moved"] += 1
            session.flush()
            audit(session, "microloan.collection.stage_moved", entity_type=ENTITY, entity_id=case.id,
                  before=before, after=_image(case))
    overdue = session.scalars(
        select(MicroloanLoan).where(MicroloanLoan.status.in_(ON_BOOK_STATUSES), MicroloanLoan.days_past_due >= first)
        .order_by(MicroloanLoan.overdue_since, MicroloanLoan.id))
    for loan in overdue:
        if loan.id in with_case:
            continue
        stage = stage_for(loan.days_past_due, run.stages)
        case = MicroloanCollectionCase(loan_id=loan.id, loan_no=loan.loan_no, stage=stage, status=CASE_OPEN,
                                       days_past_due=loan.days_past_due, opened_on=business_date,
                                       stage_since=business_date)
        session.add(case)
        session.flush()
        run.assign(case, loan)
        run.counts["opened"] += 1
        session.flush()
        audit(session, "microloan.collection.opened", entity_type=ENTITY, entity_id=case.id, before=None,
              after=_image(case))
    run.counts["broken"] = mark_broken_promises(session, business_date)
    session.flush()
    log.info("microloan.collection.synced", business_date=business_date.isoformat(), **run.counts)
    return run.counts


def mark_broken_promises(session: Session, business_date: dt.date) -> int:
    """Mark broken every promise to pay still undecided whose promised date is before ``business_date`` (what was
    paid toward it by then fell short); the number marked."""
    rows = session.scalars(select(MicroloanCollectionAction).where(
        MicroloanCollectionAction.kind == PROMISE, MicroloanCollectionAction.kept.is_(None),
        MicroloanCollectionAction.promised_date < business_date))
    count = 0
    for action in rows:
        action.kept = False
        count += 1
    return count


# ---------------------------------------------------------------- money received ----------------------------------


def on_event(session: Session, event) -> None:
    """``surety_handle_event``: money received on a loan (a repayment, a reversal of one: negative, a recovery after
    write-off) is counted on its open case (received on or after the case opened) and on its undecided promises to
    pay (received from the promise's day to its date): a promise paid in full is kept at once."""
    sign = MONEY_IN.get(event.event_type)
    if sign is None:
        return
    day = getattr(event, "received_on", None) or getattr(event, "recovered_on", None)
    amount = Decimal(event.amount) * sign
    case = session.scalar(select(MicroloanCollectionCase).where(
        MicroloanCollectionCase.loan_id == event.loan_id, MicroloanCollectionCase.status == CASE_OPEN))
    if case is not None and day >= case.opened_on:
        case.recovered = case.recovered + amount
    for promise in session.scalars(select(MicroloanCollectionAction).where(
            MicroloanCollectionAction.loan_id == event.loan_id, MicroloanCollectionAction.kind == PROMISE,
            MicroloanCollectionAction.kept.is_(None), MicroloanCollectionAction.happened_on <= day,
            MicroloanCollectionAction.promised_date >= day)):
        promise.paid_toward = promise.paid_toward + amount
        if promise.paid_toward >= promise.promised_amount:
            promise.kept = True
    session.flush()


# ---------------------------------------------------------------- actions -----------------------------------------


def record_action(session: Session, actor: Actor, case_id: uuid.UUID, data: Mapping[str, Any]
                  ) -> MicroloanCollectionAction:
    """Record an action on an open case (microloan:collection:act): ``kind`` (ACTION_KINDS), ``happened_on`` (a
    business date, not in the future, not before the case opened; default today), ``note`` (free text, at most 2000
    characters, stored encrypted); a promise also needs ``promised_amount`` (yuan, > 0) and ``promised_date`` (not
    before the action). Audited without the note."""
    require(session, actor, COLLECTION, "act")
    kind = data.get("kind")
    if kind not in ACTION_KINDS:
        raise ValidationFailed("A collection action is one of {kinds}.", field="kind", kinds=", ".join(ACTION_KINDS))
    case = lock_of_loan(session, actor, MicroloanCollectionCase, case_id, "status",
                        N_("No collection case with that id."), "case_id")
    if case.status != CASE_OPEN:
        raise Conflict("This collection case is closed.", field="case_id")
    day = inputs.day(data.get("happened_on"), "happened_on", not_before=case.opened_on, since=CASE_OPENED)
    note = inputs.text(data.get("note") or "", "note", 2000) or None
    amount = promised_on = None
    if kind == PROMISE:
        amount = inputs.money(data.get("promised_amount"), "promised_amount", positive=True)
        promised_on = data.get("promised_date")
        if not isinstance(promised_on, dt.date) or isinstance(promised_on, dt.datetime):
            raise ValidationFailed("A promise to pay needs the date promised.", field="promised_date")
        if promised_on < day:
            raise ValidationFailed("The promised date {promised_date} is before the action ({happened_on}).",
                                   field="promised_date", promised_date=promised_on.isoformat(),
                                   happened_on=day.isoformat())
    elif data.get("promised_amount") is not None or data.get("promised_date") is not None:
        raise ValidationFailed("Only a promise to pay carries a promised amount and date.", field="promised_amount")
    action = MicroloanCollectionAction(case_id=case.id, loan_id=case.loan_id, kind=kind, happened_on=day, note=note,
                                       promised_amount=amount, promised_date=promised_on, created_by=actor.id_uuid)
    session.add(action)
    session.flush()
    audit(session, "microloan.collection.action_recorded", entity_type=ENTITY, entity_id=case.id, before=None,
          after={"action_id": str(action.id), "kind": kind, "happened_on": day.isoformat(),
                 "promised_amount": None if amount is None else str(amount),
                 "promised_date": promised_on and promised_on.isoformat(), "has_note": note is not None},
          actor=actor)
    return action


# ---------------------------------------------------------------- reading -----------------------------------------


def in_scope(session: Session, actor: Actor, stmt):
    """``stmt`` (over ``microloan_collection_cases``) restricted to the cases of loans in the actor's data scope."""
    return of_scoped_loans(session, actor, stmt, MicroloanCollectionCase.loan_id)


def cases_query(session: Session, actor: Actor, *, stage: str | None = None, status: str | None = None,
                assignee_id: uuid.UUID | None = None):
    """A SELECT of cases (microloan:collection:read) of loans in the actor's data scope, filtered by stage, status
    and assignee (paginate it)."""
    require(session, actor, COLLECTION, "read")
    stmt = in_scope(session, actor, select(MicroloanCollectionCase))
    if stage is not None:
        stmt = stmt.where(MicroloanCollectionCase.stage == stage)
    if status is not None:
        if status not in (CASE_OPEN, CASE_CLOSED):
            raise ValidationFailed("A case status is open or closed.", field="status")
        stmt = stmt.where(MicroloanCollectionCase.status == status)
    if assignee_id is not None:
        stmt = stmt.where(MicroloanCollectionCase.assignee_id == assignee_id)
    return stmt


def actions_of(session: Session, actor: Actor, case_id: uuid.UUID) -> list[MicroloanCollectionAction]:
    """A case's actions, oldest first (microloan:collection:read); NotFound for an unknown case or one of a loan out
    of the actor's data scope."""
    require(session, actor, COLLECTION, "read")
    case = in_scope(session, actor, select(MicroloanCollectionCase.id).where(MicroloanCollectionCase.id == case_id))
    if session.scalar(case) is None:
        raise NotFound("No collection case with that id.", field="case_id")
    return list(session.scalars(select(MicroloanCollectionAction)
                                .where(MicroloanCollectionAction.case_id == case_id)
                                .order_by(MicroloanCollectionAction.happened_on, MicroloanCollectionAction.created_at,
                                          MicroloanCollectionAction.id)))


@dataclasses.dataclass(frozen=True)
class Results:
    """Collection results for the dashboard: open cases by stage, promises kept / broken / pending, and the money
    received on loans since their cases opened (yuan)."""

    open_by_stage: dict[str, int]
    promises_kept: int
    promises_broken: int
    promises_pending: int
    recovered: Decimal


def results(cases: Iterable[tuple[str, str, Decimal]], promises: Iterable[bool | None]) -> Results:
    """Pure: ``cases`` as (stage, status, recovered) rows, ``promises`` as their ``kept`` values."""
    by_stage: dict[str, int] = {}
    recovered = ZERO
    for stage, status, amount in cases:
        if status == CASE_OPEN:
            by_stage[stage] = by_stage.get(stage, 0) + 1
        recovered += amount
    kept = broken = pending = 0
    for value in promises:
        if value is True:
            kept += 1
        elif value is False:
            broken += 1
        else:
            pending += 1
    return Results(open_by_stage=by_stage, promises_kept=kept, promises_broken=broken, promises_pending=pending,
                   recovered=recovered)


def collection_results(session: Session, actor: Actor) -> Results:
    """:func:`results` over the cases and promises of the loans in the actor's data scope
    (microloan:collection:read): two statements."""
    require(session, actor, COLLECTION, "read")
    cases = session.execute(in_scope(session, actor, select(MicroloanCollectionCase.stage,
                                                            MicroloanCollectionCase.status,
                                                            MicroloanCollectionCase.recovered))).all()
    promises = session.scalars(of_scoped_loans(session, actor, select(MicroloanCollectionAction.kept)
                                               .where(MicroloanCollectionAction.kind == PROMISE),
                                               MicroloanCollectionAction.loan_id)).all()
    return results(((s, st, r) for s, st, r in cases), promises)
