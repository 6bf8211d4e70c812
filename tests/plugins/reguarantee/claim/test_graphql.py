"""GraphQL of claims and recoveries: submit with the worked numbers, the list with filing, partner, current task and
recoveries, the review through the workflow, pay, a recovery reported and settled, refusals as typed errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from strawberry import relay

from surety.core.testing import mutation_ok
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner

CLAIM = ("id claimNo status statusLabel coveredBase claimAmount approvedAmount paidAmount paidOn "
         "filing { filingNo status coverRatio } partner { name } currentTask { stepKey } "
         "recoveries { amount shareAmount status settledOn }")
SUBMIT = ("mutation($i: ReguaranteeClaimSubmitInput!) { reguaranteeClaimSubmit(input: $i) { claim { " + CLAIM
          + " } errors { code field message } } }")
LIST = ("query($f: ReguaranteeClaimFilterInput) { reguaranteeClaims(filter: $f) { totalCount edges { node { "
        + CLAIM + " } } } }")
PAY = ("mutation($i: ReguaranteeClaimPayInput!) { reguaranteeClaimPay(input: $i) { claim { status paidAmount } "
       "errors { code field message } } }")
REPORT = ("mutation($i: ReguaranteeRecoveryReportInput!) { reguaranteeRecoveryReport(input: $i) { recovery { id "
          "amount shareAmount status } errors { code field message } } }")
SETTLE = ("mutation($i: ReguaranteeRecoverySettleInput!) { reguaranteeRecoverySettle(input: $i) { recovery { "
          "status settledOn } errors { code } } }")


def test_submit_review_pay_and_recover(api, cw):
    with cw.session() as s:
        partner = make_partner(s, name="丙县融资担保有限公司")
        filing = make_filing(s, make_agreement(s, partner), amount="10000000.00", cover_ratio=Decimal("0.8"))
        fid = relay.to_base64("ReguaranteeFiling", filing.id)
    mgr = api.login(cw.tenant.slug, "mgr")
    new = {"filingId": fid, "compensatedOn": "2026-11-10", "compensatedAmount": "6200000",
           "unpaidPrincipal": "6000000"}
    claim = mutation_ok(api(SUBMIT, {"i": new}, mgr), "reguaranteeClaimSubmit")["claim"]
    assert (claim["status"], claim["coveredBase"], claim["claimAmount"], claim["filing"]) == (
        "in_review", "4800000.00", "960000.00", {"filingNo": filing.filing_no, "status": "compensated",
                                                 "coverRatio": "0.80000000"})
    assert claim["partner"] == {"name": "丙县融资担保有限公司"} and claim["currentTask"]["stepKey"] == "acceptance"
    again = api(SUBMIT, {"i": new}, mgr)["data"]["reguaranteeClaimSubmit"]
    assert again["errors"][0]["code"] == "CONFLICT" and "already has the claim" in again["errors"][0]["message"]
    with cw.session() as s:
        instance = s.scalar(select(ReguaranteeClaim.workflow_instance_id)
                            .where(ReguaranteeClaim.claim_no == claim["claimNo"]))
    for user in ("head", "risk", "boss"):
        cw.do(user, instance)
    fin = api.login(cw.tenant.slug, "fin")
    refused = api(PAY, {"i": {"id": claim["id"], "paidOn": "2026-11-20", "amount": "960000.01"}}, fin)
    assert refused["data"]["reguaranteeClaimPay"]["errors"][0]["field"] == "amount"
    paid = mutation_ok(api(PAY, {"i": {"id": claim["id"], "paidOn": "2026-11-20"}}, fin), "reguaranteeClaimPay")
    assert paid["claim"] == {"status": "paid", "paidAmount": "960000.00"}
    recovery = mutation_ok(api(REPORT, {"i": {"claimId": claim["id"], "amount": "1000000",
                                              "recoveredOn": "2026-11-25"}}, mgr), "reguaranteeRecoveryReport")
    assert recovery["recovery"]["shareAmount"] == "160000.00"
    denied = api(SETTLE, {"i": {"id": recovery["recovery"]["id"]}}, mgr)["data"]["reguaranteeRecoverySettle"]
    assert denied["errors"] == [{"code": "FORBIDDEN"}]
    settled = mutation_ok(api(SETTLE, {"i": {"id": recovery["recovery"]["id"], "settledOn": "2026-11-30"}}, fin),
                          "reguaranteeRecoverySettle")
    assert settled["recovery"] == {"status": "settled", "settledOn": "2026-11-30"}
    listed = api(LIST, {"f": {"status": "paid", "partnerId": relay.to_base64("ReguaranteePartner", partner.id)}},
                 api.login(cw.tenant.slug, "viewer"))["data"]["reguaranteeClaims"]
    assert listed["totalCount"] == 1
    node = listed["edges"][0]["node"]
    assert (node["paidOn"], node["approvedAmount"], node["currentTask"]) == ("2026-11-20", "960000.00", None)
    assert node["recoveries"] == [{"amount": "1000000.00", "shareAmount": "160000.00", "status": "settled",
                                   "settledOn": "2026-11-30"}]
    assert dt.date.fromisoformat(node["paidOn"]) > dt.date(2026, 11, 10)
