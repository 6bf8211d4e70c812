"""Filings (备案): file one, file a batch (all or nothing, a row-by-row report, a dry run), confirm (four eyes),
reject with reasons, release (normally or by compensation), read (docs/reguarantee/filings.md).

A row is checked field by field (filing/checks.py), then against the agreement and what stands already, every
problem a reason: the start date within the agreement's validity; de-duplication (the partner's project number
standing: refused 已备案; twice in a batch: refused; the customer's loan contract standing under another partner: a
warning); the agreement's eligibility rules (agreement/rules.failed_rules); the agreement's line (its standing
filings plus this one at most the line, inclusive); the single-household cap (the customer's standing guaranteed
balance across the tenant plus this one at most the agreement's cap, inclusive). Rows earlier in the same batch count
as standing for the later ones. A filed row stores its split (agreement/rules.split_amount of the guaranteed amount)
and its fee (agreement/rules.fee_for of the re-guarantor's share over the term's days).

A batch reads what stands with one statement per question (filing/usage.py), takes its numbers with one counter
update and writes its filings with one insert. Every status change raises ReguaranteeFilingStatusChanged and is
audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import ACTOR_SYSTEM, Actor
from surety.core.crypto.blind_index import blind_index
from surety.core.db.base import uuid7
from surety.core.db.locking import key_locks, lock_by_id
from surety.core.db.session import session_tenant
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.agreement import rules
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.agreement.services import fee_rules_of, split_of
from surety.plugins.reguarantee.conventions import (
    AGREEMENT_STATUSES,
    FILING_SOURCES,
    FILING_STATUSES,
    PARTNER_STATUSES,
    RELEASE_KINDS,
)
from surety.plugins.reguarantee.events import ReguaranteeFilingStatusChanged
from surety.plugins.reguarantee.filing import usage
from surety.plugins.reguarantee.filing.checks import (
    ERROR,
    LABELS,
    WARNING,
    CleanRow,
    Reason,
    clean_row,
    rule_fields,
)
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling, ReguaranteeFilingBatch
from surety.plugins.reguarantee.filing.numbering import BATCH_PATTERN, FILING_PATTERN, take_numbers
from surety.plugins.reguarantee.filing.permissions import FILING
from surety.plugins.reguarantee.partner.models import ReguaranteePartner

ENTITY = FILING
BATCH_ENTITY = "reguarantee:filing_batch"
#: The locale of the stored report (the model keeps zh-CN texts).
REPORT_LOCALE = "zh_CN"
#: Most rows a batch takes.
MAX_ROWS = 20_000
#: Most reasons a rejection keeps, and their longest text.
MAX_REASONS, MAX_REASON_CHARS = 20, 200


# ---------------------------------------------------------------- results -------------------------------------------


@dataclass
class RowReport:
    """One row of a batch: its number (1 = the first data row), project number, the filing number given (None when
    not filed: refused, a dry run, or the batch refused) and the reasons (errors and warnings)."""

    row: int
    project_ref: str
    filing_no: str | None = None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(r.level == ERROR for r in self.reasons)

    def errors(self, locale: str | None = None) -> list[str]:
        return [r.text(locale) for r in self.reasons if r.level == ERROR]

    def warnings(self, locale: str | None = None) -> list[str]:
        return [r.text(locale) for r in self.reasons if r.level == WARNING]

    def columns(self) -> list[str]:
        """The zh-CN column headers of the fields with an error, each once, in the order found."""
        names = {**LABELS, "fields": "附加字段", "eligibility": "准入条件"}
        return list(dict.fromkeys(names.get(r.field, r.field) for r in self.reasons if r.level == ERROR))

    def as_json(self, locale: str | None = REPORT_LOCALE) -> dict:
        return {"row": self.row, "projectRef": self.project_ref, "filingNo": self.filing_no,
                "reasons": self.errors(locale), "warnings": self.warnings(locale), "columns": self.columns()}


@dataclass
class BatchResult:
    """What a batch did: ``ok`` when every row passed; ``batch`` and ``filings`` only when written (not a dry run,
    not refused); ``rows`` the row-by-row report."""

    agreement_id: uuid.UUID
    dry_run: bool
    rows: list[RowReport]
    batch: ReguaranteeFilingBatch | None = None
    filing_ids: list[uuid.UUID] = field(default_factory=list)
    total_amount: Decimal = Decimal("0.00")

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def refused(self) -> list[RowReport]:
        return [r for r in self.rows if not r.ok]

    def report(self, locale: str | None = REPORT_LOCALE) -> list[dict]:
        return [r.as_json(locale) for r in self.rows]


@dataclass
class _Prepared:
    clean: CleanRow
    report: RowReport
    bidx: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- the checks ----------------------------------------


def _agreement(session: Session, agreement_id: uuid.UUID) -> tuple[ReguaranteeAgreement, ReguaranteePartner]:
    """The agreement, locked (filings on one agreement are checked one transaction at a time, so two cannot both
    take the last of its line), and its partner; Conflict unless the agreement is active and the partner 合作中."""
    agreement = lock_by_id(session, ReguaranteeAgreement, agreement_id, "status", "agreement", "agreement_id")
    if agreement.status != "active":
        raise Conflict("Agreement {agreement_no} is not in force ({status}); filings need an active agreement.",
                       field="agreement_id", agreement_no=agreement.agreement_no,
                       status=AGREEMENT_STATUSES[agreement.status])
    partner = session.scalar(select(ReguaranteePartner).where(ReguaranteePartner.id == agreement.partner_id))
    if partner.status != "active":
        raise Conflict("{partner_name} is not a partner in cooperation (合作中) but {status}; it cannot file.",
                       field="agreement_id", partner_name=partner.name, status=PARTNER_STATUSES[partner.status])
    return agreement, partner


def _check_rows(session: Session, agreement: ReguaranteeAgreement, partner: ReguaranteePartner,
                rows: Sequence[Mapping[str, Any]], row_numbers: Sequence[int] | None = None) -> list[_Prepared]:
    """Every row checked (field by field, then against the agreement, what stands and the rows before it)."""
    tenant = session_tenant(session)
    prepared = []
    numbers = list(row_numbers) if row_numbers is not None else list(range(1, len(rows) + 1))
    if len(numbers) != len(rows):
        raise ValueError("one row number per row")
    for n, data in zip(numbers, rows, strict=True):
        data = data if isinstance(data, Mapping) else {}
        clean = clean_row(data)
        ref = clean.values.get("project_ref") or str(data.get("project_ref") or "")[:60]
        p = _Prepared(clean, RowReport(n, ref, reasons=list(clean.reasons)))
        number = clean.values.get("customer_id_number")
        if number and not any(r.field == "customer_id_number" for r in clean.reasons):
            p.bidx = blind_index(tenant, number, "id_number")
        prepared.append(p)

    standing = usage.standing_refs(session, partner.id, [p.report.project_ref for p in prepared
                                                         if p.report.project_ref])
    bidxs = [p.bidx for p in prepared if p.bidx]
    # The customers' balances span every agreement: lock the customers (the agreement's row lock covers only its
    # line), so two filings of one customer under two agreements queue instead of both passing the cap.
    key_locks(session, f"reguarantee.household:{tenant}", bidxs)
    balances = usage.customer_balances(session, bidxs)
    elsewhere = usage.contracts_elsewhere(session, partner.id, bidxs)
    names = {}
    if elsewhere:
        names = dict(session.execute(select(ReguaranteePartner.id, ReguaranteePartner.name)
                                     .where(ReguaranteePartner.id.in_(set(elsewhere.values())))).all())
    used = usage.line_used(session, [agreement.id])[agreement.id]
    split, fee_rules = split_of(agreement), fee_rules_of(agreement)
    seen: dict[str, int] = {}

    for p in prepared:
        v, reasons, ref = p.clean.values, p.report.reasons, p.report.project_ref
        start, end = v.get("start_date"), v.get("end_date")
        if start is not None and not agreement.valid_from <= start <= agreement.valid_to:
            reasons.append(Reason("start_date", N_("The start date {start} is outside the agreement's validity "
                                                   "({valid_from} to {valid_to})."),
                                  {"start": start, "valid_from": agreement.valid_from,
                                   "valid_to": agreement.valid_to}))
        if ref and ref in standing:
            reasons.append(Reason("project_ref", N_("Project {project_ref} is already filed (已备案) as {filing_no}."),
                                  {"project_ref": ref, "filing_no": standing[ref]}))
        if ref and ref in seen:
            reasons.append(Reason("project_ref", N_("Project {project_ref} is already in this batch at row {row}."),
                                  {"project_ref": ref, "row": seen[ref]}))
        contract = v.get("loan_contract_no")
        if p.bidx and contract and (p.bidx, contract) in elsewhere:
            reasons.append(Reason("loan_contract_no", N_("The same customer's loan contract {contract} is already "
                                                         "filed by {partner_name}."),
                                  {"contract": contract, "partner_name": names.get(elsewhere[p.bidx, contract], "")},
                                  level=WARNING))
        term = (end - start).days if start is not None and end is not None and end > start else None
        for message in rules.failed_rules(agreement.eligibility_rules, rule_fields(v, term)):
            reasons.append(Reason("eligibility", message))
        amount = v.get("guarantee_amount")
        if amount is not None:
            if used + amount > agreement.line_amount:
                reasons.append(Reason("guarantee_amount", N_(
                    "The agreement's line is exceeded: line {line}, used {used}, this filing {amount}, over by "
                    "{excess}."), {"line": agreement.line_amount, "used": used, "amount": amount,
                                   "excess": used + amount - agreement.line_amount}))
            if p.bidx:
                cap = rules.cap_check(balances.get(p.bidx, Decimal("0.00")), amount, agreement.household_cap)
                if not cap.within:
                    reasons.append(Reason("guarantee_amount", N_(
                        "The customer's household cap is exceeded: balance {balance}, this filing {amount}, cap "
                        "{cap}, over by {excess}."), {"balance": cap.balance, "amount": amount, "cap": cap.cap,
                                                     "excess": -cap.headroom}))
        if ref and ref not in seen:
            seen[ref] = p.report.row
        if not p.report.ok:
            continue
        used += amount  # a row that passes stands for the rows after it
        balances[p.bidx] = balances.get(p.bidx, Decimal("0.00")) + amount
        shares = rules.split_amount(amount, split)
        fee = rules.fee_for(amount, shares["reguarantor"], fee_rules, term)
        p.values = {**{k: v.get(k) for k in ("project_ref", "loan_contract_no", "customer_name", "customer_kind",
                                             "customer_id_number", "scope", "region", "industry", "bank_name",
                                             "loan_amount", "guarantee_amount", "loan_rate", "start_date",
                                             "end_date", "cover_ratio")},
                    "fields": v.get("fields") or {}, "customer_id_number_bidx": p.bidx,
                    **{f"share_{k}": s for k, s in shares.items()}, "fee_rate": fee.rate, "fee_amount": fee.fee}
    return prepared


def _write(session: Session, actor: Actor, agreement: ReguaranteeAgreement, prepared: Sequence[_Prepared], *,
           batch_id: uuid.UUID | None, channel_id: uuid.UUID | None, today: dt.date) -> list[uuid.UUID]:
    """The filings of ``prepared`` (all passed) written with one insert; their numbers given to the reports."""
    tenant = session_tenant(session)
    numbers = take_numbers(session, FILING_PATTERN, today, len(prepared))
    now = dt.datetime.now(dt.UTC)
    rows = []
    for p, number in zip(prepared, numbers, strict=True):
        p.report.filing_no = number
        rows.append({**p.values, "tenant_id": tenant, "id": uuid7(), "filing_no": number, "batch_id": batch_id,
                     "partner_id": agreement.partner_id, "agreement_id": agreement.id,
                     "programme_id": agreement.programme_id, "status": "filed", "reject_reasons": [],
                     "channel_id": channel_id, "created_by": actor.id_uuid, "created_at": now, "updated_at": now})
    if rows:
        session.execute(insert(ReguaranteeFiling), rows)
    for row in rows:
        raise_event(session, ReguaranteeFilingStatusChanged(filing_id=row["id"], filing_no=row["filing_no"],
                                                            channel_id=channel_id, status="filed", changed_on=today))
    return [row["id"] for row in rows]


def _source(source: str) -> str:
    if source not in FILING_SOURCES:
        raise ValidationFailed("{name} is one of {choices}, not {value}.", field="source", name="source",
                               choices=", ".join(FILING_SOURCES), value=str(source)[:40])
    return source


# ---------------------------------------------------------------- filing --------------------------------------------


def check_batch(session: Session, actor: Actor, agreement_id: uuid.UUID,
                rows: Sequence[Mapping[str, Any]]) -> BatchResult:
    """The row-by-row report of ``rows`` under the agreement, nothing written (needs reguarantee:filing:manage)."""
    return file_batch(session, actor, agreement_id, rows, dry_run=True)


def file_one(session: Session, actor: Actor, agreement_id: uuid.UUID, data: Mapping, *, source: str = "single",
             channel_id: uuid.UUID | None = None) -> ReguaranteeFiling:
    """File one guarantee under the agreement (needs reguarantee:filing:manage): checked as a batch row is; the
    filing (status filed) with its split and fee; ValidationFailed listing every reason (in the request's locale)
    when refused. Warnings do not refuse; they are in the audit record. Audited; raises
    ReguaranteeFilingStatusChanged."""
    require(session, actor, FILING, "manage")
    source = _source(source)
    today = business_today()
    agreement, partner = _agreement(session, agreement_id)
    (p,) = _check_rows(session, agreement, partner, [data])
    if not p.report.ok:
        first = next(r for r in p.report.reasons if r.level == ERROR)
        raise ValidationFailed("The filing is refused: {reasons}", field=first.field,
                               reasons="；".join(p.report.errors()))
    (filing_id,) = _write(session, actor, agreement, [p], batch_id=None, channel_id=channel_id, today=today)
    filing = session.scalar(select(ReguaranteeFiling).where(ReguaranteeFiling.id == filing_id))
    audit(session, "reguarantee.filing.filed", entity_type=ENTITY, entity_id=filing.id,
          after={**_image(filing), "source": source, "warnings": p.report.warnings(REPORT_LOCALE)})
    return filing


def file_batch(session: Session, actor: Actor, agreement_id: uuid.UUID, rows: Sequence[Mapping], *,
               source: str = "xlsx", file_name: str = "", dry_run: bool = False,
               channel_id: uuid.UUID | None = None, row_numbers: Sequence[int] | None = None) -> BatchResult:
    """File ``rows`` under the agreement (needs reguarantee:filing:manage), all or nothing: when every row passes,
    a batch and a filing per row (status filed), the report giving each row its filing number; when any row is
    refused, nothing is written and the report says why, row by row. ``dry_run``: the same checks and report,
    nothing written (no numbers taken). ``row_numbers``: how the report numbers the rows (default 1, 2, ...; the
    importer gives the spreadsheet's). Audited (the batch); every filing raises ReguaranteeFilingStatusChanged.
    The filing channel files as its system actor (channel/crossing.py; the sender's permission is checked there)."""
    if not (source == "channel" and actor.type == ACTOR_SYSTEM):
        require(session, actor, FILING, "manage")
    source = _source(source)
    if not 1 <= len(rows) <= MAX_ROWS:
        raise ValidationFailed("A batch holds 1 to {most} rows, not {count}.", field="rows", most=MAX_ROWS,
                               count=len(rows))
    file_name = inputs.text(file_name, "file_name", 200)
    today = business_today()
    agreement, partner = _agreement(session, agreement_id)
    prepared = _check_rows(session, agreement, partner, rows, row_numbers)
    result = BatchResult(agreement.id, dry_run, [p.report for p in prepared])
    result.total_amount = sum((p.clean.values.get("guarantee_amount") or Decimal(0) for p in prepared),
                              Decimal("0.00"))
    if dry_run or not result.ok:
        return result
    (batch_no,) = take_numbers(session, BATCH_PATTERN, today, 1)
    batch = ReguaranteeFilingBatch(batch_no=batch_no, partner_id=partner.id, agreement_id=agreement.id,
                                   source=source, file_name=file_name, row_count=len(prepared),
                                   total_amount=result.total_amount, report=[], created_by=actor.id_uuid)
    session.add(batch)
    session.flush()
    result.filing_ids = _write(session, actor, agreement, prepared, batch_id=batch.id, channel_id=channel_id,
                               today=today)
    batch.report = result.report()
    session.flush()
    result.batch = batch
    audit(session, "reguarantee.filing.batch_filed", entity_type=BATCH_ENTITY, entity_id=batch.id,
          after={"batch_no": batch_no, "agreement_id": str(agreement.id), "source": source,
                 "row_count": len(prepared), "total_amount": result.total_amount,
                 "first_filing_no": prepared[0].report.filing_no, "last_filing_no": prepared[-1].report.filing_no})
    return result


# ---------------------------------------------------------------- status changes ------------------------------------


def _image(f: ReguaranteeFiling) -> dict:
    """A filing as audited (no personal data: no customer name or identity number)."""
    return {"filing_no": f.filing_no, "agreement_id": str(f.agreement_id), "project_ref": f.project_ref,
            "guarantee_amount": f.guarantee_amount, "start_date": f.start_date, "end_date": f.end_date,
            "status": f.status}


def _lock(session: Session, filing_id: uuid.UUID) -> ReguaranteeFiling:
    return lock_by_id(session, ReguaranteeFiling, filing_id, "status", "filing", "filing_id")


def _changed(session: Session, f: ReguaranteeFiling, today: dt.date, reasons: Sequence[str] = ()) -> None:
    raise_event(session, ReguaranteeFilingStatusChanged(filing_id=f.id, filing_no=f.filing_no,
                                                        channel_id=f.channel_id, status=f.status,
                                                        reasons=tuple(reasons), changed_on=today))


def _refuse_status(f: ReguaranteeFiling, wanted: str, template: str) -> None:
    if f.status != wanted:
        raise Conflict(template, field="filing_id", filing_no=f.filing_no, status=FILING_STATUSES[f.status])


def confirm_filing(session: Session, actor: Actor, filing_id: uuid.UUID) -> ReguaranteeFiling:
    """A filed filing becomes confirmed (在保) on the business date (needs reguarantee:filing:confirm), by a person
    other than the one who filed it (four eyes); audited; raises ReguaranteeFilingStatusChanged."""
    require(session, actor, FILING, "confirm")
    f = _lock(session, filing_id)
    _refuse_status(f, "filed", N_("Only a filing awaiting confirmation can be confirmed; {filing_no} is {status}."))
    if actor.id_uuid is None or actor.id_uuid == f.created_by:
        raise Conflict("A filing is confirmed by another person than the one who filed it (four eyes).",
                       field="filing_id")
    today = business_today()
    before = _image(f)
    f.status, f.confirmed_on, f.confirmed_by = "confirmed", today, actor.id_uuid
    session.flush()
    audit(session, "reguarantee.filing.confirmed", entity_type=ENTITY, entity_id=f.id, before=before,
          after=_image(f))
    _changed(session, f, today)
    return f


def reject_filing(session: Session, actor: Actor, filing_id: uuid.UUID, reasons: Sequence[str]) -> ReguaranteeFiling:
    """A filed filing is returned (已退回) with the reasons (needs reguarantee:filing:confirm; four eyes as for
    confirming); it no longer uses the line or the customer's cap; audited; raises ReguaranteeFilingStatusChanged
    with the reasons."""
    require(session, actor, FILING, "confirm")
    if isinstance(reasons, str) or not isinstance(reasons, Sequence):
        reasons = []
    clean = [inputs.text(r, "reasons", MAX_REASON_CHARS) for r in reasons]
    clean = [r for r in clean if r]
    if not clean or len(clean) > MAX_REASONS:
        raise ValidationFailed("Give 1 to {most} reasons for returning the filing.", field="reasons",
                               most=MAX_REASONS)
    f = _lock(session, filing_id)
    _refuse_status(f, "filed", N_("Only a filing awaiting confirmation can be returned; {filing_no} is {status}."))
    if actor.id_uuid is None or actor.id_uuid == f.created_by:
        raise Conflict("A filing is confirmed by another person than the one who filed it (four eyes).",
                       field="filing_id")
    today = business_today()
    before = _image(f)
    f.status, f.reject_reasons = "rejected", clean
    session.flush()
    audit(session, "reguarantee.filing.rejected", entity_type=ENTITY, entity_id=f.id, before=before,
          after={**_image(f), "reasons": clean})
    _changed(session, f, today, clean)
    return f


def release_filing(session: Session, actor: Actor, filing_id: uuid.UUID, *, kind: str,
                   on: dt.date) -> ReguaranteeFiling:
    """A confirmed filing ends (解保) on the business date ``on`` (needs reguarantee:filing:manage): ``kind``
    "normal" -> released, "compensation" -> compensated (conventions.RELEASE_KINDS). ``on`` is not before the
    start date nor after today. It no longer uses the line or the cap. Audited; raises
    ReguaranteeFilingStatusChanged."""
    require(session, actor, FILING, "manage")
    if kind not in RELEASE_KINDS:
        raise ValidationFailed("{name} is one of {choices}, not {value}.", field="kind", name="kind",
                               choices=", ".join(RELEASE_KINDS), value=str(kind)[:40])
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise ValidationFailed("Give {name}.", field="on", name="on")
    f = _lock(session, filing_id)
    _refuse_status(f, "confirmed", N_("Only a filing in force can be released; {filing_no} is {status}."))
    if on < f.start_date:
        raise ValidationFailed("The release date {on} is before the filing's start date {start}.", field="on",
                               on=on, start=f.start_date)
    today = business_today()
    if on > today:
        raise ValidationFailed("The release date {on} is after today ({today}).", field="on", on=on, today=today)
    before = _image(f)
    f.status, f.released_on, f.release_kind, f.released_by = RELEASE_KINDS[kind][1], on, kind, actor.id_uuid
    session.flush()
    audit(session, "reguarantee.filing.released", entity_type=ENTITY, entity_id=f.id, before=before,
          after={**_image(f), "release_kind": kind, "released_on": on})
    _changed(session, f, on)
    return f


# ---------------------------------------------------------------- reading -------------------------------------------


@dataclass(frozen=True)
class FilingFilter:
    partner_id: uuid.UUID | None = None
    agreement_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    status: str | None = None
    batch_id: uuid.UUID | None = None


def search_statement(session: Session, actor: Actor, f: FilingFilter | None = None) -> Select:
    """The filings a list shows (needs reguarantee:filing:read), filtered by partner, agreement, programme, status,
    batch."""
    require(session, actor, FILING, "read")
    f = f or FilingFilter()
    stmt = select(ReguaranteeFiling)
    for name in ("partner_id", "agreement_id", "programme_id", "batch_id"):
        value = getattr(f, name)
        if value is not None:
            stmt = stmt.where(getattr(ReguaranteeFiling, name) == value)
    if f.status is not None:
        if f.status not in FILING_STATUSES:
            raise ValidationFailed("{name} is one of {choices}, not {value}.", field="status", name="status",
                                   choices=", ".join(FILING_STATUSES), value=str(f.status)[:40])
        stmt = stmt.where(ReguaranteeFiling.status == f.status)
    return stmt


def get_filing(session: Session, actor: Actor | None, filing_id: uuid.UUID) -> ReguaranteeFiling:
    """One filing (needs reguarantee:filing:read unless ``actor`` is None)."""
    if actor is not None:
        require(session, actor, FILING, "read")
    row = session.scalar(select(ReguaranteeFiling).where(ReguaranteeFiling.id == filing_id))
    if row is None:
        raise NotFound("No filing with that id.", field="filing_id")
    return row


def line_usage(session: Session, actor: Actor, agreement_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID,
                                                                                          usage.LineUsage]:
    """Agreement id -> line, used (standing filings), available (needs reguarantee:filing:read)."""
    require(session, actor, FILING, "read")
    agreements = list(session.scalars(select(ReguaranteeAgreement)
                                      .where(ReguaranteeAgreement.id.in_(list(agreement_ids)))))
    return usage.line_usage(session, agreements)
