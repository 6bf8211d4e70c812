"""What an export writes: posted vouchers as plain, frozen values (no database, no session).

The finance services map their vouchers onto :class:`ExportVoucher` / :class:`ExportLine`; every exporter of this
package (``yonyou``, ``kingdee``) takes a sequence of them and every parser gives them back, equal field by field
(docs/finance/exports.md). Amounts are yuan with two decimals; a line has exactly one non-zero side."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from surety.core.errors import ValidationFailed

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

#: The auxiliary dimensions a line may carry, each as (code field, name field), in the order exporters write them.
AUXILIARIES = (
    ("customer_code", "customer_name"),
    ("supplier_code", "supplier_name"),
    ("department_code", "department_name"),
    ("person_code", "person_name"),
    ("project_code", "project_name"),
    ("bank_code", "bank_name"),
)


@dataclass(frozen=True)
class ExportLine:
    """One entry (分录) of a voucher: an account, one non-zero side, and its auxiliary dimensions (辅助核算), each as
    code and name ("" when the account has none)."""

    summary: str
    account_code: str
    account_name: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    customer_code: str = ""
    customer_name: str = ""
    supplier_code: str = ""
    supplier_name: str = ""
    department_code: str = ""
    department_name: str = ""
    person_code: str = ""
    person_name: str = ""
    project_code: str = ""
    project_name: str = ""
    bank_code: str = ""
    bank_name: str = ""

    @property
    def amount(self) -> Decimal:
        """The line's non-zero side."""
        return self.debit if self.debit else self.credit

    def auxiliaries(self) -> dict[str, tuple[str, str]]:
        """The dimensions this line carries, by name (``customer``, ``project``, ...) as (code, name)."""
        out = {}
        for code_field, name_field in AUXILIARIES:
            code, name = getattr(self, code_field), getattr(self, name_field)
            if code or name:
                out[code_field.removesuffix("_code")] = (code, name)
        return out


@dataclass(frozen=True)
class ExportVoucher:
    """A posted voucher (凭证): date, accounting period ``YYYY-MM``, voucher word (凭证字, 记/收/付/转) and number
    within the period and word, summary (摘要), maker (制单人), its lines, and the number of attached documents
    (附单据数)."""

    voucher_date: dt.date
    period: str
    word: str
    number: int
    summary: str
    maker: str
    lines: tuple[ExportLine, ...] = field(default_factory=tuple)
    attachments: int = 0

    @property
    def debit_total(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit_total(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def period_of(day: dt.date) -> str:
    """The accounting period ``YYYY-MM`` a date falls in (the importers derive a voucher's period from its date)."""
    return f"{day.year:04d}-{day.month:02d}"


def check_voucher(voucher: ExportVoucher) -> None:
    """Refuse a voucher no accounting package would import: a bad period or a date outside it, no number or word,
    no lines, a line with both or neither side non-zero, a negative or sub-fen amount, debits unequal to credits."""
    label = f"{voucher.word}-{voucher.number:04d}" if isinstance(voucher.number, int) else str(voucher.number)
    if not PERIOD.match(voucher.period or ""):
        raise ValidationFailed("Voucher {voucher}: the period {period} is not of the form YYYY-MM.", field="period",
                               voucher=label, period=voucher.period)
    if voucher.period != period_of(voucher.voucher_date):
        raise ValidationFailed("Voucher {voucher}: its date {date} is not in its period {period}.", field="period",
                               voucher=label, date=voucher.voucher_date.isoformat(), period=voucher.period)
    if not voucher.word:
        raise ValidationFailed("Voucher {voucher} has no voucher word.", field="word", voucher=label)
    if not isinstance(voucher.number, int) or voucher.number < 1:
        raise ValidationFailed("Voucher {voucher}: the number must be a whole number of at least 1.", field="number",
                               voucher=label)
    if voucher.attachments < 0:
        raise ValidationFailed("Voucher {voucher}: the number of attachments cannot be negative.",
                               field="attachments", voucher=label)
    if not voucher.lines:
        raise ValidationFailed("Voucher {voucher} has no lines.", field="lines", voucher=label)
    for index, line in enumerate(voucher.lines, start=1):
        if not line.account_code:
            raise ValidationFailed("Voucher {voucher}, line {line}: no account.", field="account_code",
                                   voucher=label, line=index)
        for side in (line.debit, line.credit):
            if not isinstance(side, Decimal) or side < 0 or side != side.quantize(FEN):
                raise ValidationFailed("Voucher {voucher}, line {line}: amounts must be zero or more yuan with at "
                                       "most two decimal places.", field="lines", voucher=label, line=index)
        if (line.debit != 0) == (line.credit != 0):
            raise ValidationFailed("Voucher {voucher}, line {line}: exactly one of debit and credit must be "
                                   "non-zero.", field="lines", voucher=label, line=index)
    if voucher.debit_total != voucher.credit_total:
        raise ValidationFailed("Voucher {voucher} does not balance: debits {debit} yuan, credits {credit} yuan.",
                               field="lines", voucher=label, debit=voucher.debit_total, credit=voucher.credit_total)


def check_vouchers(vouchers: Iterable[ExportVoucher]) -> list[ExportVoucher]:
    """Every voucher checked (:func:`check_voucher`), as a list."""
    out = list(vouchers)
    for voucher in out:
        check_voucher(voucher)
    return out
