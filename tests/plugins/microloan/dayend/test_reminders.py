"""Due-date reminders (dayend/reminders.py): one per installment falling due within ``remind_days_before`` days,
never twice, in Chinese with the loan number, date and amount only, to the loan's customer manager."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surety.core.notifications.models import Notification
from surety.plugins.microloan.dayend.batch import run_through
from surety.plugins.microloan.dayend.models import MicroloanReminder
from surety.plugins.microloan.dayend.reminders import REMINDER_KIND, send_reminders
from surety.plugins.microloan.testing import make_loan, make_product

D = dt.date


def test_one_reminder_per_installment_in_chinese_without_personal_data(mw):
    manager = mw.actors["mgr"].id_uuid
    with mw.session() as s:
        product = make_product(s)
        loan = make_loan(s, product, disbursed_on=D(2026, 1, 15), manager_id=manager)
        loan.loan_no = "XD-2026-000042"
        make_loan(s, product, disbursed_on=D(2026, 1, 25), manager_id=manager)  # due 25 Feb: not yet
        make_loan(s, product, disbursed_on=D(2026, 1, 14))  # due 14 Feb, no manager: recorded, nobody notified
    for day in (D(2026, 2, 11), D(2026, 2, 12), D(2026, 2, 13)):  # 15 Feb falls due in 3 days from 12 Feb
        run_through(mw.session, day)
    with mw.session() as s:
        notes = list(s.scalars(select(Notification).where(Notification.kind == REMINDER_KIND)))
        assert [(n.user_id, n.title, n.body) for n in notes] == [
            (manager, "贷款 XD-2026-000042：2026-02-15 到期还款提醒",
             "贷款 XD-2026-000042 应于 2026-02-15 还款 8,884.88 元。")]
        sent = list(s.scalars(select(MicroloanReminder).order_by(MicroloanReminder.due_date)))
        assert [(r.due_date, r.sent_on) for r in sent] == [(D(2026, 2, 14), D(2026, 2, 11)),
                                                           (D(2026, 2, 15), D(2026, 2, 12))]
        assert send_reminders(s, D(2026, 2, 13)) == 0  # dedupe: already reminded
