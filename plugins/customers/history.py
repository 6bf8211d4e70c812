"""Versions of a customer: a snapshot per change (personal data masked, with a blind-index fingerprint so a change
is visible without keeping the value in clear), and field-level diffs between versions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.crypto.masking import mask
from surety.core.errors import NotFound

from surety.plugins.customers.models import Customer, CustomerVersion

#: Encrypted fields: ``(attribute, masking kind, blind-index attribute)``.
SECRET_FIELDS = (
    ("id_number", "id_number", "id_number_bidx"),
    ("phone", "phone", "phone_bidx"),
    ("bank_account", "bank_account", "bank_account_bidx"),
    ("address", "address", "address_bidx"),
    ("legal_rep_id_number", "id_number", "legal_rep_id_bidx"),
)
PLAIN_FIELDS = ("kind", "name", "bank_name", "occupation", "annual_income", "total_assets", "family",
                "legal_rep_name", "registered_capital", "industry", "region", "size", "shareholders", "key_people",
                "owner_id", "org_unit_id", "tags", "deleted_at")
FINGERPRINTS = "_fp"
#: Where a snapshot keeps the custom values (only versions made by a custom-value change carry them).
CUSTOM = "custom"


def _plain(value: Any) -> Any:
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(customer: Customer) -> dict[str, Any]:
    """The customer's fields as JSON, personal data masked, fingerprints (blind-index prefixes) under ``_fp``."""
    snap = {f: _plain(getattr(customer, f)) for f in PLAIN_FIELDS}
    fps = {}
    for attr, kind, bidx in SECRET_FIELDS:
        value = getattr(customer, attr)
        snap[attr] = mask(value, kind) if value is not None else None
        fps[attr] = (getattr(customer, bidx) or "")[:16] or None
    snap[FINGERPRINTS] = fps
    return snap


def audit_image(snap: dict[str, Any]) -> dict[str, Any]:
    """A snapshot for the audit log: ``name`` under the sensitive key ``customer_name`` (so it is redacted along
    with the other personal-data keys), fingerprints dropped."""
    image = {("customer_name" if k == "name" else k): v for k, v in snap.items() if k != FINGERPRINTS}
    return image


def record_version(session: Session, customer: Customer, action: str, actor: Actor | None, *,
                   custom: dict[str, Any] | None = None) -> CustomerVersion:
    """Keep the customer's current state as a version; ``custom``: its custom values as shown (masked), kept under
    ``custom`` in the snapshot (docs/custom-fields.md)."""
    snap = snapshot(customer)
    if custom is not None:
        snap[CUSTOM] = custom
    row = CustomerVersion(customer_id=customer.id, version=customer.version, action=action,
                          snapshot=snap, changed_by=actor.subject if actor and actor.id else None)
    session.add(row)
    return row


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """Fields that differ between two snapshots (personal data compared by fingerprint, shown masked)."""
    before = before or {}
    fb, fa = before.get(FINGERPRINTS) or {}, after.get(FINGERPRINTS) or {}
    secret = {attr for attr, _, _ in SECRET_FIELDS}
    out = []
    for field in [*PLAIN_FIELDS, *(a for a, _, _ in SECRET_FIELDS)]:
        if field in secret:
            changed = fb.get(field) != fa.get(field)
        else:
            changed = before.get(field) != after.get(field)
        if changed:
            out.append(FieldChange(field, before.get(field), after.get(field)))
    if CUSTOM in after:  # compared with the last version that carried them
        was = before.get(CUSTOM) or {}
        for key in sorted(set(was) | set(after[CUSTOM])):
            if was.get(key) != after[CUSTOM].get(key):
                out.append(FieldChange(f"{CUSTOM}.{key}", was.get(key), after[CUSTOM].get(key)))
    return out


@dataclass(frozen=True)
class VersionView:
    version: int
    action: str
    changed_by: str | None
    changed_at: Any
    snapshot: dict
    changes: list[FieldChange]


def history(session: Session, customer_id: uuid.UUID) -> list[VersionView]:
    """Every version of a customer, oldest first, each with its changes against the previous one. The caller has
    checked that the customer is visible."""
    rows = session.scalars(select(CustomerVersion).where(CustomerVersion.customer_id == customer_id)
                           .order_by(CustomerVersion.version)).all()
    out, prev, custom = [], None, {}
    for r in rows:
        before = {**(prev or {}), CUSTOM: custom} if prev is not None else None
        out.append(VersionView(r.version, r.action, r.changed_by, r.changed_at, r.snapshot, diff(before, r.snapshot)))
        prev = r.snapshot
        custom = r.snapshot.get(CUSTOM, custom)
    return out


def version_diff(session: Session, customer_id: uuid.UUID, from_version: int, to_version: int) -> list[FieldChange]:
    """Field-level changes from one kept version to another."""
    snaps = {r.version: r.snapshot for r in session.scalars(
        select(CustomerVersion).where(CustomerVersion.customer_id == customer_id,
                                      CustomerVersion.version.in_([from_version, to_version])))}
    for v, field in ((from_version, "from_version"), (to_version, "to_version")):
        if v not in snaps:
            raise NotFound("The customer has no version {version}.", field=field, version=v)
    return diff(snaps[from_version], snaps[to_version])
