"""The credit-reporting file of a period (二代征信 guarantee accounts, an outline of the layout, not the PBOC
specification; docs/regulatory/credit.md): the account events every enabled business plugin reports
(core/ports/regulatory.py ``credit_events``, hook ``regulatory_credit_events``) as a UTF-8 CSV text, CRLF line ends:

* a header record ``H, SURETY-CREDIT, 1.0, company, period, period start, period end, records, made on``;
* one ``D`` record per event, by date then account: ``D, sequence, date (yyyymmdd), event code, event kind,
  account, customer id, business type, amount, balance after, class code`` (amounts in yuan to the fen).

Event codes: :data:`EVENT_CODES`; class codes: 1 正常 .. 5 损失 (:data:`CLASS_CODES`). Needs
regulatory:credit:export; audited with the period and the count (never the contents)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.session import session_tenant
from surety.core.ports import regulatory as port
from surety.core.workflow.engine import business_today
from surety.plugins.regulatory.credit.permissions import CREDIT
from surety.plugins.regulatory.forms import periods
from surety.tenants.models import Tenant

FORMAT, VERSION = "SURETY-CREDIT", "1.0"
CONTENT_TYPE = "text/csv; charset=utf-8"
EVENT_CODES = {"opened": "10", "balance_changed": "20", "class_changed": "30", "closed": "40",
               "collection_opened": "50", "collection_changed": "60"}
CLASS_CODES = {"normal": "1", "special_mention": "2", "substandard": "3", "doubtful": "4", "loss": "5"}


@dataclass(frozen=True)
class CreditFile:
    filename: str
    content_type: str
    data: bytes
    records: int


def render(company: str, period: periods.Period, events: list[port.CreditEvent], made_on: dt.date) -> bytes:
    """The file's bytes (module docstring)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["H", FORMAT, VERSION, company, period.key, period.start.strftime("%Y%m%d"),
                period.end.strftime("%Y%m%d"), len(events), made_on.strftime("%Y%m%d")])
    for n, e in enumerate(sorted(events, key=lambda ev: (ev.day, ev.account)), start=1):
        w.writerow(["D", n, e.day.strftime("%Y%m%d"), EVENT_CODES.get(e.kind, "99"), e.kind, e.account,
                    str(e.customer_id), e.business_type, f"{e.amount:.2f}", f"{e.balance:.2f}",
                    CLASS_CODES.get(e.risk_class, "")])
    return out.getvalue().encode("utf-8")


def credit_file(session: Session, actor: Actor, period: str, today: dt.date | None = None) -> CreditFile:
    """The credit-reporting file of ``period`` (``2026M11`` or ``2026Q3``), rebuilt from the records as they
    stand (a backdated entry shows when the file is made again)."""
    require(session, actor, CREDIT, "export")
    p = periods.parse(period)
    events = port.credit_events(session, p.start, p.end)
    tenant = session.get(Tenant, session_tenant(session))
    data = render(tenant.name if tenant is not None else "", p, events, today or business_today())
    audit(session, "regulatory.credit.exported", entity_type=CREDIT, after={"period": p.key, "records": len(events)})
    return CreditFile(f"credit-{p.key}.csv", CONTENT_TYPE, data, len(events))
