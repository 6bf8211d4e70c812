"""Hooks the ``regulatory`` plugin declares for the business plugins (returned from ``surety_plugin_hookspecs``).

The values they answer with are defined in core/ports/regulatory.py (so an implementing plugin imports core, never
this plugin); call them through that module. docs/plugins.md lists each with its exact signature."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from surety.core.hookspecs import hookspec
from surety.core.ports.regulatory import CreditEvent, Exposure, Figure, PeriodReport


@hookspec
def regulatory_report_figures(session: Session, as_of: dt.date, period_start: dt.date) -> list[Figure] | None:
    """The plugin's figures for the session's tenant: stock measures at the end of ``as_of``, flow measures summed
    over the business dates ``period_start`` .. ``as_of`` inclusive, both rebuilt from recorded history."""


@hookspec
def regulatory_exposures(session: Session, as_of: dt.date) -> list[Exposure] | None:
    """The plugin's in-force guarantee exposures at the end of ``as_of``, aggregated per customer, business type,
    customer type and rating (the liability balance's weights and the concentration limits read them)."""


@hookspec
def regulatory_report_batch(session: Session, periods: Sequence[tuple[dt.date, dt.date]], cuts: Sequence[Decimal],
                            basis: str) -> list[PeriodReport] | None:
    """The plugin's answer for several ``(as_of, period_start)`` at once, one ``PeriodReport`` per period. Each holds
    the figures ``regulatory_report_figures`` gives for those dates and the in-force exposures at the end of ``as_of``
    summed into bands (``ExposureBand``: each customer's aggregated balance of a business type, ``basis`` ``gross`` or
    ``own``, placed among the ascending ``cuts``). None: the plugin is asked date by date through
    ``regulatory_report_figures`` and ``regulatory_exposures`` instead (a report form reads its columns' dates this
    way, so a plugin may read them all in one scan)."""


@hookspec(firstresult=True)
def regulatory_proposed_exposures(session: Session, subject_type: str, subject_id: str) -> list[Exposure] | None:
    """What approving the workflow subject (``guarantee:project`` and a project's id, say) would add to the
    exposures; None when the plugin does not know the subject type (the next plugin is asked)."""


@hookspec
def regulatory_customer_exposures(session: Session, as_of: dt.date,
                                  customer_ids: Collection[uuid.UUID]) -> list[Exposure] | None:
    """The plugin's in-force exposures at the end of ``as_of`` of the customers ``customer_ids`` only, exactly as
    ``regulatory_exposures`` gives them for those customers (the limit check reads the subject's customers and
    their related parties, not the whole book); read only those customers' records."""


@hookspec
def regulatory_book_version(session: Session) -> str | None:
    """A cheap token (one small statement) that changes whenever the plugin's answers to ``regulatory_exposures`` and
    ``regulatory_report_figures`` may have changed for some date; None when the plugin keeps none (its answers are
    then read afresh every time). The limit check caches the whole book's figures per tenant, date and token."""


@hookspec
def regulatory_credit_events(session: Session, period_start: dt.date, period_end: dt.date) -> list[CreditEvent] | None:
    """The plugin's guarantee-account events for the credit-reporting file (二代征信) dated ``period_start`` ..
    ``period_end`` inclusive: accounts opened, balances changed, classes changed, accounts closed, collection accounts
    opened by a compensation and changed by recoveries, each with the balance after it."""
