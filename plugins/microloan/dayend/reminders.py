"""Due-date reminders (还款提醒): each open installment of a loan on the books falling due within the tenant's
``remind_days_before`` days after the business date gets one reminder, once (``microloan_reminders`` keeps which),
to the loan's customer manager through core notifications (the inbox and every channel the tenant has, SMS or WeCom
included). The text names the loan number, the due date and the amount due only: no personal data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from surety.core.db.types import to_money
from surety.core.i18n import N_
from surety.core.notifications.service import notify
from surety.plugins.microloan.conventions import ON_BOOK_STATUSES
from surety.plugins.microloan.dayend.models import MicroloanReminder
from surety.plugins.microloan.loan.models import MicroloanInstallment, MicroloanLoan
from surety.plugins.microloan.settings import get_settings

#: Notification kind of a due-date reminder (channels may take or leave it by kind).
REMINDER_KIND = "microloan_due_reminder"
TITLE = N_("Loan {loan_no}: installment due on {due_date}")
BODY = N_("Loan {loan_no} has {amount} yuan due on {due_date}.")


def send_reminders(session: Session, day: dt.date) -> int:
    """Remind of the installments due after ``day`` and at most ``remind_days_before`` days later that have no
    reminder yet; the number of installments reminded."""
    until = day + dt.timedelta(days=get_settings(session).remind_days_before)
    due = session.execute(
        select(MicroloanInstallment, MicroloanLoan.loan_no, MicroloanLoan.manager_id)
        .join(MicroloanLoan, and_(MicroloanLoan.id == MicroloanInstallment.loan_id,
                                  MicroloanLoan.schedule_revision == MicroloanInstallment.revision))
        .outerjoin(MicroloanReminder, MicroloanReminder.installment_id == MicroloanInstallment.id)
        .where(MicroloanLoan.status.in_(sorted(ON_BOOK_STATUSES)), MicroloanInstallment.settled_on.is_(None),
               MicroloanInstallment.due_date > day, MicroloanInstallment.due_date <= until,
               MicroloanReminder.id.is_(None))
        .order_by(MicroloanInstallment.due_date, MicroloanLoan.loan_no)).all()
    for inst, loan_no, manager_id in due:
        amount = to_money(inst.principal + inst.interest + inst.fee
                          - inst.paid_principal - inst.paid_interest - inst.paid_fee)
        params = {"loan_no": loan_no, "due_date": inst.due_date.isoformat(), "amount": f"{amount:,.2f}"}
        if manager_id is not None:
            notify(session, [manager_id], REMINDER_KIND, TITLE, BODY, entity_type="microloan_installment",
                   entity_id=inst.id, params=params)
        session.add(MicroloanReminder(installment_id=inst.id, loan_id=inst.loan_id, due_date=inst.due_date,
                                      sent_on=day))
    session.flush()
    return len(due)
