"""This plugin's answers for the limit check before an approval (docs/regulatory/limits.md, "Cost"): the in-force
exposures of a few customers only (hook ``regulatory_customer_exposures``) and the token that tells the regulatory
plugin whether its cached whole-book figures still hold (hook ``regulatory_book_version``).

- :func:`customer_exposures` is :func:`regulatory_figures.exposures` restricted to the customers' projects: the same
  per-project step (:func:`regulatory_figures.ledger_per_project`) reading only the ledger entries of those
  projects (index ``ix_guarantee_projects_customer``, then ``ix_guarantee_ledger_entries_project``), the same types
  and the same merge, so its exposures are exactly the whole book's for those customers (a test compares them).
- :func:`book_version`: the ids of the tenant's :data:`RECENT_ENTRIES` newest ledger entries (the primary key
  ``(tenant_id, id)`` read backwards with a ``LIMIT``: one short index scan), as the newest id, their number and a
  digest. Entry ids are UUIDv7 (time-ordered by their creation, core.db.base.uuid7), so a new entry (a backdated
  correction included) usually raises the newest id; an entry whose transaction commits after a later-created
  entry's has committed does not, but it lands among the newest and changes the digest (unless more than
  :data:`RECENT_ENTRIES` entries were created while it waited to commit; then the next new entry changes the token).
  Ledger entries are never updated in their amounts or dates nor deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Collection

from sqlalchemy import Date, and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from surety.core.ports import customers as door
from surety.core.ports.regulatory import Exposure
from surety.plugins.guarantee.ledger import regulatory_figures as figures
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.project.models import GuaranteeCreditLine, GuaranteeProject


def _statement(session: Session):
    """The customers' exposures statement with the date and the customer ids as bound parameters (``as_of``,
    ``customer_ids``): built once per process and customers table (building it costs more than running it)."""
    customers = door.columns(session).entity
    built = _BUILT.get(id(customers))
    if built is not None:
        return built
    p, line = GuaranteeProject, GuaranteeCreditLine
    theirs = select(p.id).where(p.customer_id.in_(bindparam("customer_ids", expanding=True)))
    sub = figures.ledger_per_project(bindparam("as_of", type_=Date), project_ids=theirs).subquery("guarantee_customer_projects")
    in_force = and_(sub.c.effective > 0, sub.c.released == 0, sub.c.balance > 0)
    stmt, btype, ctype = figures.typed(session, select().select_from(sub).join(p, p.id == sub.c.project_id))
    stmt = (stmt.add_columns(p.customer_id, btype, ctype, line.risk_share_ratio,
                             func.sum(case((in_force, sub.c.balance), else_=0)),
                             func.sum(case((in_force, 1), else_=0)))
            .group_by(p.customer_id, btype, ctype, line.risk_share_ratio)
            .having(func.sum(case((in_force, 1), else_=0)) > 0))
    _BUILT[id(customers)] = stmt
    return stmt


_BUILT: dict[int, object] = {}


def customer_exposures(session: Session, as_of: dt.date, customer_ids: Collection[uuid.UUID]) -> list[Exposure]:
    """The in-force exposures at the end of ``as_of`` of ``customer_ids`` (those :func:`regulatory_figures.exposures`
    gives for them), one statement over those customers' projects only."""
    wanted = sorted({uuid.UUID(str(c)) for c in customer_ids}, key=str)
    if not wanted:
        return []
    rows = session.execute(_statement(session), {"as_of": as_of, "customer_ids": wanted}).all()
    return figures.merge_exposures(rows)


#: The newest ledger entries the book version is taken over (by id).
RECENT_ENTRIES = 128


def book_version(session: Session) -> str:
    """The token of the ledger's newest entries (module docstring): ``"0"`` before any."""
    e = GuaranteeLedgerEntry  # ORDER BY ... LIMIT, not max(): PostgreSQL has no max(uuid)
    ids = session.scalars(select(e.id).order_by(e.tenant_id.desc(), e.id.desc()).limit(RECENT_ENTRIES)).all()
    if not ids:
        return "0"
    digest = hashlib.blake2b(b"".join(i.bytes for i in ids), digest_size=8).hexdigest()
    return f"{ids[0]}:{len(ids)}:{digest}"
