"""GraphQL of the fee bills: bill a period, the list with its partner and lines, billing again adds nothing, mark
paid, the .xlsx export, and a refusal as a typed error."""

from __future__ import annotations

import base64
import datetime as dt

from strawberry import relay

from surety.core.testing import mutation_ok
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner

BILL = "id billNo period periodStart periodEnd amount lineCount status statusLabel paidOn"
PERIOD = ("mutation($i: ReguaranteeFeeBillPeriodInput!) { reguaranteeFeeBillPeriod(input: $i) { period linesAdded "
          "amountAdded bills { " + BILL + " } errors { code field message } } }")
LIST = ("query($f: ReguaranteeFeeBillFilterInput) { reguaranteeFeeBills(filter: $f) { totalCount edges { node { "
        + BILL + " partner { name } lines { filingNo days share rate amount } } } } }")
PAID = ("mutation($i: ReguaranteeFeeBillMarkPaidInput!) { reguaranteeFeeBillMarkPaid(input: $i) { bill { status "
        "paidOn } errors { code field message } } }")
EXPORT = ("mutation($id: ID!) { reguaranteeFeeBillExport(id: $id) { file { filename contentType size contentBase64 } "
          "errors { code } } }")


def test_bill_list_pay_and_export(api, rw):
    with rw.session() as s:
        partner = make_partner(s, name="乙县融资担保有限公司")
        filing = make_filing(s, make_agreement(s, partner), amount="10000000.00", start_date=dt.date(2026, 3, 1),
                             end_date=dt.date(2027, 2, 28))
        filing_no = filing.filing_no
    token = api.login(rw.tenant.slug)
    out = mutation_ok(api(PERIOD, {"i": {"period": "2026Q3"}}, token), "reguaranteeFeeBillPeriod")
    assert (out["period"], out["linesAdded"], out["amountAdded"]) == ("2026Q3", 1, "2520.54")
    (bill,) = out["bills"]
    assert (bill["amount"], bill["status"], bill["statusLabel"], bill["periodEnd"]) == (
        "2520.54", "issued", "已出账", "2026-09-30")
    again = mutation_ok(api(PERIOD, {"i": {"period": "2026Q3"}}, token), "reguaranteeFeeBillPeriod")
    assert (again["linesAdded"], again["bills"]) == (0, [])
    listed = api(LIST, {"f": {"period": "2026q3", "partnerId": relay.to_base64("ReguaranteePartner", partner.id)}},
                 token)["data"]["reguaranteeFeeBills"]
    assert listed["totalCount"] == 1
    node = listed["edges"][0]["node"]
    assert node["partner"] == {"name": "乙县融资担保有限公司"}
    assert node["lines"] == [{"filingNo": filing_no, "days": 92, "share": "2000000.00", "rate": "0.00500000",
                              "amount": "2520.54"}]
    paid = mutation_ok(api(PAID, {"i": {"id": bill["id"], "paidOn": "2026-10-20"}}, token),
                       "reguaranteeFeeBillMarkPaid")
    assert paid["bill"] == {"status": "paid", "paidOn": "2026-10-20"}
    refused = api(PAID, {"i": {"id": bill["id"], "paidOn": "2026-10-21"}}, token)["data"]
    assert refused["reguaranteeFeeBillMarkPaid"]["errors"][0]["code"] == "CONFLICT"
    f = mutation_ok(api(EXPORT, {"id": bill["id"]}, token), "reguaranteeFeeBillExport")["file"]
    assert f["filename"] == bill["billNo"] + ".xlsx" and base64.b64decode(f["contentBase64"])[:2] == b"PK"
    viewer = api.login(rw.tenant.slug, "viewer")
    denied = api(PERIOD, {"i": {"period": "2026Q2"}}, viewer)["data"]["reguaranteeFeeBillPeriod"]
    assert denied["errors"][0]["code"] == "FORBIDDEN"
