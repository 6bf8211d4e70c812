"""The business plugins' figures and exposures for a date, gathered through the door (core/ports/regulatory.py),
never from their tables; memoised per session and dates, since a report reads the same dates for several rows and
periods (docs/regulatory/figures.md).

The memo lives in ``session.info`` and is dropped whenever the session flushes, commits or rolls back, so a write in
the same session (a backdated ledger entry, say) shows in the next call; a fresh session always reads afresh.

:func:`read_figures` is the checked read behind the ``regulatoryFigures`` query: regulatory:report:read, the period
start not after its end."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import event
from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import ValidationFailed
from surety.core.ports import regulatory as door
from surety.core.ports.regulatory import Exposure, Figure, PeriodReport
from surety.plugins.regulatory.measures.permissions import REPORT

_MEMO = "surety.regulatory.measures.memo"


def _memo(session: Session) -> dict:
    return session.info.setdefault(_MEMO, {})


def forget(session: Session, *_args) -> None:
    """Drop the session's memo (called on flush, commit and rollback)."""
    session.info.pop(_MEMO, None)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, forget)


def figures_for(session: Session, as_of: dt.date, period_start: dt.date) -> tuple[Figure, ...]:
    """Every enabled plugin's figures: stocks at the end of ``as_of``, flows over ``period_start`` .. ``as_of``."""
    memo, key = _memo(session), ("figures", as_of, period_start)
    if key not in memo:
        memo[key] = tuple(door.report_figures(session, as_of, period_start))
    return memo[key]


def exposures_for(session: Session, as_of: dt.date) -> tuple[Exposure, ...]:
    """Every enabled plugin's in-force exposures at the end of ``as_of``."""
    memo, key = _memo(session), ("exposures", as_of)
    if key not in memo:
        memo[key] = tuple(door.exposures(session, as_of))
    return memo[key]


def report_for(session: Session, periods: Sequence[tuple[dt.date, dt.date]], cuts: Sequence[Decimal],
               basis: str) -> dict[tuple[dt.date, dt.date], PeriodReport]:
    """Every enabled plugin's figures and exposure bands for each ``(as_of, period_start)`` of ``periods`` at once
    (core.ports.regulatory.report_batch: one call per plugin that answers the batch), memoised like the others."""
    memo, key = _memo(session), ("batch", tuple(dict.fromkeys(periods)), tuple(sorted(set(cuts))), basis)
    if key not in memo:
        memo[key] = door.report_batch(session, key[1], key[2], basis)
    return memo[key]


@dataclasses.dataclass(frozen=True)
class Figures:
    as_of: dt.date
    period_start: dt.date
    figures: tuple[Figure, ...]


def read_figures(session: Session, actor: Actor, as_of: dt.date, period_start: dt.date | None = None) -> Figures:
    """The figures for ``as_of`` and the period from ``period_start`` (default: 1 January of ``as_of``'s year), for
    someone holding regulatory:report:read; a period starting after ``as_of`` is refused."""
    require(session, actor, REPORT, "read")
    start = period_start or dt.date(as_of.year, 1, 1)
    if start > as_of:
        raise ValidationFailed("The period starts on {start}, after its end {end}.", field="period_start",
                               start=start.isoformat(), end=as_of.isoformat())
    return Figures(as_of=as_of, period_start=start, figures=figures_for(session, as_of, start))
