"""The microloan day-end run of one tenant and one business date (docs/microloan/dayend.md, "The run").

1. The run row (``microloan_day_end_runs``) is written ``running`` in its own transaction. A date already ``done``
   is a no-op returning its stored summary. A date before the last done one is refused; a gap after it is caught
   up day by day, in order (``run_through``).
2. Loans on the books disbursed on or before the date and not yet accrued to it (``accrued_to < D``) are processed
   by id in chunks, each chunk in one transaction: its accrual rows inserted (executemany), the loans' balances,
   days past due, class and provision and the installments' penalty updated (executemany by key), and
   ``accrued_to = D`` set. A killed run restarts with the loans it has not reached.
3. The final transaction reads the day's totals back from ``microloan_accruals`` (so a resumed run gives the same
   totals and ledger hash as a clean one), sends the reminders, raises one ``MicroloanInterestAccrued`` and, when
   the total moved, one ``MicroloanProvisionAdjusted``, and marks the run ``done``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator

from sqlalchemy import Date, Numeric, and_, bindparam, func, insert, or_, select, text, type_coerce, update
from sqlalchemy.orm import Session

from surety.core.db.base import uuid7
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.plugins.microloan.conventions import ON_BOOK_STATUSES, WRITTEN_OFF
from surety.plugins.microloan.dayend.accrual import ONE_DAY, ZERO, Row, Terms, loan_day
from surety.plugins.microloan.dayend.classification import loan_class, provision_for
from surety.plugins.microloan.dayend.models import ACCRUAL_KINDS, RUN_DONE, MicroloanAccrual, MicroloanDayEndRun
from surety.plugins.microloan.dayend.reminders import send_reminders
from surety.plugins.microloan.events import MicroloanInterestAccrued, MicroloanProvisionAdjusted
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan
from surety.plugins.microloan.product.models import MicroloanProductVersion
from surety.plugins.microloan.settings import get_settings

#: Loans per chunk transaction.
CHUNK_SIZE = 5000
OpenSession = Callable[[], contextlib.AbstractContextManager[Session]]

_L = MicroloanLoan.__table__
_I = MicroloanInstallment.__table__
_A = MicroloanAccrual.__table__


class Interrupted(Exception):
    """Raised by a run told to stop after ``stop_after_chunks`` chunks (tests and the benchmark: a killed run)."""


def sessions_like(session: Session) -> OpenSession:
    """New sessions on ``session``'s engine bound to its tenant, each in its own transaction: the chunks of a run
    commit on their own while the batch's session stays unused (core's batch gives a job one session)."""
    engine, info = session.get_bind(), dict(session.info)

    @contextlib.contextmanager
    def open_session() -> Iterator[Session]:
        with Session(engine, info=info, expire_on_commit=False) as s, s.begin():
            yield s

    return open_session


def day_end_job(session: Session, business_date: dt.date) -> dict:
    """The ScheduledJob: the run (and any days missed before it) for ``business_date``; the summary shown."""
    return run_through(sessions_like(session), business_date)


def run_through(open_session: OpenSession, business_date: dt.date, *, chunk_size: int = CHUNK_SIZE) -> dict:
    """Catch up every day after the last done one, in order, then ``business_date``; the last day's summary."""
    with open_session() as s:
        last = s.scalar(select(func.max(MicroloanDayEndRun.business_date)).where(
            MicroloanDayEndRun.status == RUN_DONE))
    day = business_date if last is None or last >= business_date else last + ONE_DAY
    while True:
        summary = run_day(open_session, day, chunk_size=chunk_size)
        if day >= business_date:
            return summary
        day += ONE_DAY


def run_day(open_session: OpenSession, business_date: dt.date, *, chunk_size: int = CHUNK_SIZE,
            stop_after_chunks: int | None = None) -> dict:
    """The run of one business date (module docstring). Refused when a later date is done or the day before has
    a run that is not done, unless there is no run at all yet (the first run starts anywhere)."""
    with open_session() as s:
        run = s.scalar(select(MicroloanDayEndRun).where(MicroloanDayEndRun.business_date == business_date))
        if run is not None and run.status == RUN_DONE:
            return summary_of(run)
        later = s.scalar(select(func.max(MicroloanDayEndRun.business_date)).where(
            MicroloanDayEndRun.business_date > business_date))
        if later is not None:
            raise ValidationFailed(N_("The microloan day-end of {business_date} cannot run: {later} has already "
                                      "run."), field="date", business_date=business_date.isoformat(),
                                   later=later.isoformat())
        last = s.scalar(select(func.max(MicroloanDayEndRun.business_date)).where(
            MicroloanDayEndRun.status == RUN_DONE))
        if last is not None and last != business_date - ONE_DAY:
            raise ValidationFailed(N_("The microloan day-end of {business_date} cannot run before the missing days "
                                      "from {first_missing}."), field="date",
                                   business_date=business_date.isoformat(),
                                   first_missing=(last + ONE_DAY).isoformat())
        if run is None:
            s.add(MicroloanDayEndRun(business_date=business_date))
    chunks, after = 0, None
    while True:
        if stop_after_chunks is not None and chunks >= stop_after_chunks:
            raise Interrupted(f"stopped after {chunks} chunks")
        with open_session() as s:
            after = _chunk(s, business_date, after, chunk_size)
        chunks += 1
        if after is None:
            break
    with open_session() as s:
        return _finish(s, business_date)


def _money(session: Session, column, places: int = 2):
    """``column`` read as it is stored on PostgreSQL (NUMERIC yuan: Decimal without the Money type's per-value
    conversion, the hot path of a 100,000-loan run); through Money elsewhere (integer fen on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(column, Numeric(18, places, asdecimal=True)).label(column.name)
    return column


def _array(values) -> str:
    """A PostgreSQL array literal of uuids, numbers or dates (None: NULL), bound as one text parameter and cast in
    the statement: faster to pass than a list adapted element by element."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


def _terms(session: Session) -> dict[tuple, Terms]:
    return {(v.product_id, v.version): Terms(v.annual_rate, v.penalty_uplift, v.day_count, v.rounding, v.grace_days)
            for v in session.scalars(select(MicroloanProductVersion))}


def _chunk(session: Session, day: dt.date, after, size: int):
    """Process up to ``size`` loans with ids above ``after``; the last id processed (None: no loan left)."""
    tenant = session_tenant(session)
    settings = get_settings(session)
    class_days, rates = dict(settings.class_days), dict(settings.provision_rates)
    terms = _terms(session)
    cond = [_L.c.tenant_id == tenant, _L.c.status.in_(sorted(ON_BOOK_STATUSES)), _L.c.disbursed_on <= day,
            or_(_L.c.accrued_to.is_(None), _L.c.accrued_to < day)]
    if after is not None:
        cond.append(_L.c.id > after)
    loans = session.execute(
        select(_L.c.id, _L.c.product_id, _L.c.product_version, _L.c.disbursed_on, _L.c.schedule_revision,
               *(_money(session, c) for c in (_L.c.principal_balance, _L.c.accrued_interest, _L.c.penalty_balance)),
               _L.c.risk_class_override)
        .where(*cond).order_by(_L.c.id).limit(size)).all()
    if not loans:
        return None
    lo, hi = loans[0].id, loans[-1].id
    rows = _rows(session, tenant, day, lo, hi)
    carries = _carries(session, tenant, day - ONE_DAY, lo, hi)
    accruals, loan_updates, inst_updates = [], [], []
    for loan in loans:
        result = loan_day(rows.get(loan.id, []), terms[(loan.product_id, loan.product_version)],
                          disbursed_on=loan.disbursed_on, revision=loan.schedule_revision, day=day,
                          carries=carries.get(loan.id))
        for kind in ACCRUAL_KINDS:
            amount, carry = result.amounts[kind], result.carries[kind]
            if amount or carry:
                accruals.append({"tenant_id": tenant, "id": uuid7(), "loan_id": loan.id, "business_date": day,
                                 "kind": kind, "amount": amount, "carry": carry})
        risk_class = loan_class(result.days_past_due, loan.risk_class_override, class_days)
        by_id = {r.id: r for r in rows.get(loan.id, [])}
        for inst_id, add in result.penalty_by_installment.items():
            if add:
                inst_updates.append({"b_tenant": tenant, "b_id": inst_id, "penalty": by_id[inst_id].penalty + add})
        loan_updates.append({
            "b_tenant": tenant, "b_id": loan.id,
            "accrued_interest": loan.accrued_interest + result.amounts["interest"],
            "penalty_balance": loan.penalty_balance + result.amounts["penalty"] + result.amounts["compound"],
            "days_past_due": result.days_past_due, "overdue_since": result.overdue_since,
            "risk_class": risk_class, "provision": provision_for(loan.principal_balance, risk_class, rates),
            "accrued_to": day, "updated_at": utcnow()})
    if session.get_bind().dialect.name == "postgresql":
        _write_arrays(session, tenant, day, accruals, inst_updates, loan_updates)
    else:
        _write_many(session, accruals, inst_updates, loan_updates)
    return hi if len(loans) == size else None


def _write_many(session: Session, accruals: list, inst_updates: list, loan_updates: list) -> None:
    """The chunk's writes as executemany statements (any database)."""
    if accruals:
        session.execute(insert(_A), accruals)
    if inst_updates:
        session.execute(update(_I).where(_I.c.tenant_id == bindparam("b_tenant"), _I.c.id == bindparam("b_id"))
                        .values(penalty=bindparam("penalty")), inst_updates)
    session.execute(update(_L).where(_L.c.tenant_id == bindparam("b_tenant"), _L.c.id == bindparam("b_id"))
                    .values({k: bindparam(k) for k in loan_updates[0] if not k.startswith("b_")}), loan_updates)


_INSERT_ACCRUALS = text("""
INSERT INTO microloan_accruals (tenant_id, id, loan_id, business_date, kind, amount, carry)
SELECT :tenant, v.id, v.loan_id, :day, v.kind, v.amount, v.carry
FROM unnest(CAST(:ids AS uuid[]), CAST(:loan_ids AS uuid[]), CAST(:kinds AS text[]), CAST(:amounts AS numeric[]),
            CAST(:carries AS numeric[])) AS v(id, loan_id, kind, amount, carry)
""")
_UPDATE_INSTALLMENTS = text("""
UPDATE microloan_installments AS i SET penalty = v.penalty
FROM unnest(CAST(:ids AS uuid[]), CAST(:penalties AS numeric[])) AS v(id, penalty)
WHERE i.tenant_id = :tenant AND i.id = v.id
""")
_UPDATE_LOANS = text("""
UPDATE microloan_loans AS l
SET accrued_interest = v.accrued_interest, penalty_balance = v.penalty_balance, days_past_due = v.days_past_due,
    overdue_since = v.overdue_since, risk_class = v.risk_class, provision = v.provision, accrued_to = :day,
    updated_at = :now
FROM unnest(CAST(:ids AS uuid[]), CAST(:accrued AS numeric[]), CAST(:penalty AS numeric[]), CAST(:dpd AS integer[]),
            CAST(:since AS date[]), CAST(:classes AS text[]), CAST(:provisions AS numeric[]))
     AS v(id, accrued_interest, penalty_balance, days_past_due, overdue_since, risk_class, provision)
WHERE l.tenant_id = :tenant AND l.id = v.id
""")


def _write_arrays(session: Session, tenant, day: dt.date, accruals: list, inst_updates: list,
                  loan_updates: list) -> None:
    """The chunk's writes on PostgreSQL: one statement each, the rows passed as arrays (``unnest``): the amounts are
    NUMERIC yuan there, as Money stores them."""
    if accruals:
        session.execute(_INSERT_ACCRUALS, {
            "tenant": tenant, "day": day, "ids": _array(a["id"] for a in accruals),
            "loan_ids": _array(a["loan_id"] for a in accruals), "kinds": [a["kind"] for a in accruals],
            "amounts": _array(a["amount"] for a in accruals), "carries": _array(a["carry"] for a in accruals)})
    if inst_updates:
        session.execute(_UPDATE_INSTALLMENTS, {"tenant": tenant, "ids": _array(u["b_id"] for u in inst_updates),
                                               "penalties": _array(u["penalty"] for u in inst_updates)})
    session.execute(_UPDATE_LOANS, {
        "tenant": tenant, "day": day, "now": utcnow(), "ids": _array(u["b_id"] for u in loan_updates),
        "accrued": _array(u["accrued_interest"] for u in loan_updates),
        "penalty": _array(u["penalty_balance"] for u in loan_updates),
        "dpd": _array(u["days_past_due"] for u in loan_updates),
        "since": _array(u["overdue_since"] for u in loan_updates),
        "classes": [u["risk_class"] for u in loan_updates],
        "provisions": _array(u["provision"] for u in loan_updates)})


def _rows(session: Session, tenant, day: dt.date, lo, hi) -> dict:
    """Installments in force of the loans with ids in ``[lo, hi]``: the open ones due before ``day`` and the one
    whose period holds ``day``, each with the due date before it."""
    prev = func.lag(_I.c.due_date, type_=Date()).over(partition_by=_I.c.loan_id, order_by=_I.c.period).label("prev_due")
    money = (_money(session, c) for c in (_I.c.principal, _I.c.interest, _I.c.paid_principal, _I.c.paid_interest,
                                          _I.c.penalty))
    inner = (select(_I.c.id, _I.c.loan_id, _I.c.period, _I.c.due_date, *money, _I.c.settled_on, prev)
             .join(_L, and_(_L.c.tenant_id == _I.c.tenant_id, _L.c.id == _I.c.loan_id,
                            _L.c.schedule_revision == _I.c.revision))
             .where(_I.c.tenant_id == tenant, _I.c.loan_id >= lo, _I.c.loan_id <= hi)).subquery()
    found = session.execute(select(inner).where(or_(
        and_(inner.c.due_date < day, inner.c.settled_on.is_(None)),
        and_(inner.c.due_date >= day, or_(inner.c.prev_due.is_(None), inner.c.prev_due < day))))).all()
    out: dict = defaultdict(list)
    for r in found:
        out[r.loan_id].append(Row(r.id, r.period, r.due_date, r.principal, r.interest, r.paid_principal,
                                  r.paid_interest, r.penalty, r.settled_on, r.prev_due))
    return out


def _carries(session: Session, tenant, day: dt.date, lo, hi) -> dict:
    found = session.execute(select(_A.c.loan_id, _A.c.kind, _A.c.carry).where(
        _A.c.tenant_id == tenant, _A.c.business_date == day, _A.c.loan_id >= lo, _A.c.loan_id <= hi)).all()
    out: dict = defaultdict(dict)
    for loan_id, kind, carry in found:
        out[loan_id][kind] = carry
    return out


def ledger_hash(session: Session, day: dt.date) -> str:
    """sha256 (hex) over the accrual rows of ``day`` as lines ``loan_no|kind|amount|carry`` sorted by loan number and
    kind: loan numbers, not row ids, so the same book gives the same hash in any copy of the database."""
    tenant = session_tenant(session)
    found = session.execute(
        select(_L.c.loan_no, _A.c.kind, _money(session, _A.c.amount), _money(session, _A.c.carry, places=8))
        .join(_L, and_(_L.c.tenant_id == _A.c.tenant_id, _L.c.id == _A.c.loan_id))
        .where(_A.c.tenant_id == tenant, _A.c.business_date == day)).all()
    digest = hashlib.sha256()
    for loan_no, kind, amount, carry in sorted(found, key=lambda r: (r[0], r[1])):
        digest.update(f"{loan_no}|{kind}|{amount:.2f}|{carry:.8f}\n".encode())
    return digest.hexdigest()


def _finish(session: Session, day: dt.date) -> dict:
    tenant = session_tenant(session)
    run = session.scalar(select(MicroloanDayEndRun).where(MicroloanDayEndRun.business_date == day))
    totals = {kind: ZERO for kind in ACCRUAL_KINDS}
    for kind, amount in session.execute(select(_A.c.kind, func.sum(_A.c.amount)).where(
            _A.c.tenant_id == tenant, _A.c.business_date == day).group_by(_A.c.kind)):
        totals[kind] = amount or ZERO
    on_book = [_L.c.tenant_id == tenant, _L.c.status.in_(sorted(ON_BOOK_STATUSES))]
    provision = session.scalar(select(func.sum(_L.c.provision)).where(*on_book)) or ZERO
    loans = session.scalar(select(func.count()).select_from(_L).where(*on_book, _L.c.accrued_to == day)) or 0
    last = session.execute(select(MicroloanDayEndRun.provision_total, MicroloanDayEndRun.business_date).where(
        MicroloanDayEndRun.status == RUN_DONE, MicroloanDayEndRun.business_date < day)
        .order_by(MicroloanDayEndRun.business_date.desc()).limit(1)).first()
    previous = (last[0] or ZERO) if last else ZERO
    if last:
        # A write-off since the last run used the provision for the principal it took off the books (its voucher
        # debits the loss provision by that principal): the provision carried into today is smaller by it, so the
        # day's adjustment tops the provision up from there rather than reporting the loan's provision as released.
        previous -= session.scalar(select(func.sum(_L.c.written_off_principal)).where(
            _L.c.tenant_id == tenant, _L.c.status == WRITTEN_OFF, _L.c.written_off_on > last[1],
            _L.c.written_off_on <= day)) or ZERO
    run.reminders = send_reminders(session, day)
    run.interest, run.penalty, run.compound = totals["interest"], totals["penalty"], totals["compound"]
    run.provision_total, run.provision_delta = provision, provision - previous
    run.loans_processed, run.ledger_hash = loans, ledger_hash(session, day)
    run.status, run.finished_at = RUN_DONE, utcnow()
    raise_event(session, MicroloanInterestAccrued(business_date=day, interest=run.interest, penalty=run.penalty,
                                                  compound=run.compound))
    if run.provision_delta:
        raise_event(session, MicroloanProvisionAdjusted(business_date=day, delta=run.provision_delta,
                                                        total=provision))
    session.flush()
    return summary_of(run)


def summary_of(run: MicroloanDayEndRun) -> dict:
    """What the batch line shows of a run."""
    return {"date": run.business_date.isoformat(), "loans": run.loans_processed, "interest": str(run.interest),
            "penalty": str(run.penalty), "compound": str(run.compound), "provision": str(run.provision_total),
            "provision_delta": str(run.provision_delta), "reminders": run.reminders, "hash": run.ledger_hash}
