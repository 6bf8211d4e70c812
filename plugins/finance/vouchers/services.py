"""Vouchers (记账凭证): write, number, review, post, reverse; accounting periods (docs/finance/README.md,
"Vouchers").

Rules kept here, for every voucher whoever writes it (a person or an event rule):

- balanced to the fen (debits == credits), at least one line, each line on one active leaf account of the chart
  with exactly one non-zero side, every auxiliary dimension its account carries, never in a closed period;
- amounts are zero or more, except on a red-ink reversal (红字冲销), whose lines repeat the original's sides with
  negated amounts;
- numbered per period and voucher word without gaps (``记-0001``): the counter row is incremented with
  ``UPDATE ... RETURNING`` (core.db.locking.lock_row) and stays locked until the transaction ends, so concurrent
  writers queue and a rolled-back voucher gives its number back; on PostgreSQL that ``UPDATE``, the voucher and its
  lines are one statement (data-modifying CTEs, :data:`_PG_WRITE`) once the counter's row is there;
- draft -> reviewed -> posted, reviewed and posted by a person other than the maker (a voucher the system wrote
  has no maker, so any person with the permission may review it); a reviewed or posted voucher is never edited:
  it is corrected by a reversal;
- a period closes only when every voucher in it is posted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.base import uuid7
from surety.core.db.locking import lock_by_id, lock_row
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.i18n import N_
from surety.core.workflow.engine import business_today
from surety.plugins.finance.accounts.services import chart
from surety.plugins.finance.accounts.templates import DIMENSIONS
from surety.plugins.finance.permissions import PERIOD, VOUCHER
from surety.plugins.finance.vouchers.models import (
    CLOSED,
    DRAFT,
    OPEN,
    POSTED,
    REVIEWED,
    STATUSES,
    WORDS,
    FinancePeriod,
    FinanceVoucher,
    FinanceVoucherCounter,
    FinanceVoucherLine,
)

ENTITY = VOUCHER
ZERO = Decimal("0.00")
#: Line fields holding a dimension: dimension key -> column.
DIMENSION_FIELDS = {"customer": "customer_id", "project": "project_id", "bank": "bank_id",
                    "department": "department"}
assert set(DIMENSION_FIELDS) == set(DIMENSIONS)


@dataclass(frozen=True)
class VoucherSource:
    """The domain event a voucher was written for: its type and its outbox row's id."""

    event_type: str
    event_id: uuid.UUID | None = None


def period_of(day: dt.date) -> str:
    """The accounting period of a business date: ``YYYY-MM``."""
    return f"{day.year:04d}-{day.month:02d}"


def check_period(value: Any, field: str = "period") -> str:
    """``value`` when it is a period ``YYYY-MM``; ValidationFailed otherwise."""
    text = str(value or "")
    try:
        dt.date(int(text[:4]), int(text[5:7]), 1)
        ok = len(text) == 7 and text[4] == "-"
    except ValueError:
        ok = False
    if not ok:
        raise ValidationFailed("A period is written YYYY-MM (e.g. 2026-12), not {value}.", field=field,
                               value=text[:20])
    return text


def format_number(word: str, seq: int) -> str:
    """``记-0001``: the word and the number in its period, four digits at least."""
    return f"{word}-{seq:04d}"


# ---------------------------------------------------------------- periods -------------------------------------------


_CLOSED = "finance_closed_periods"


def period_status(session: Session, period: str) -> str:
    """``open`` or ``closed`` (a period never touched is open); the closed periods are read once per session
    (closing and reopening forget them)."""
    closed = session.info.get(_CLOSED)
    if closed is None:
        closed = session.info[_CLOSED] = frozenset(
            session.scalars(select(FinancePeriod.period).where(FinancePeriod.status == CLOSED)))
    return CLOSED if period in closed else OPEN


def _refuse_closed(session: Session, period: str, field: str = "voucher_date") -> None:
    if period_status(session, period) == CLOSED:
        raise ValidationFailed("The accounting period {period} is closed; date the voucher in an open period.",
                               field=field, period=period)


def hold_period(session: Session, period: str, field: str = "voucher_date") -> None:
    """Refuse a voucher in ``period`` when it is closed, holding the period's row with a shared lock until the
    transaction ends (the row is inserted open first when the period has none): a writer and
    :func:`close_period`, which locks the row exclusively before it counts the unposted vouchers, never interleave
    (a close waits for the writers in flight and then counts their vouchers; a writer after a close sees it)."""
    stmt = select(FinancePeriod.status).where(FinancePeriod.period == period).with_for_update(read=True)
    status = session.scalar(stmt)
    if status is None:
        _insert_period(session, period)
        status = session.scalar(stmt)
    if status == CLOSED:
        raise ValidationFailed("The accounting period {period} is closed; date the voucher in an open period.",
                               field=field, period=period)


def close_period(session: Session, actor: Actor, period: str) -> FinancePeriod:
    """Close ``period`` (needs finance:period:close): refused while a voucher of it is not posted. The period's row
    is locked first (:func:`hold_period`: vouchers being written in the period are waited for and counted)."""
    require(session, actor, PERIOD, "close")
    period = check_period(period)
    row = _period_row(session, period)
    open_count = session.scalar(select(func.count()).select_from(FinanceVoucher)
                                .where(FinanceVoucher.period == period, FinanceVoucher.status != POSTED))
    if open_count:
        raise ValidationFailed("Period {period} still has {count} voucher(s) not posted; review and post them first.",
                               field="period", period=period, count=open_count)
    if row.status == CLOSED:
        raise Conflict("Period {period} is already closed.", field="period", period=period)
    row.status, row.closed_at, row.closed_by = CLOSED, utcnow(), actor.id_uuid
    session.flush()
    session.info.pop(_CLOSED, None)
    audit(session, "finance.period.closed", entity_type="finance:period", entity_id=period,
          after={"period": period}, actor=actor)
    return row


def reopen_period(session: Session, actor: Actor, period: str) -> FinancePeriod:
    """Open a closed period again (反结账; needs finance:period:close)."""
    require(session, actor, PERIOD, "close")
    row = _period_row(session, check_period(period))
    if row.status != CLOSED:
        raise Conflict("Period {period} is not closed.", field="period", period=period)
    row.status, row.closed_at, row.closed_by = OPEN, None, None
    session.flush()
    session.info.pop(_CLOSED, None)
    audit(session, "finance.period.reopened", entity_type="finance:period", entity_id=period,
          after={"period": period}, actor=actor)
    return row


def _insert_period(session: Session, period: str) -> None:
    """The period's row, open, unless a row is there (a concurrent insert included)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = FinancePeriod.__table__
    session.execute(insert(table).values(tenant_id=session_tenant(session), id=uuid7(), period=period, status=OPEN)
                    .on_conflict_do_nothing(index_elements=[table.c.tenant_id, table.c.period]))


def _period_row(session: Session, period: str) -> FinancePeriod:
    """The period's row, locked exclusively for the transaction (inserted open when missing)."""
    def lock():
        return lock_row(session, FinancePeriod, FinancePeriod.period == period,
                        values={"status": FinancePeriod.status})

    row = lock()
    if row is None:
        _insert_period(session, period)
        row = lock()
    return row


# ---------------------------------------------------------------- numbering -----------------------------------------


def next_seq(session: Session, period: str, word: str) -> int:
    """The next number of ``word`` in ``period``; the counter row stays locked until the caller's transaction
    ends (gap-free: a rollback gives the number back)."""
    values = {"last_value": FinanceVoucherCounter.last_value + 1}
    criteria = (FinanceVoucherCounter.period == period, FinanceVoucherCounter.word == word)
    row = lock_row(session, FinanceVoucherCounter, *criteria, values=values)
    if row is None:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        table = FinanceVoucherCounter.__table__
        session.execute(insert(table).values(tenant_id=session_tenant(session), id=uuid7(), period=period,
                                             word=word, last_value=0)
                        .on_conflict_do_nothing(index_elements=[table.c.tenant_id, table.c.period, table.c.word]))
        row = lock_row(session, FinanceVoucherCounter, *criteria, values=values)
    return row.last_value


def hold_and_number(session: Session, period: str, word: str) -> int:
    """:func:`hold_period` then :func:`next_seq`, in one statement when the period's row is there and open and the
    counter's row is there (every voucher after the first of its word in its period): the counter's ``UPDATE ...
    RETURNING`` carries ``EXISTS (SELECT ... FROM finance_periods WHERE period = ? AND status = 'open' FOR SHARE)``,
    so the period's row is share-locked before the counter's row, as the two statements lock them. When it updates
    nothing (no counter yet, no period row yet, or the period closed, a close in flight included: the shared lock
    waits for it and then sees the row closed), the two statements run (and refuse a closed period)."""
    open_period = select(FinancePeriod.id).where(
        FinancePeriod.tenant_id == session_tenant(session), FinancePeriod.period == period,
        FinancePeriod.status == OPEN).with_for_update(read=True)
    row = lock_row(session, FinanceVoucherCounter, FinanceVoucherCounter.period == period,
                   FinanceVoucherCounter.word == word, open_period.exists(),
                   values={"last_value": FinanceVoucherCounter.last_value + 1})
    if row is not None:
        return row.last_value
    hold_period(session, period)
    return next_seq(session, period, word)


# ---------------------------------------------------------------- one statement on PostgreSQL ------------------------


@dataclass
class FeeScheduleDelta:
    """A guarantee fee received (refunded: ``amount`` negative) on ``project_id``, added to the project's fee schedule
    (``finance_fee_schedules``; what periodend.jobs.record_event does) by the voucher's own statement on PostgreSQL.
    :func:`create_voucher` sets ``written`` when it did; otherwise the caller records it."""

    project_id: uuid.UUID
    amount: Decimal
    written: bool = False


#: The counter's increment (holding the open period: :func:`hold_and_number`), the voucher and its lines in one
#: statement. ``c`` updates nothing when the counter's row is missing or the period is not open (a close in flight
#: included: the shared lock waits for it); then ``v`` and ``l`` write nothing and :func:`create_voucher` takes the
#: two-statement path. The number is :func:`format_number`'s (four digits at least). The lines come as arrays, one
#: element per line, so the text is the same whatever the number of lines (one prepared statement).
_PG_CTES = """
WITH c AS (
    UPDATE finance_voucher_counters SET last_value = last_value + 1
    WHERE tenant_id = :tenant AND period = :period AND word = :word
      AND EXISTS (SELECT p.id FROM finance_periods AS p
                  WHERE p.tenant_id = :tenant AND p.period = :period AND p.status = :open FOR SHARE)
    RETURNING last_value
), v AS (
    INSERT INTO finance_vouchers (tenant_id, id, voucher_date, period, word, seq, number, summary, status, total,
                                  maker_id, source_event_type, source_event_id, reversal_of, created_at)
    SELECT :tenant, :id, :voucher_date, :period, :word, c.last_value,
           CAST(:word AS varchar) || '-' || CASE WHEN c.last_value < 10000 THEN lpad(CAST(c.last_value AS text), 4, '0')
                                                 ELSE CAST(c.last_value AS text) END,
           :summary, :status, :total, :maker_id, :source_event_type, :source_event_id, :reversal_of, :created_at
    FROM c
    RETURNING seq, number
), l AS (
    INSERT INTO finance_voucher_lines (tenant_id, id, voucher_id, line_no, period, account_code, summary, debit,
                                       credit, customer_id, project_id, bank_id, department, posted)
    SELECT :tenant, x.id, :id, x.line_no, :period, x.account_code, x.summary, x.debit, x.credit, x.customer_id,
           x.project_id, x.bank_id, x.department, false
    FROM v CROSS JOIN unnest(CAST(:line_ids AS uuid[]), CAST(:line_nos AS integer[]), CAST(:accounts AS varchar[]),
                             CAST(:summaries AS varchar[]), CAST(:debits AS numeric[]), CAST(:credits AS numeric[]),
                             CAST(:customer_ids AS uuid[]), CAST(:project_ids AS uuid[]), CAST(:bank_ids AS uuid[]),
                             CAST(:departments AS varchar[]))
         AS x(id, line_no, account_code, summary, debit, credit, customer_id, project_id, bank_id, department)
)"""
#: :data:`_PG_CTES` alone, and with a fee schedule's upsert (:class:`FeeScheduleDelta`; a data-modifying CTE runs
#: whether or not the voucher is written, so the fee is added once either way).
_PG_WRITE = text(_PG_CTES + "\nSELECT seq, number FROM v")
_PG_WRITE_WITH_FEE = text(_PG_CTES + """, s AS (
    INSERT INTO finance_fee_schedules (tenant_id, id, project_id, amount, recognised)
    VALUES (:tenant, :fee_id, :fee_project_id, :fee_amount, 0)
    ON CONFLICT (tenant_id, project_id) DO UPDATE SET amount = finance_fee_schedules.amount + excluded.amount
)
SELECT seq, number FROM v""")


def _write_pg(session: Session, voucher: FinanceVoucher, lines: list[dict[str, Any]],
              fee: FeeScheduleDelta | None) -> tuple[int, str] | None:
    """Run :data:`_PG_WRITE` (with ``fee``: :data:`_PG_WRITE_WITH_FEE`) for ``voucher`` (every column but the
    number set) and its clean ``lines``: the voucher's ``seq`` and ``number`` as written, None when the counter's
    statement updated nothing (nothing written then but the fee)."""
    voucher.tenant_id = session_tenant(session)
    params = {"tenant": voucher.tenant_id, "id": voucher.id, "voucher_date": voucher.voucher_date,
              "period": voucher.period, "word": voucher.word, "open": OPEN, "summary": voucher.summary,
              "status": voucher.status, "total": voucher.total, "maker_id": voucher.maker_id,
              "source_event_type": voucher.source_event_type, "source_event_id": voucher.source_event_id,
              "reversal_of": voucher.reversal_of, "created_at": voucher.created_at,
              "line_ids": [uuid7() for _ in lines], "line_nos": list(range(1, len(lines) + 1)),
              "accounts": [r["account_code"] for r in lines], "summaries": [r["summary"] for r in lines],
              "debits": [r["debit"] for r in lines], "credits": [r["credit"] for r in lines],
              "customer_ids": [r["customer_id"] for r in lines], "project_ids": [r["project_id"] for r in lines],
              "bank_ids": [r["bank_id"] for r in lines], "departments": [r["department"] for r in lines]}
    stmt = _PG_WRITE
    if fee is not None:
        stmt = _PG_WRITE_WITH_FEE
        params.update(fee_id=uuid7(), fee_project_id=fee.project_id, fee_amount=fee.amount)
    row = session.connection().execute(stmt, params).first()
    if fee is not None:
        fee.written = True
    return None if row is None else (row[0], row[1])


# ---------------------------------------------------------------- writing -------------------------------------------


def _amount(value: Any, field: str, red_ink: bool) -> Decimal:
    if inputs.blank(value):
        return ZERO
    if red_ink:
        return inputs.number(value, field=field, places=2).quantize(inputs.FEN)
    return inputs.money(value, field)


def _uuid(value: Any, field: str) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed("{name} is an id.", field=field, name=field) from None


def _clean_lines(session: Session, lines: Sequence[Mapping[str, Any]], summary: str,
                 red_ink: bool) -> list[dict[str, Any]]:
    if not lines:
        raise ValidationFailed("A voucher has at least one line.", field="lines")
    codes = [str(line.get("account") or "") for line in lines]
    accounts = chart(session)
    out = []
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        code = codes[i]
        account = accounts.get(code)
        if account is None:
            raise ValidationFailed("Line {line}: no account with the code {account_code}.", field=f"{where}.account",
                                   line=i + 1, account_code=code[:20])
        if not account.active:
            raise ValidationFailed("Line {line}: the account {account_code} {account_name} is inactive.",
                                   field=f"{where}.account", line=i + 1, account_code=code, account_name=account.name)
        if not account.leaf:
            raise ValidationFailed("Line {line}: the account {account_code} has sub-accounts; post to one of them.",
                                   field=f"{where}.account", line=i + 1, account_code=code)
        debit = _amount(line.get("debit"), f"{where}.debit", red_ink)
        credit = _amount(line.get("credit"), f"{where}.credit", red_ink)
        if (debit == 0) == (credit == 0):
            raise ValidationFailed("Line {line}: give exactly one of debit and credit, not zero.", field=where,
                                   line=i + 1)
        if red_ink and (debit > 0 or credit > 0):
            raise ValidationFailed("Line {line}: a red-ink line carries a negative amount.", field=where, line=i + 1)
        row = {"account_code": code, "debit": debit, "credit": credit,
               "summary": inputs.text(line.get("summary") or summary, f"{where}.summary", 200)}
        for dim, column in DIMENSION_FIELDS.items():
            value = line.get(column)
            if column == "department":
                row[column] = inputs.text(value, f"{where}.{column}", 40) or None
            else:
                row[column] = _uuid(value, f"{where}.{column}")
            if dim in account.dimensions and row[column] is None:
                raise ValidationFailed("Line {line}: the account {account_code} needs the dimension {dimension}.",
                                       field=f"{where}.{column}", line=i + 1, account_code=code, dimension=dim)
        out.append(row)
    debits, credits = sum(r["debit"] for r in out), sum(r["credit"] for r in out)
    if debits != credits:
        raise ValidationFailed("The voucher does not balance: debits {debit_yuan} yuan, credits {credit_yuan} yuan.",
                               field="lines", debit_yuan=inputs.yuan(debits), credit_yuan=inputs.yuan(credits))
    return out


def _image(v: FinanceVoucher) -> dict:
    return {"number": v.number, "period": v.period, "voucher_date": v.voucher_date.isoformat(),
            "summary": v.summary, "status": v.status, "total": str(v.total),
            "reversal_of": str(v.reversal_of) if v.reversal_of else None}


def create_voucher(session: Session, actor: Actor | None, *, voucher_date: dt.date, word: str, summary: str,
                   lines: Sequence[Mapping[str, Any]], source: VoucherSource | None = None,
                   reversal_of: uuid.UUID | None = None, check_source: bool = True,
                   fee: FeeScheduleDelta | None = None) -> FinanceVoucher:
    """Write a draft voucher (needs finance:voucher:make; ``actor`` None: the system, for vouchers written from
    events). Each line: ``account`` (code), ``debit`` or ``credit`` (yuan), ``summary`` (default: the voucher's),
    ``customer_id``, ``project_id``, ``bank_id``, ``department``. See the module for what is refused; a second
    voucher for one event is refused too (``check_source`` False: the caller knows the event is new).

    On PostgreSQL the number, the voucher and its lines are one statement (:data:`_PG_WRITE`), and ``fee`` is
    added to its fee schedule in that statement too (``fee.written``); elsewhere ``fee`` is left to the caller. The
    voucher returned is in the session as a loaded row either way."""
    if actor is not None:
        require(session, actor, VOUCHER, "make")
    if not isinstance(voucher_date, dt.date) or isinstance(voucher_date, dt.datetime):
        raise ValidationFailed("voucher_date is a date.", field="voucher_date")
    if word not in WORDS:
        raise ValidationFailed("word is one of {choices}, not {value}.", field="word", choices=", ".join(WORDS),
                               value=str(word)[:10])
    summary = inputs.text(summary, "summary", 200, required=True)
    period = period_of(voucher_date)
    clean = _clean_lines(session, lines, summary, red_ink=reversal_of is not None)
    if check_source and source is not None and source.event_id is not None and session.scalar(
            select(FinanceVoucher.id).where(FinanceVoucher.source_event_id == source.event_id)) is not None:
        raise Conflict("A voucher for that event already exists.", field="source")
    voucher = FinanceVoucher(id=uuid7(), voucher_date=voucher_date, period=period, word=word, summary=summary,
                             status=DRAFT, total=sum(r["debit"] for r in clean),
                             maker_id=actor.id_uuid if actor else None,
                             source_event_type=source.event_type if source else None,
                             source_event_id=source.event_id if source else None, reversal_of=reversal_of,
                             reversed_by=None, reviewer_id=None, poster_id=None, reviewed_at=None, posted_at=None,
                             created_at=utcnow())
    one_statement = session.get_bind().dialect.name == "postgresql"
    written = _write_pg(session, voucher, clean, fee) if one_statement else None
    if written is not None:
        # Written: the object joins the session as the row it is (no INSERT at flush, no SELECT to load it).
        voucher.seq, voucher.number = written
        make_transient_to_detached(voucher)
        session.add(voucher)
    else:
        if one_statement:  # its counter's UPDATE found nothing to update: the two statements, not that UPDATE again
            hold_period(session, period)
            seq = next_seq(session, period, word)
        else:
            seq = hold_and_number(session, period, word)
        voucher.seq, voucher.number = seq, format_number(word, seq)
        session.add(voucher)
        session.add_all(FinanceVoucherLine(voucher_id=voucher.id, line_no=n, period=period, **row)
                        for n, row in enumerate(clean, start=1))
        session.flush()
    if actor is not None:
        audit(session, "finance.voucher.created", entity_type=ENTITY, entity_id=voucher.id, after=_image(voucher),
              actor=actor)
    return voucher


def _lock(session: Session, voucher_id: uuid.UUID) -> FinanceVoucher:
    return lock_by_id(session, FinanceVoucher, voucher_id, "status", "voucher", "voucher_id")


#: Refusals of the maker's own review or posting (four eyes), by act.
_MAKER_REFUSED = {"review": N_("The maker of voucher {number} cannot review it; another person must."),
                  "post": N_("The maker of voucher {number} cannot post it; another person must.")}


def _not_maker(voucher: FinanceVoucher, actor: Actor, act: str) -> None:
    if voucher.maker_id is not None and voucher.maker_id == actor.id_uuid:
        raise ValidationFailed(_MAKER_REFUSED[act], field="voucher_id", number=voucher.number)


def review_voucher(session: Session, actor: Actor, voucher_id: uuid.UUID) -> FinanceVoucher:
    """Review a draft (needs finance:voucher:review; not by its maker)."""
    require(session, actor, VOUCHER, "review")
    voucher = _lock(session, voucher_id)
    if voucher.status != DRAFT:
        raise Conflict("Voucher {number} is {status}, not a draft.", field="voucher_id", number=voucher.number,
                       status=voucher.status)
    _not_maker(voucher, actor, "review")
    voucher.status, voucher.reviewer_id, voucher.reviewed_at = REVIEWED, actor.id_uuid, utcnow()
    session.flush()
    audit(session, "finance.voucher.reviewed", entity_type=ENTITY, entity_id=voucher.id, after=_image(voucher),
          actor=actor)
    return voucher


def post_voucher(session: Session, actor: Actor, voucher_id: uuid.UUID) -> FinanceVoucher:
    """Post a reviewed voucher to the ledgers (needs finance:voucher:post; not by its maker)."""
    require(session, actor, VOUCHER, "post")
    voucher = _lock(session, voucher_id)
    if voucher.status != REVIEWED:
        raise Conflict("Voucher {number} is {status}; only a reviewed voucher is posted.", field="voucher_id",
                       number=voucher.number, status=voucher.status)
    _not_maker(voucher, actor, "post")
    _refuse_closed(session, voucher.period, "voucher_id")
    voucher.status, voucher.poster_id, voucher.posted_at = POSTED, actor.id_uuid, utcnow()
    session.execute(update(FinanceVoucherLine).where(FinanceVoucherLine.voucher_id == voucher.id).values(posted=True)
                    .execution_options(synchronize_session=False))
    session.flush()
    audit(session, "finance.voucher.posted", entity_type=ENTITY, entity_id=voucher.id, after=_image(voucher),
          actor=actor)
    return voucher


def lines_of(session: Session, voucher_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[FinanceVoucherLine]]:
    """Voucher id -> its lines in order, for many vouchers in one query."""
    found: dict[uuid.UUID, list[FinanceVoucherLine]] = {v: [] for v in voucher_ids}
    if voucher_ids:
        for line in session.scalars(select(FinanceVoucherLine).where(FinanceVoucherLine.voucher_id.in_(voucher_ids))
                                    .order_by(FinanceVoucherLine.voucher_id, FinanceVoucherLine.line_no)):
            found[line.voucher_id].append(line)
    return found


def reverse_voucher(session: Session, actor: Actor | None, voucher_id: uuid.UUID, *,
                    voucher_date: dt.date | None = None, summary: str | None = None,
                    source: VoucherSource | None = None) -> FinanceVoucher:
    """Correct a voucher by red-ink reversal (红字冲销; needs finance:voucher:make): a new draft voucher dated
    ``voucher_date`` (default: today's business date) with the same word, accounts, sides and dimensions and the
    amounts negated, ``reversal_of`` the original. A voucher is reversed once; a reversal is not reversed."""
    if actor is not None:
        require(session, actor, VOUCHER, "make")
    original = _lock(session, voucher_id)
    if original.reversal_of is not None:
        raise Conflict("Voucher {number} is itself a reversal; write a new voucher instead.", field="voucher_id",
                       number=original.number)
    if original.reversed_by is not None:
        raise Conflict("Voucher {number} is already reversed.", field="voucher_id", number=original.number)
    lines = [{"account": line.account_code, "summary": line.summary, "debit": -line.debit, "credit": -line.credit,
              **{c: getattr(line, c) for c in DIMENSION_FIELDS.values()}}
             for line in lines_of(session, [original.id])[original.id]]
    reversal = create_voucher(session, actor, voucher_date=voucher_date or business_today(), word=original.word,
                              summary=summary or f"冲销{original.period} {original.number}：{original.summary}"[:200],
                              lines=lines, source=source, reversal_of=original.id)
    original.reversed_by = reversal.id
    session.flush()
    return reversal


# ---------------------------------------------------------------- reading -------------------------------------------


def get_voucher(session: Session, actor: Actor | None, voucher_id: uuid.UUID) -> FinanceVoucher:
    if actor is not None:
        require(session, actor, VOUCHER, "read")
    voucher = session.scalar(select(FinanceVoucher).where(FinanceVoucher.id == voucher_id))
    if voucher is None:
        raise NotFound("No voucher with that id.", field="voucher_id")
    return voucher


def voucher_query(session: Session, actor: Actor, *, period: str | None = None, status: str | None = None,
                  word: str | None = None):
    """The SELECT of the tenant's vouchers matching the filters, unordered (needs
    finance:voucher:read)."""
    require(session, actor, VOUCHER, "read")
    stmt = select(FinanceVoucher)
    if period is not None:
        stmt = stmt.where(FinanceVoucher.period == check_period(period))
    if status is not None:
        if status not in STATUSES:
            raise ValidationFailed("status is one of {choices}, not {value}.", field="status",
                                   choices=", ".join(STATUSES), value=str(status)[:20])
        stmt = stmt.where(FinanceVoucher.status == status)
    if word is not None:
        stmt = stmt.where(FinanceVoucher.word == word)
    return stmt


#: The order of voucher lists (unique: period, word and number identify a voucher).
VOUCHER_ORDER = (FinanceVoucher.period, FinanceVoucher.word, FinanceVoucher.seq, FinanceVoucher.id)


def list_vouchers(session: Session, actor: Actor, **filters: Any) -> list[FinanceVoucher]:
    """The vouchers matching the filters by period, word and number."""
    return list(session.scalars(voucher_query(session, actor, **filters).order_by(*VOUCHER_ORDER)))
