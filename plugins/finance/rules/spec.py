"""Voucher rules as data, and how a rule turns an event's payload into voucher lines (pure: no database).

A rule: ``event_type``, ``name``, ``word`` (记/收/付/转), ``summary`` (a template: ``{field}`` is replaced by the
payload's field), ``date_field`` (the payload field holding the voucher date) and ``lines``, each a dict:

- ``account``: the account code; ``side``: ``debit`` or ``credit``;
- ``amount``: payload field names joined by ``+`` and ``-`` (``amount``, ``principal + interest``,
  ``amount - upfront_fee``);
- ``when`` (optional): ``{field: value}`` or ``{field: [values]}``, the line applies only when the payload matches;
- ``summary`` (optional): the line's summary template (default: the voucher's);
- ``dimensions`` (optional): the payload fields copied onto the line among ``customer_id``, ``project_id``,
  ``bank_id``, ``department`` (default: every one the payload has);
- ``else_account`` (optional): the amount goes to ``account`` only up to that account's balance (on its own
  side), the rest to ``else_account`` (a loss written off against the reserve first).

Conventions: a negative amount puts the line on the other side with the amount's absolute value (a reversal event
thus writes an ordinary blue-ink voucher with the sides swapped; red ink is only for the manual 红字冲销 of
vouchers/services.reverse_voucher). Zero-amount lines are dropped; a rule producing no line writes no voucher.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from surety.core.i18n import N_, format_message

DEBIT, CREDIT = "debit", "credit"
DIMENSION_FIELDS = ("customer_id", "project_id", "bank_id", "department")
LINE_KEYS = {"account", "side", "amount", "when", "summary", "dimensions", "else_account"}
_EXPR = re.compile(r"\s*[a-z_][a-z0-9_]*(\s*[+-]\s*[a-z_][a-z0-9_]*)*\s*")
_TERM = re.compile(r"([+-]?)\s*([a-z_][a-z0-9_]*)")
_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class RuleError(ValueError):
    """A rule or a payload the rule cannot use. It carries its message as a template and parameters (docs/i18n.md),
    so a domain error quoting it shows it in the reader's language; ``str()`` is English."""

    def __init__(self, template: str, **params: object):
        self.template = template
        self.params = params
        super().__init__(format_message(template, params))


@dataclass(frozen=True)
class PlannedLine:
    account: str
    side: str
    amount: Decimal
    summary: str
    dimensions: dict[str, Any]
    else_account: str | None = None


def check_expression(expr: Any) -> str:
    if not isinstance(expr, str) or not _EXPR.fullmatch(expr):
        raise RuleError(N_("amount is payload field names joined by + and - (e.g. amount - upfront_fee), "
                           "not {value}."),
                        value=str(expr)[:60])
    return expr.strip()


def check_line(line: Any) -> dict[str, Any]:
    """A line spec as stored; RuleError naming what is wrong."""
    if not isinstance(line, Mapping):
        raise RuleError(N_("A rule line is an object with account, side and amount."))
    unknown = sorted(set(line) - LINE_KEYS)
    if unknown:
        raise RuleError(N_("Unknown rule line key {key}."), key=unknown[0])
    if not isinstance(line.get("account"), str) or not line["account"].isdigit():
        raise RuleError(N_("A rule line's account is an account code, not {value}."),
                        value=str(line.get("account"))[:20])
    if line.get("side") not in (DEBIT, CREDIT):
        raise RuleError(N_("A rule line's side is debit or credit, not {value}."), value=str(line.get("side"))[:20])
    out = {"account": line["account"], "side": line["side"], "amount": check_expression(line.get("amount"))}
    when = line.get("when")
    if when is not None:
        if not isinstance(when, Mapping) or not all(isinstance(k, str) for k in when):
            raise RuleError(N_("A rule line's condition is an object of payload field to value or values."))
        out["when"] = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in when.items()}
    if line.get("summary"):
        out["summary"] = str(line["summary"])[:200]
    dims = line.get("dimensions")
    if dims is not None:
        if not isinstance(dims, (list, tuple)) or any(d not in DIMENSION_FIELDS for d in dims):
            raise RuleError(N_("A rule line's dimensions are among {choices}."), choices=", ".join(DIMENSION_FIELDS))
        out["dimensions"] = list(dims)
    if line.get("else_account"):
        if not isinstance(line["else_account"], str) or not line["else_account"].isdigit():
            raise RuleError(N_("A rule line's else_account is an account code."))
        out["else_account"] = line["else_account"]
    return out


def _decimal(payload: Mapping[str, Any], name: str) -> Decimal:
    value = payload.get(name)
    if value is None:
        return Decimal(0)
    if isinstance(value, (bool, float)):
        raise RuleError(N_("The event field {field} is not an exact amount."), field=name)
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise RuleError(N_("The event field {field} is not an amount."), field=name) from None
    if not result.is_finite():
        raise RuleError(N_("The event field {field} is not an amount."), field=name)
    return result


def evaluate(expr: str, payload: Mapping[str, Any]) -> Decimal:
    """The value of an amount expression over ``payload`` (a missing or null field counts as 0)."""
    total = Decimal(0)
    for sign, name in _TERM.findall(check_expression(expr)):
        value = _decimal(payload, name)
        total += -value if sign == "-" else value
    return total


def render(template: str, payload: Mapping[str, Any]) -> str:
    """``template`` with each ``{field}`` replaced by the payload's value (empty when absent)."""
    return " ".join(_FIELD.sub(lambda m: str(payload.get(m.group(1)) or ""), template).split())


def _matches(when: Mapping[str, Any] | None, payload: Mapping[str, Any]) -> bool:
    for key, wanted in (when or {}).items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if payload.get(key) not in values:
            return False
    return True


def voucher_date(payload: Mapping[str, Any], date_field: str, default: Callable[[], dt.date]) -> dt.date:
    value = payload.get(date_field)
    if value is None:
        return default()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RuleError(N_("The event field {field} is not a date."), field=date_field) from None


def plan(lines: Sequence[Mapping[str, Any]], payload: Mapping[str, Any], summary: str) -> list[PlannedLine]:
    """The lines a rule writes for ``payload``: conditions applied, amounts evaluated and rounded half up to the fen,
    negative amounts on the other side, zero lines dropped."""
    out = []
    for spec in lines:
        if not _matches(spec.get("when"), payload):
            continue
        amount = evaluate(spec["amount"], payload).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if amount == 0:
            continue
        side = spec["side"] if amount > 0 else (CREDIT if spec["side"] == DEBIT else DEBIT)
        dims = spec.get("dimensions", DIMENSION_FIELDS)
        out.append(PlannedLine(account=spec["account"], side=side, amount=abs(amount),
                               summary=render(spec.get("summary") or summary, payload),
                               dimensions={d: payload[d] for d in dims if payload.get(d) is not None},
                               else_account=spec.get("else_account")))
    return out
