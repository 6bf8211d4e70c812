"""Re-guarantee fee bills (再担保费账单): the fee of the confirmed filings billed per period and partner, marked paid,
read and exported to .xlsx (docs/reguarantee/fees.md, with worked numbers).

Conventions, stated once:

- Period: ``2026Q3`` (a quarter) or ``2026M07`` (a month), as the tenant's setting ``fee_bill_period`` says; its
  first and last business dates inclusive. Only a period that has ended (its last day before the business date) is
  billed, and a period overlapping the days of a bill of another period is refused (no day billed twice when the
  setting changes).
- Days in force: a filing is in force from its start date (counted) to its end date (not counted), or to its release
  date (not counted: a filing released on ``r`` was last in force on ``r - 1``), so that its days in force over its
  whole life are its term's days ``end - start``, the days its fee was computed on (agreement/rules.py ``fee_for``,
  ACT/365). Within a period: from ``max(start, period start)`` to ``min(end - 1, release - 1, period end)``,
  inclusive.
- Amount: ``share_reguarantor x fee_rate x days / 365`` half-up to the fen, rounded cumulatively: a line is the fee
  of the days in force up to the period's end less the fee of the days before the period's start, each half-up to the
  fen. A line thus differs from its own rounding by at most 0.01, and the lines of every period of a filing sum to
  exactly the fee of its days in force: to its ``fee_amount`` when it ran to its end date.
- Which filings: confirmed, or confirmed and since released or compensated, with at least one day in force in the
  period. One line per filing and period (unique): billing a period again adds only filings not billed yet for it
  (e.g. a filing confirmed late), to the partner's issued bill of the period; a partner whose bill of the period is
  paid gets no new line for it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id, lock_row
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.words import Words
from surety.core.workflow.engine import business_today
from surety.core.xlsx import Sheet
from surety.plugins.reguarantee.agreement.rules import DAYS_A_YEAR, fen
from surety.plugins.reguarantee.conventions import FEE_BILL_STATUSES
from surety.plugins.reguarantee.events import ReguaranteeFeeBilled, ReguaranteeFeeReceived
from surety.plugins.reguarantee.filing.fee_permissions import FEE
from surety.plugins.reguarantee.filing.models import ReguaranteeFeeBill, ReguaranteeFeeBillLine, ReguaranteeFiling
from surety.plugins.reguarantee.partner.models import ReguaranteePartner
from surety.plugins.reguarantee.settings import ReguaranteeSettings, get_settings

ENTITY = FEE
#: Statuses of a filing that was confirmed (and may since have ended).
BILLED_STATUSES = ("confirmed", "released", "compensated")
#: Period kind -> its name, as a message quotes it.
PERIOD_KINDS = {"quarter": Words(N_("quarter")), "month": Words(N_("month"))}
#: A bill, as "No {what} with that id." names it.
BILL_WORD = Words(N_("fee bill"))
#: Keyset order of the bills list: newest period first, then id.
ORDER = (ReguaranteeFeeBill.period_start, ReguaranteeFeeBill.id)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- periods and figures (pure) ------------------------


@dataclass(frozen=True)
class Period:
    """A billing period: ``2026Q3`` or ``2026M07``, its kind and its first and last days (inclusive)."""

    code: str
    kind: str
    start: dt.date
    end: dt.date


def parse_period(value: Any) -> Period:
    """``2026Q3`` -> the third quarter of 2026, ``2026M07`` -> July 2026; ValidationFailed otherwise."""
    text = inputs.text(value, "period", 10, required=True).upper()
    year, letter, number = text[:4], text[4:5], text[5:]
    ok = year.isdigit() and 2000 <= int(year) <= 2100 and number.isdigit()
    if ok and letter == "Q" and len(number) == 1 and 1 <= int(number) <= 4:
        first = 3 * int(number) - 2
        last = first + 2
        return Period(text, "quarter", dt.date(int(year), first, 1),
                      dt.date(int(year), last, calendar.monthrange(int(year), last)[1]))
    if ok and letter == "M" and len(number) == 2 and 1 <= int(number) <= 12:
        m = int(number)
        return Period(text, "month", dt.date(int(year), m, 1),
                      dt.date(int(year), m, calendar.monthrange(int(year), m)[1]))
    raise ValidationFailed("{value} is not a billing period (2026Q3 or 2026M07).", field="period", value=text)


def period_of(day: dt.date, kind: str) -> Period:
    """The period of ``kind`` (quarter or month) holding ``day``."""
    if kind == "quarter":
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    return parse_period(f"{day.year}M{day.month:02}")


def last_ended_period(on: dt.date, kind: str) -> Period:
    """The latest period of ``kind`` that ended before ``on``."""
    return period_of(period_of(on, kind).start - dt.timedelta(days=1), kind)


def last_day_in_force(start: dt.date, end: dt.date, released_on: dt.date | None) -> dt.date:
    """The last day a filing is in force: the day before its end date, or before its release date if earlier."""
    stop = end if released_on is None else min(end, released_on)
    return max(stop, start) - dt.timedelta(days=1)


def days_in_force(start: dt.date, end: dt.date, released_on: dt.date | None, first: dt.date, last: dt.date) -> int:
    """Days a filing (``start`` .. ``end`` / ``released_on``, end and release not counted) was in force between
    ``first`` and ``last`` inclusive."""
    lo, hi = max(start, first), min(last_day_in_force(start, end, released_on), last)
    return max((hi - lo).days + 1, 0)


def fee_of_days(share: Decimal, rate: Decimal, days: int) -> Decimal:
    """``share x rate x days / 365`` half-up to the fen (agreement/rules.py's fee)."""
    return fen(share * rate * days / DAYS_A_YEAR)


@dataclass(frozen=True)
class LineFigures:
    days: int
    amount: Decimal


def line_figures(share: Decimal, rate: Decimal, start: dt.date, end: dt.date, released_on: dt.date | None,
                 period: Period) -> LineFigures:
    """A filing's days in force in ``period`` and their fee, rounded cumulatively: the fee of the days in force up to
    the period's end less the fee of the days in force before its start."""
    days = days_in_force(start, end, released_on, period.start, period.end)
    before = days_in_force(start, end, released_on, start, period.start - dt.timedelta(days=1))
    amount = fee_of_days(share, rate, before + days) - fee_of_days(share, rate, before)
    return LineFigures(days, amount)


# ---------------------------------------------------------------- reading -------------------------------------------


@dataclass(frozen=True)
class FeeBillFilter:
    partner_id: uuid.UUID | None = None
    period: str | None = None
    status: str | None = None


def search_statement(session: Session, actor: Actor, f: FeeBillFilter | None = None) -> Select:
    """The bills a list shows (needs reguarantee:fee:read), by partner, period and status; order with ORDER."""
    require(session, actor, FEE, "read")
    f = f or FeeBillFilter()
    stmt = select(ReguaranteeFeeBill)
    if f.partner_id is not None:
        stmt = stmt.where(ReguaranteeFeeBill.partner_id == f.partner_id)
    if f.period is not None:
        stmt = stmt.where(ReguaranteeFeeBill.period == parse_period(f.period).code)
    if f.status is not None:
        if f.status not in FEE_BILL_STATUSES:
            raise ValidationFailed("{name} is one of {choices}, not {value}.", field="status", name="status",
                                   choices=", ".join(FEE_BILL_STATUSES), value=str(f.status)[:40])
        stmt = stmt.where(ReguaranteeFeeBill.status == f.status)
    return stmt


def get_bill(session: Session, actor: Actor | None, bill_id: uuid.UUID) -> ReguaranteeFeeBill:
    """One bill (needs reguarantee:fee:read unless ``actor`` is None)."""
    if actor is not None:
        require(session, actor, FEE, "read")
    bill = session.scalar(select(ReguaranteeFeeBill).where(ReguaranteeFeeBill.id == bill_id))
    if bill is None:
        raise NotFound("No fee bill with that id.", field="id")
    return bill


def lines_of(session: Session, bill_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[ReguaranteeFeeBillLine]]:
    """Bill id -> its lines, by filing number (one query; the caller has checked reguarantee:fee:read)."""
    ids = list(bill_ids)
    found: dict[uuid.UUID, list[ReguaranteeFeeBillLine]] = {i: [] for i in ids}
    if not ids:
        return found
    line, f = ReguaranteeFeeBillLine, ReguaranteeFiling
    rows = session.scalars(select(line).join(f, and_(f.tenant_id == line.tenant_id, f.id == line.filing_id))
                           .where(line.bill_id.in_(ids)).order_by(f.filing_no))
    for line in rows:
        found[line.bill_id].append(line)
    return found


def bill_lines(session: Session, actor: Actor, bill_id: uuid.UUID) -> list[ReguaranteeFeeBillLine]:
    """A bill's lines, by filing number (needs reguarantee:fee:read)."""
    bill = get_bill(session, actor, bill_id)
    return lines_of(session, [bill.id])[bill.id]


# ---------------------------------------------------------------- billing -------------------------------------------


@dataclass(frozen=True)
class BillingResult:
    """What billing a period did: the period, the bills created or added to (in partner name order) and the
    number of lines and amount added."""

    period: Period
    bills: list[ReguaranteeFeeBill]
    lines_added: int
    amount_added: Decimal


def _check_period(session: Session, value: Any, on: dt.date) -> Period:
    kind = get_settings(session).fee_bill_period
    if value is None or (isinstance(value, str) and not value.strip()):
        period = last_ended_period(on, kind)
    else:
        period = parse_period(value)
    if period.kind != kind:
        raise ValidationFailed("Fee bills are made per {kind}; {period} is not such a period.", field="period",
                               kind=PERIOD_KINDS.get(kind, kind), period=period.code)
    if period.end >= on:
        raise ValidationFailed("The period {period} has not ended yet; it can be billed from {day}.",
                               field="period", period=period.code, day=period.end + dt.timedelta(days=1))
    other = session.scalar(select(ReguaranteeFeeBill.period).where(
        ReguaranteeFeeBill.period != period.code, ReguaranteeFeeBill.period_start <= period.end,
        ReguaranteeFeeBill.period_end >= period.start).limit(1))
    if other is not None:
        raise Conflict("The period {period} overlaps the billed period {other}.", field="period",
                       period=period.code, other=other)
    return period


def _unbilled(session: Session, period: Period) -> list[ReguaranteeFiling]:
    f, line = ReguaranteeFiling, ReguaranteeFeeBillLine
    billed = exists().where(line.tenant_id == f.tenant_id, line.filing_id == f.id, line.period == period.code)
    return list(session.scalars(
        select(f).where(f.status.in_(BILLED_STATUSES), f.confirmed_on.is_not(None), f.start_date <= period.end,
                        f.end_date > period.start, or_(f.released_on.is_(None), f.released_on > period.start),
                        ~billed)
        .order_by(f.partner_id, f.filing_no)))


def _bill_no(period: Period, partner: ReguaranteePartner) -> str:
    """A bill's number: the period and the partner's credit code (one bill per partner and period)."""
    return f"ZBF-{period.code}-{partner.credit_code}"


def bill_period(session: Session, actor: Actor | None, period: Any = None, *,
                on: dt.date | None = None) -> BillingResult:
    """Bill ``period`` (default: the last period of the tenant's kind that ended before ``on``, the business date):
    a line per filing in force in it not billed for it yet, a bill per partner (needs reguarantee:fee:manage unless
    ``actor`` is None, for the scheduled job). Each bill created or added to raises ReguaranteeFeeBilled with the
    amount added; audited."""
    if actor is not None:
        require(session, actor, FEE, "manage")
    on = on or business_today()
    settings = get_settings(session)
    # one billing run at a time per tenant: the settings row is the tenant's lock
    lock_row(session, ReguaranteeSettings, ReguaranteeSettings.id == settings.id,
             values={"fee_bill_period": ReguaranteeSettings.fee_bill_period})
    p = _check_period(session, period, on)
    filings = _unbilled(session, p)
    partner_ids = sorted({f.partner_id for f in filings})
    partners = {r.id: r for r in session.scalars(select(ReguaranteePartner)
                                                 .where(ReguaranteePartner.id.in_(partner_ids)))}
    bills = {b.partner_id: b for b in session.scalars(select(ReguaranteeFeeBill).where(
        ReguaranteeFeeBill.period == p.code, ReguaranteeFeeBill.partner_id.in_(partner_ids)))}
    added: dict[uuid.UUID, list[ReguaranteeFeeBillLine]] = {}
    for f in filings:
        bill = bills.get(f.partner_id)
        if bill is not None and bill.status != "issued":
            continue
        figures = line_figures(f.share_reguarantor, f.fee_rate, f.start_date, f.end_date, f.released_on, p)
        if figures.days <= 0:
            continue
        if bill is None:
            bill = bills[f.partner_id] = ReguaranteeFeeBill(
                bill_no=_bill_no(p, partners[f.partner_id]), partner_id=f.partner_id, period=p.code,
                period_start=p.start, period_end=p.end, amount=Decimal("0.00"), line_count=0, status="issued",
                created_by=actor.id_uuid if actor is not None else None)
            session.add(bill)
            session.flush()
        line = ReguaranteeFeeBillLine(bill_id=bill.id, filing_id=f.id, period=p.code, days=figures.days,
                                      share=f.share_reguarantor, rate=f.fee_rate, amount=figures.amount)
        session.add(line)
        added.setdefault(f.partner_id, []).append(line)
    touched = []
    for partner_id in sorted(added, key=lambda i: (partners[i].name, str(i))):
        bill, lines = bills[partner_id], added[partner_id]
        amount = sum((x.amount for x in lines), Decimal("0.00"))
        bill.amount += amount
        bill.line_count += len(lines)
        session.flush()
        raise_event(session, ReguaranteeFeeBilled(bill_id=bill.id, bill_no=bill.bill_no, partner_id=partner_id,
                                                  period=p.code, amount=amount, billed_on=on,
                                                  customer_id=partner_id, project_id=bill.id))
        audit(session, "reguarantee.fee.billed", entity_type=ENTITY, entity_id=bill.id,
              after={"bill_no": bill.bill_no, "period": p.code, "lines_added": len(lines), "amount_added": amount,
                     "amount": bill.amount}, actor=actor)
        touched.append(bill)
    return BillingResult(p, touched, sum(len(v) for v in added.values()),
                         sum((x.amount for v in added.values() for x in v), Decimal("0.00")))


def billing_job(session: Session, day: dt.date) -> dict[str, Any]:
    """Day-end job ``reguarantee_fee_bills``: at the end of business date ``day``, bill the last period that has ended
    (on its last day, that period itself) as the system; idempotent (a filing is billed once per period, so each run
    adds only filings confirmed late). A period overlapping another billed period (the setting just changed) is left
    alone. Counts for the batch's line."""
    try:
        done = bill_period(session, None, on=day + dt.timedelta(days=1))
    except Conflict:
        return {"period": last_ended_period(day + dt.timedelta(days=1), get_settings(session).fee_bill_period).code,
                "refused": "overlap"}
    return {"period": done.period.code, "bills": len(done.bills), "lines": done.lines_added}


def mark_paid(session: Session, actor: Actor, bill_id: uuid.UUID, paid_on: Any = None) -> ReguaranteeFeeBill:
    """An issued bill was paid in full on ``paid_on`` (default: the business date; never in the future nor before
    the period's end) (needs reguarantee:fee:receive): it becomes paid and ReguaranteeFeeReceived is raised;
    audited."""
    require(session, actor, FEE, "receive")
    bill = lock_by_id(session, ReguaranteeFeeBill, bill_id, "status", BILL_WORD, "id")
    if bill.status != "issued":
        raise Conflict("The fee bill {bill_no} has already been paid.", field="id", bill_no=bill.bill_no)
    day = inputs.day(paid_on, "paid_on")
    if day <= bill.period_end:
        raise ValidationFailed("The payment date {day} is not after the end of the period {period}.",
                               field="paid_on", day=day, period=bill.period)
    bill.status, bill.paid_on = "paid", day
    session.flush()
    raise_event(session, ReguaranteeFeeReceived(bill_id=bill.id, bill_no=bill.bill_no, partner_id=bill.partner_id,
                                                amount=bill.amount, received_on=day,
                                                customer_id=bill.partner_id, project_id=bill.id))
    audit(session, "reguarantee.fee.received", entity_type=ENTITY, entity_id=bill.id,
          before={"status": "issued"}, after={"status": "paid", "paid_on": day, "amount": bill.amount})
    return bill


# ---------------------------------------------------------------- export --------------------------------------------


#: (key, header, kind) of the bill's columns.
COLUMNS = (
    ("filing_no", "备案编号", "text"), ("project_ref", "项目编号", "text"), ("customer_name", "客户名称", "text"),
    ("bank_name", "贷款银行", "text"), ("guarantee_amount", "担保金额（元）", "money"),
    ("share", "本公司承担金额（元）", "money"), ("rate", "年费率（小数）", "rate"), ("start_date", "起始日", "date"),
    ("end_date", "到期日", "date"), ("released_on", "解保日", "date"), ("days", "计费天数", "int"),
    ("amount", "再担保费（元）", "money"),
)


@dataclass(frozen=True)
class BillFile:
    filename: str
    content_type: str
    data: bytes


def export_bill(session: Session, actor: Actor, bill_id: uuid.UUID) -> BillFile:
    """A bill as .xlsx: a title row (partner, period, dates), the headers, a row per line, the totals (needs
    reguarantee:fee:read); audited."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy library, loaded when a file is made

    bill = get_bill(session, actor, bill_id)
    partner = session.scalar(select(ReguaranteePartner).where(ReguaranteePartner.id == bill.partner_id))
    lines = lines_of(session, [bill.id])[bill.id]
    filings = {f.id: f for f in session.scalars(select(ReguaranteeFiling)
                                                .where(ReguaranteeFiling.id.in_([x.filing_id for x in lines])))}
    wb = Workbook(write_only=True)
    title = (f"再担保费账单 {bill.bill_no}  {partner.name if partner else ''}  期间 {bill.period}"
             f"（{bill.period_start} 至 {bill.period_end}，金额单位：元）")
    sheet = Sheet(wb, "再担保费账单", COLUMNS, [[title], [h for _, h, _ in COLUMNS]],
                  widths={"filing_no": 20, "customer_name": 30, "bank_name": 20})
    for x in lines:
        f = filings[x.filing_id]
        sheet.append({"filing_no": f.filing_no, "project_ref": f.project_ref, "customer_name": f.customer_name,
                      "bank_name": f.bank_name, "guarantee_amount": f.guarantee_amount, "share": x.share,
                      "rate": x.rate, "start_date": f.start_date, "end_date": f.end_date,
                      "released_on": f.released_on, "days": x.days, "amount": x.amount})
    sheet.footer({"filing_no": "合计", "project_ref": f"{len(lines)} 笔"})
    out = io.BytesIO()
    wb.save(out)
    audit(session, "reguarantee.fee.exported", entity_type=ENTITY, entity_id=bill.id,
          after={"bill_no": bill.bill_no, "lines": len(lines)}, actor=actor)
    return BillFile(f"{bill.bill_no}.xlsx", XLSX_TYPE, out.getvalue())


def partners_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ReguaranteePartner]:
    """Partner id -> partner, one query."""
    return {r.id: r for r in session.scalars(select(ReguaranteePartner).where(ReguaranteePartner.id.in_(list(ids))))}
