"""``regulatoryFigures``: the figures with their labels, units and dimensions, amounts in 元 or 万元 (counts
untouched), refused without regulatory:report:read."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import corporate
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.testing import make_product, make_project

QUERY = ("query($a: Date, $p: Date, $u: AmountUnit) { regulatoryFigures(asOf: $a, periodStart: $p, unit: $u) { "
         "asOf periodStart amountUnit figures { measure label unit unitLabel kind value dims { name value label } } "
         "} }")


def _seed(gw) -> None:
    with gw.acting("mgr") as (s, a):
        customer = create_customer(s, a, "corporate", corporate(8)).id
        project = make_project(s, a, customer, product=make_product(s), amount="1234567.00", status="effective")
        s.add(GuaranteeLedgerEntry(project_id=project.id, kind="loan", amount=Decimal("1234567.00"),
                                   entry_date=dt.date(2026, 3, 1), source_type="test",
                                   source_id=uuid.uuid4()))


def _pick(figures: list, measure: str) -> dict:
    [found] = [f for f in figures if f["measure"] == measure]
    return found


def test_figures_in_wan_with_labels_and_dims(api, gw):
    _seed(gw)
    token = api.login(gw.tenant.slug, "fin")
    body = api(QUERY, {"a": "2026-06-30", "p": "2026-01-01", "u": "WAN"}, token)
    assert "errors" not in body, body
    data = body["data"]["regulatoryFigures"]
    assert (data["asOf"], data["periodStart"], data["amountUnit"]) == ("2026-06-30", "2026-01-01", "WAN")
    balance = _pick(data["figures"], "guarantee.in_force_balance")
    assert Decimal(balance["value"]) == Decimal("123.4567")
    assert (balance["label"], balance["unit"], balance["unitLabel"], balance["kind"]) == ("在保余额", "yuan", "万元",
                                                                                         "stock")
    assert {d["name"]: (d["value"], d["label"]) for d in balance["dims"]} == {
        "business_type": ("loan", "借款类担保"), "customer_type": ("small_micro", "小微企业")}
    count = _pick(data["figures"], "guarantee.issued_count")
    assert (Decimal(count["value"]), count["unitLabel"], count["kind"]) == (1, "笔", "flow")
    in_yuan = api(QUERY, {"a": "2026-06-30"}, token)["data"]["regulatoryFigures"]
    assert in_yuan["periodStart"] == "2026-01-01" and in_yuan["amountUnit"] == "YUAN"
    assert Decimal(_pick(in_yuan["figures"], "guarantee.in_force_balance")["value"]) == Decimal("1234567.00")


def test_refused_without_the_permission(api, gw):
    body = api(QUERY, {"a": "2026-06-30"}, api.login(gw.tenant.slug, "mgr"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
