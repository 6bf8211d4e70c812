"""Posted vouchers as the exporters' plain values (export/model.py): the thin mapping from this plugin's rows to
:class:`ExportVoucher` / :class:`ExportLine` (docs/finance/README.md, "Export").

Dimensions are exported by id (the code column holds the customer's, project's or bank's id; this plugin reads no
other plugin's names); the department by its text. A red-ink line (a 红字冲销 reversal, negative amount) is exported
on the other side with the positive amount, because the import formats take amounts of zero or more: the balance
is the same, the turnover columns differ from the ledger's."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.identity.models import User
from surety.plugins.finance.accounts.services import chart
from surety.plugins.finance.export.model import ZERO, ExportLine, ExportVoucher
from surety.plugins.finance.permissions import VOUCHER
from surety.plugins.finance.vouchers.models import POSTED, FinanceVoucher, FinanceVoucherLine
from surety.plugins.finance.vouchers.services import VOUCHER_ORDER, check_period, lines_of

#: The maker name of a voucher the system wrote from a business event.
SYSTEM_MAKER = "系统"


def _line(x: FinanceVoucherLine, account_name: str) -> ExportLine:
    debit, credit = x.debit, x.credit
    if debit < 0 or credit < 0:  # red ink: the other side, positive
        debit, credit = -credit if credit else ZERO, -debit if debit else ZERO
    dims = {}
    for dim, value in (("customer", x.customer_id), ("project", x.project_id), ("bank", x.bank_id)):
        if value is not None:
            dims[f"{dim}_code"] = str(value)
    if x.department:
        dims["department_code"] = dims["department_name"] = x.department
    return ExportLine(summary=x.summary, account_code=x.account_code, account_name=account_name, debit=debit,
                      credit=credit, **dims)


def to_export(session: Session, rows: Sequence[FinanceVoucher]) -> list[ExportVoucher]:
    """``rows`` (with their lines, one query) as export values."""
    lines = lines_of(session, [v.id for v in rows])
    names = chart(session)
    makers = {v.maker_id for v in rows if v.maker_id}
    people = {row.id: row.display_name
              for row in session.execute(select(User.id, User.display_name).where(User.id.in_(makers)))}
    return [ExportVoucher(voucher_date=v.voucher_date, period=v.period, word=v.word, number=v.seq, summary=v.summary,
                          maker=people.get(v.maker_id) or SYSTEM_MAKER,
                          lines=tuple(_line(x, names[x.account_code].name if x.account_code in names else "")
                                      for x in lines[v.id]))
            for v in rows]


def vouchers_for_export(session: Session, actor: Actor, period: str) -> list[ExportVoucher]:
    """The posted vouchers of ``period`` by word and number, as export values (needs finance:voucher:read)."""
    require(session, actor, VOUCHER, "read")
    rows = session.scalars(select(FinanceVoucher).where(FinanceVoucher.period == check_period(period),
                                                        FinanceVoucher.status == POSTED).order_by(*VOUCHER_ORDER))
    return to_export(session, list(rows))
