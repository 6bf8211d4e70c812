"""Cooperation agreements: create, change (a draft), activate, expire, list, read; and what an agreement answers
before any filing exists: the fee preview (split, fee, cap) and the eligibility check (docs/reguarantee/README.md,
"Agreements"). The figures are agreement/rules.py's."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.agreement import rules
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.agreement.permissions import AGREEMENT
from surety.plugins.reguarantee.agreement.programmes import clean_fee_rules, clean_split, get_programme
from surety.plugins.reguarantee.conventions import AGREEMENT_STATUSES
from surety.plugins.reguarantee.partner.models import ReguaranteePartner

ENTITY = AGREEMENT
#: Fields a person gives when creating or changing an agreement.
FIELDS = ("agreement_no", "partner_id", "programme_id", "line_amount", "valid_from", "valid_to", "split",
          "base_fee_rate", "reduced_fee_rate", "reduced_threshold", "fee_multiplier", "household_cap",
          "eligibility_rules")
#: Fee and cap fields an agreement copies from its programme when not given.
PROGRAMME_TERMS = ("base_fee_rate", "reduced_fee_rate", "reduced_threshold", "fee_multiplier", "household_cap")
SHARE_COLUMNS = {p: f"share_{p}" for p in rules.PARTIES}
#: Keyset order of the agreements list: newest first by valid_from, then id.
ORDER = (ReguaranteeAgreement.valid_from, ReguaranteeAgreement.id)
#: Most rules an agreement may hold.
MAX_RULES = 50
#: Longest term (days) a fee preview accepts (30 years).
MAX_TERM_DAYS = 30 * 366


def clean_rules(value: Any) -> list[dict]:
    """Eligibility rules as stored: a list of ``{field, op, value, message}``; ``in``/``not_in`` take a list,
    the order operators a number, and every rule a zh-CN message (the reason shown when it fails)."""
    if not isinstance(value, Sequence) or isinstance(value, str | bytes) or len(value) > MAX_RULES:
        raise ValidationFailed("eligibility_rules is a list of at most {most} rules.", field="eligibility_rules",
                               most=MAX_RULES)
    out = []
    for n, rule in enumerate(value, start=1):
        if not isinstance(rule, Mapping) or set(rule) != {"field", "op", "value", "message"}:
            raise ValidationFailed("Rule {n} has exactly the keys field, op, value and message.",
                                   field="eligibility_rules", n=n)
        op = rule["op"]
        if op not in rules.OPS:
            raise ValidationFailed("Rule {n}: the operator is one of {ops}, not {op}.", field="eligibility_rules",
                                   n=n, ops=", ".join(rules.OPS), op=str(op)[:10])
        wanted = rule["value"]
        if op in ("in", "not_in"):
            if not isinstance(wanted, Sequence) or isinstance(wanted, str) or not wanted:
                raise ValidationFailed("Rule {n}: in and not_in take a list of values.", field="eligibility_rules",
                                       n=n)
            wanted = [inputs.text(w, "eligibility_rules", 100, required=True) for w in wanted]
        elif op in rules.NUMERIC_OPS:
            wanted = str(inputs.number(wanted, field="eligibility_rules"))
        else:
            wanted = inputs.text(wanted, "eligibility_rules", 100, required=True)
        out.append({"field": inputs.text(rule["field"], "eligibility_rules", 60, required=True), "op": op,
                    "value": wanted, "message": inputs.text(rule["message"], "eligibility_rules", 200,
                                                            required=True)})
    return out


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown agreement field {name}.", field=unknown[0], name=unknown[0])
    out = clean_fee_rules(data)
    if "agreement_no" in data:
        out["agreement_no"] = inputs.text(data["agreement_no"], "agreement_no", 40, required=True)
    for name in ("partner_id", "programme_id"):
        if name in data:
            if not isinstance(data[name], uuid.UUID):
                raise ValidationFailed("Give {name}.", field=name, name=name)
            out[name] = data[name]
    if "line_amount" in data:
        out["line_amount"] = inputs.money(data["line_amount"], "line_amount", positive=True)
    for name in ("valid_from", "valid_to"):
        if name in data:
            if not isinstance(data[name], dt.date):
                raise ValidationFailed("Give {name}.", field=name, name=name)
            out[name] = data[name]
    if "split" in data:
        out.update({SHARE_COLUMNS[p]: v for p, v in clean_split(data["split"]).items()})
    if "eligibility_rules" in data:
        out["eligibility_rules"] = clean_rules(data["eligibility_rules"])
    return out


def split_of(a: ReguaranteeAgreement) -> dict[str, Decimal]:
    """An agreement's risk-sharing split: party -> fraction."""
    return {p: getattr(a, c) for p, c in SHARE_COLUMNS.items()}


def fee_rules_of(a: ReguaranteeAgreement) -> rules.FeeRules:
    return rules.FeeRules(base_rate=a.base_fee_rate, reduced_rate=a.reduced_fee_rate,
                          reduced_threshold=a.reduced_threshold, multiplier=a.fee_multiplier)


def _check(session: Session, a: ReguaranteeAgreement) -> None:
    if a.valid_to <= a.valid_from:
        raise ValidationFailed("The agreement ends ({valid_to}) before it starts ({valid_from}).", field="valid_to",
                               valid_to=a.valid_to, valid_from=a.valid_from)
    programme = get_programme(session, a.programme_id)
    if a.share_national_fund > programme.fund_share_max:
        raise ValidationFailed("The national fund's part {part} is above the programme's maximum {maximum}.",
                               field="split", part=a.share_national_fund, maximum=programme.fund_share_max)
    if (a.reduced_fee_rate is None) != (a.reduced_threshold is None):
        raise ValidationFailed("Give the reduced fee rate and its threshold together.", field="reduced_fee_rate")


def _image(a: ReguaranteeAgreement) -> dict:
    return {"agreement_no": a.agreement_no, "partner_id": str(a.partner_id), "programme_id": str(a.programme_id),
            "line_amount": a.line_amount, "valid_from": a.valid_from, "valid_to": a.valid_to,
            "split": split_of(a), **{f: getattr(a, f) for f in PROGRAMME_TERMS},
            "eligibility_rules": a.eligibility_rules, "status": a.status}


def _partner(session: Session, partner_id: uuid.UUID) -> ReguaranteePartner:
    partner = session.scalar(select(ReguaranteePartner).where(ReguaranteePartner.id == partner_id))
    if partner is None:
        raise NotFound("No partner institution with that id.", field="partner_id")
    if partner.status == "terminated":
        raise Conflict("The cooperation with {partner_name} has been terminated.", field="partner_id",
                       partner_name=partner.name)
    return partner


def _refuse_duplicate(session: Session, number: str, exclude: uuid.UUID | None = None) -> None:
    found = session.scalar(select(ReguaranteeAgreement.id).where(ReguaranteeAgreement.agreement_no == number))
    if found is not None and found != exclude:
        raise Conflict("An agreement numbered {agreement_no} already exists.", field="agreement_no",
                       agreement_no=number)


# ---------------------------------------------------------------- reading -------------------------------------------


@dataclass(frozen=True)
class AgreementFilter:
    partner_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    status: str | None = None


def search_statement(session: Session, actor: Actor, f: AgreementFilter | None = None) -> Select:
    """The agreements a list shows (needs reguarantee:agreement:read), filtered by partner, programme, status."""
    require(session, actor, AGREEMENT, "read")
    f = f or AgreementFilter()
    stmt = select(ReguaranteeAgreement)
    if f.partner_id is not None:
        stmt = stmt.where(ReguaranteeAgreement.partner_id == f.partner_id)
    if f.programme_id is not None:
        stmt = stmt.where(ReguaranteeAgreement.programme_id == f.programme_id)
    if f.status is not None:
        if f.status not in AGREEMENT_STATUSES:
            raise ValidationFailed("{name} is one of {choices}, not {value}.", field="status", name="status",
                                   choices=", ".join(AGREEMENT_STATUSES), value=str(f.status)[:40])
        stmt = stmt.where(ReguaranteeAgreement.status == f.status)
    return stmt


def get_agreement(session: Session, actor: Actor | None, agreement_id: uuid.UUID,
                  field: str = "agreement_id") -> ReguaranteeAgreement:
    """One agreement (needs reguarantee:agreement:read unless ``actor`` is None)."""
    if actor is not None:
        require(session, actor, AGREEMENT, "read")
    row = session.scalar(select(ReguaranteeAgreement).where(ReguaranteeAgreement.id == agreement_id))
    if row is None:
        raise NotFound("No agreement with that id.", field=field)
    return row


# ---------------------------------------------------------------- writing -------------------------------------------


def create_agreement(session: Session, actor: Actor, data: Mapping[str, Any]) -> ReguaranteeAgreement:
    """A new agreement in draft (needs reguarantee:agreement:manage): number, partner, programme, line and validity
    required; the split, fee rules and cap default to the programme's; audited."""
    require(session, actor, AGREEMENT, "manage")
    values = _clean(data)
    for name in ("agreement_no", "partner_id", "programme_id", "line_amount", "valid_from", "valid_to"):
        if name not in values:
            raise ValidationFailed("Give {name}.", field=name, name=name)
    _partner(session, values["partner_id"])
    programme = get_programme(session, values["programme_id"])
    _refuse_duplicate(session, values["agreement_no"])
    defaults = {f: getattr(programme, f) for f in PROGRAMME_TERMS}
    defaults.update({SHARE_COLUMNS[p]: Decimal(v) for p, v in programme.split.items()})
    row = ReguaranteeAgreement(**{**defaults, "eligibility_rules": [], **values}, status="draft",
                               created_by=actor.id_uuid)
    _check(session, row)
    session.add(row)
    session.flush()
    audit(session, "reguarantee.agreement.created", entity_type=ENTITY, entity_id=row.id, after=_image(row))
    return row


def update_agreement(session: Session, actor: Actor, agreement_id: uuid.UUID,
                     data: Mapping[str, Any]) -> ReguaranteeAgreement:
    """Change the given fields of a draft agreement (needs reguarantee:agreement:manage); an active or expired
    agreement is refused (its terms are what filings were made under); audited."""
    require(session, actor, AGREEMENT, "manage")
    values = _clean(data)
    row = lock_by_id(session, ReguaranteeAgreement, agreement_id, "status", "agreement", "id")
    if row.status != "draft":
        raise Conflict("Only a draft agreement can be changed; {agreement_no} is {status}.", field="id",
                       agreement_no=row.agreement_no, status=AGREEMENT_STATUSES[row.status])
    if "partner_id" in values:
        _partner(session, values["partner_id"])
    if "agreement_no" in values:
        _refuse_duplicate(session, values["agreement_no"], exclude=row.id)
    before = _image(row)
    for name, value in values.items():
        setattr(row, name, value)
    _check(session, row)
    session.flush()
    audit(session, "reguarantee.agreement.updated", entity_type=ENTITY, entity_id=row.id, before=before,
          after=_image(row))
    return row


def activate_agreement(session: Session, actor: Actor, agreement_id: uuid.UUID,
                       today: dt.date | None = None) -> ReguaranteeAgreement:
    """A draft agreement becomes active (needs reguarantee:agreement:manage): its partner must be 合作中 and the
    agreement not ended before ``today``; audited."""
    require(session, actor, AGREEMENT, "manage")
    today = today or business_today()
    row = lock_by_id(session, ReguaranteeAgreement, agreement_id, "status", "agreement", "id")
    if row.status != "draft":
        raise Conflict("Only a draft agreement can be activated; {agreement_no} is {status}.", field="id",
                       agreement_no=row.agreement_no, status=AGREEMENT_STATUSES[row.status])
    partner = _partner(session, row.partner_id)
    if partner.status != "active":
        raise Conflict("{partner_name} is not a partner in cooperation (合作中); admit it first.", field="id",
                       partner_name=partner.name)
    if row.valid_to < today:
        raise Conflict("The agreement ended on {valid_to}.", field="id", valid_to=row.valid_to)
    row.status = "active"
    session.flush()
    audit(session, "reguarantee.agreement.activated", entity_type=ENTITY, entity_id=row.id,
          before={"status": "draft"}, after={"status": "active"})
    return row


def expire_agreements(session: Session, day: dt.date) -> int:
    """Active agreements whose validity ended before ``day`` become expired (day-end job); how many."""
    result = session.execute(update(ReguaranteeAgreement)
                             .where(ReguaranteeAgreement.status == "active", ReguaranteeAgreement.valid_to < day)
                             .values(status="expired").execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


# ---------------------------------------------------------------- previews ------------------------------------------


@dataclass(frozen=True)
class FeePreview:
    agreement: ReguaranteeAgreement
    amount: Decimal
    shares: dict[str, Decimal]
    fee: rules.Fee
    cap: rules.CapCheck


def fee_preview(session: Session, actor: Actor, agreement_id: uuid.UUID, amount: Any, term_days: Any,
                customer_balance: Any = Decimal(0)) -> FeePreview:
    """The split of a guaranteed ``amount`` under an agreement, the fee of the re-guarantor's share over
    ``term_days`` and the single-household cap check of the amount on ``customer_balance`` (needs
    reguarantee:agreement:read; nothing is saved)."""
    a = get_agreement(session, actor, agreement_id)
    amount = inputs.money(amount, "amount", positive=True)
    days = inputs.whole(term_days, "term_days", 1, MAX_TERM_DAYS, "days")
    balance = inputs.money(customer_balance, "customer_balance")
    shares = rules.split_amount(amount, split_of(a))
    return FeePreview(agreement=a, amount=amount, shares=shares,
                      fee=rules.fee_for(amount, shares["reguarantor"], fee_rules_of(a), days),
                      cap=rules.cap_check(balance, amount, a.household_cap))


def eligibility_check(session: Session, actor: Actor, agreement_id: uuid.UUID,
                      fields: Mapping[str, Any]) -> list[str]:
    """The zh-CN reasons a filing with ``fields`` fails the agreement's eligibility rules ([]: eligible; needs
    reguarantee:agreement:read)."""
    a = get_agreement(session, actor, agreement_id)
    return rules.failed_rules(a.eligibility_rules, fields)
