"""The checks of one filing row that need no database: every field cleaned and every problem kept as a reason (no
stop at the first), the customer's identity number checked (a unified social credit code for an enterprise or an
individual business, a PRC resident ID card with its check digit for a farmer or a person), and the fields the
agreement's eligibility rules read (docs/reguarantee/filings.md, "Checks").

A reason is an English template with its parameters (docs/i18n.md) and a level: ``error`` refuses the row,
``warning`` is reported and files anyway. Field names in reasons are the zh-CN column headers of the import
(``LABELS``), so the row-by-row report names the column a person fixes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from surety.core import inputs
from surety.core.errors import DomainError
from surety.core.i18n import N_, translate
from surety.core.validators import credit_code_ok, id_check_char
from surety.plugins.reguarantee.conventions import CUSTOMER_KINDS

#: Data key of a filing row -> zh-CN column header (the import's, in its column order).
LABELS = {
    "project_ref": "项目编号",
    "loan_contract_no": "借款合同号",
    "customer_name": "客户名称",
    "customer_kind": "客户类型",
    "customer_id_number": "证件号码",
    "scope": "服务对象",
    "region": "地区",
    "industry": "行业",
    "bank_name": "贷款银行",
    "loan_amount": "贷款金额(元)",
    "guarantee_amount": "担保金额(元)",
    "loan_rate": "贷款利率",
    "start_date": "起始日",
    "end_date": "到期日",
    "cover_ratio": "保障比例",
}
KEYS = (*LABELS, "fields")
#: Customer kinds identified by a unified social credit code; the others by a resident ID card.
COMPANY_KINDS = frozenset({"enterprise", "individual_business"})
#: Longest extra field name and value the eligibility rules may read.
MAX_EXTRA_FIELDS = 30
#: Levels of a reason: an error refuses the row, a warning is reported only.
ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Reason:
    """Why a row is refused (``error``) or what to look at (``warning``): the data key, a template and params."""

    field: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)
    level: str = ERROR

    def text(self, locale: str | None = None) -> str:
        """The reason in ``locale`` (default: the request's)."""
        return translate(self.template, dict(self.params), locale)

    @classmethod
    def of(cls, exc: DomainError, key: str) -> Reason:
        return cls(key, exc.template, dict(exc.params))


def id_card_ok(value: str) -> bool:
    """Whether ``value`` is an 18-character PRC resident ID card number: 17 digits, a real birth date at positions
    7-14, and the check character (0-9 or X) of GB 11643."""
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_check_char(value[:17]) == value[17]


def _date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if inputs.blank(value):
        raise DomainError(N_("Give {what}."), field=key, what=LABELS[key])
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(N_("{what} is a date such as 2026-03-01, not {value}."), field=key, what=LABELS[key],
                          value=str(value)[:20]) from None


@dataclass
class CleanRow:
    """A row as the checks left it: the clean ``values`` (the filing's columns it gives) and the ``reasons``."""

    values: dict[str, Any]
    reasons: list[Reason]

    @property
    def ok(self) -> bool:
        return not any(r.level == ERROR for r in self.reasons)


def clean_row(data: Mapping[str, Any]) -> CleanRow:
    """Every field of a filing row checked; the clean values and every reason found (``CleanRow``)."""
    values: dict[str, Any] = {}
    reasons: list[Reason] = []

    def take(key: str, check) -> None:
        try:
            values[key] = check(data.get(key))
        except DomainError as exc:
            reasons.append(Reason.of(exc, key))

    unknown = sorted(set(data) - set(KEYS))
    for name in unknown[:3]:
        reasons.append(Reason(name, N_("Unknown filing field {name}."), {"name": str(name)[:40]}))
    for key, limit, required in (("project_ref", 60, True), ("loan_contract_no", 60, False), ("scope", 20, False),
                                 ("region", 100, False), ("industry", 100, False), ("bank_name", 200, False),
                                 ("customer_name", 200, True)):
        take(key, lambda v, key=key, limit=limit, required=required: inputs.text(v, LABELS[key], limit,
                                                                                 required=required))
    take("customer_kind", _kind)
    kind = values.get("customer_kind")
    take("customer_id_number", lambda v: _id_number(v, kind))
    for key in ("loan_amount", "guarantee_amount"):
        take(key, lambda v, key=key: inputs.money(v, key, positive=True, what=LABELS[key]))
    take("loan_rate", lambda v: inputs.rate(v, "loan_rate", required=False, what=LABELS["loan_rate"]))
    take("cover_ratio", lambda v: inputs.rate(Decimal(1) if inputs.blank(v) else v, "cover_ratio", low_open=True,
                                              what=LABELS["cover_ratio"]))
    for key in ("start_date", "end_date"):
        take(key, lambda v, key=key: _date(v, key))
    take("fields", _extra)
    loan, guaranteed = values.get("loan_amount"), values.get("guarantee_amount")
    if loan is not None and guaranteed is not None and guaranteed > loan:
        reasons.append(Reason("guarantee_amount", N_("The guaranteed amount {guaranteed} is above the loan amount "
                                                     "{loan}."), {"guaranteed": guaranteed, "loan": loan}))
    start, end = values.get("start_date"), values.get("end_date")
    if start is not None and end is not None and end <= start:
        reasons.append(Reason("end_date", N_("The end date {end} is not after the start date {start}."),
                              {"end": end, "start": start}))
    return CleanRow(values, reasons)


def _kind(value: Any) -> str:
    if value in CUSTOMER_KINDS:
        return value
    for key, label in CUSTOMER_KINDS.items():  # the zh-CN label as a person types it
        if isinstance(value, str) and value.strip() == label:
            return key
    raise DomainError(N_("{what} is one of {choices}, not {value}."), field="customer_kind",
                      what=LABELS["customer_kind"], choices="、".join(CUSTOMER_KINDS.values()),
                      value=str(value)[:20])


def _id_number(value: Any, kind: str | None) -> str:
    number = "".join(str(value or "").split()).upper()
    if not number:
        raise DomainError(N_("Give {what}."), field="customer_id_number", what=LABELS["customer_id_number"])
    if kind is None:  # the kind was refused already; the number cannot be checked
        return number
    if kind in COMPANY_KINDS:
        if not credit_code_ok(number):
            raise DomainError(N_("The identity number is not a valid unified social credit code (18 characters "
                                 "with the right check character)."), field="customer_id_number")
    elif not id_card_ok(number):
        raise DomainError(N_("The identity number is not a valid resident ID card number (18 characters, a real "
                             "birth date and the right check digit)."), field="customer_id_number")
    return number


def _extra(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or len(value) > MAX_EXTRA_FIELDS:
        raise DomainError(N_("fields is a mapping of at most {most} field names to values."), field="fields",
                          most=MAX_EXTRA_FIELDS)
    out = {}
    for name, v in value.items():
        if isinstance(v, float):
            v = repr(v)  # a spreadsheet's float: its shortest decimal text
        out[inputs.text(name, "fields", 60, required=True)] = None if v is None else inputs.text(v, "fields", 100)
    return out


def rule_fields(values: Mapping[str, Any], term_days: int | None) -> dict[str, Any]:
    """What the agreement's eligibility rules read of a clean row: its text fields, amounts, rates, the term in
    days and its extra ``fields`` (which win on a clash)."""
    out = {k: values.get(k) for k in ("scope", "region", "industry", "bank_name", "customer_kind", "loan_amount",
                                      "guarantee_amount", "loan_rate", "cover_ratio")}
    out = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in out.items() if v not in (None, "")}
    if term_days is not None:
        out["term_days"] = term_days
    out.update({k: v for k, v in (values.get("fields") or {}).items() if v is not None})
    return out
