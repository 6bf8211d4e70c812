"""GraphQL of repayments: preview, post (with an amount in 万元 and a replayed key), prepay, the list, reversal by
another person, and typed errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from surety.core.testing import graphql_in_language, mutation_ok
from surety.graphql.nodes import global_id
from surety.plugins.microloan.repayment import posting
from surety.plugins.microloan.testing import make_loan, make_product

D = Decimal

PREVIEW = """query($loan: ID!) {
  microloanRepaymentPreview(loanId: $loan, amount: "10000.00", receivedOn: "2026-03-15") {
  principal interest held remainingDue installments { period dueDate principal interest total }
  unpaid { period component componentLabel amount } } }"""
POST = """mutation($input: MicroloanRepaymentPostInput!) { microloanRepaymentPost(input: $input) {
  repayment { id kind kindLabel amount principal interest held lines { period component amount } }
  errors { code field message } } }"""
PREPAY = """mutation($input: MicroloanPrepayInput!) { microloanPrepay(input: $input) {
  repayment { kind prepayMode principal interest } errors { code message } } }"""
REVERSE = """mutation($input: MicroloanRepaymentReverseInput!) { microloanRepaymentReverse(input: $input) {
  repayment { kind reversalOf reason } errors { code message } } }"""
LIST = """query($loan: ID!) { microloanRepayments(loanId: $loan) { kind status statusLabel amount reversedById } }"""


def test_preview_post_prepay_list_and_reverse(api, rw):
    with rw.session() as s:
        loan_id = make_loan(s, make_product(s), amount="100000.00", term_months=12,
                            disbursed_on=dt.date(2026, 1, 15)).id
        s.commit()
    loan = global_id("MicroloanLoan", loan_id)
    cashier, checker = api.login(rw.tenant.slug, "cashier"), api.login(rw.tenant.slug, "checker")

    seen = api(PREVIEW, {"loan": loan}, cashier)["data"]["microloanRepaymentPreview"]
    assert (seen["principal"], seen["interest"], seen["held"]) == ("8078.85", "1921.15", "0.00")
    assert seen["remainingDue"] == "7769.76"
    assert seen["installments"] == [
        {"period": 1, "dueDate": "2026-02-15", "principal": "7884.88", "interest": "1000.00", "total": "8884.88"},
        {"period": 2, "dueDate": "2026-03-15", "principal": "193.97", "interest": "921.15", "total": "1115.12"}]
    assert seen["unpaid"] == [{"period": 2, "component": "principal", "componentLabel": "本金", "amount": "7769.76"}]

    given = {"loanId": loan, "receivedOn": "2026-02-15", "amountWithUnit": {"value": "0.888488", "unit": "WAN"},
             "idempotencyKey": "k-1"}
    posted = mutation_ok(api(POST, {"input": given}, cashier), "microloanRepaymentPost")["repayment"]
    assert (posted["kind"], posted["kindLabel"], posted["amount"], posted["principal"]) == (
        "repayment", "还款", "8884.88", "7884.88")
    assert {(ln["period"], ln["component"], ln["amount"]) for ln in posted["lines"]} == {
        (1, "interest", "1000.00"), (1, "principal", "7884.88")}
    again = mutation_ok(api(POST, {"input": given}, cashier), "microloanRepaymentPost")["repayment"]
    assert again["id"] == posted["id"]

    prepaid = mutation_ok(api(PREPAY, {"input": {"loanId": loan, "receivedOn": "2026-03-15", "amount": "20000.00",
                                                  "mode": "shorten_term"}}, cashier), "microloanPrepay")["repayment"]
    assert (prepaid["kind"], prepaid["prepayMode"], prepaid["interest"]) == ("prepayment", "shorten_term", "921.15")

    own = api(REVERSE, {"input": {"repaymentId": posted["id"], "reason": "错账"}}, cashier)
    assert [e["code"] for e in own["data"]["microloanRepaymentReverse"]["errors"]] == ["FOUR_EYES"]
    ids = [r for r in api(LIST, {"loan": loan}, cashier)["data"]["microloanRepayments"]]
    assert [(r["kind"], r["status"]) for r in ids] == [("repayment", "posted"), ("prepayment", "posted")]
    with rw.session() as s:
        from_db = posting.repayments(s, rw.actors["admin"], loan_id)
    latest = str(from_db[-1].id)
    done = mutation_ok(api(REVERSE, {"input": {"repaymentId": latest, "reason": "错账"}}, checker),
                       "microloanRepaymentReverse")["repayment"]
    assert (done["kind"], done["reversalOf"], done["reason"]) == ("reversal", latest, "错账")
    listed = api(LIST, {"loan": loan}, cashier)["data"]["microloanRepayments"]
    assert [(r["kind"], r["status"], r["statusLabel"]) for r in listed] == [
        ("repayment", "posted", "已入账"), ("prepayment", "reversed", "已冲正"), ("reversal", "posted", "已入账")]


def test_refusals_are_typed_errors_in_the_readers_language(api, rw):
    with rw.session() as s:
        loan_id = make_loan(s, make_product(s), disbursed_on=dt.date(2026, 1, 15)).id
        s.commit()
    given = {"input": {"loanId": global_id("MicroloanLoan", loan_id), "receivedOn": "2026-01-01",
                       "amount": "100.00"}}
    token = api.login(rw.tenant.slug, "cashier")
    zh = graphql_in_language(api, POST, given, token, "zh-CN")["data"]["microloanRepaymentPost"]["errors"]
    assert [(e["code"], e["field"]) for e in zh] == [("VALIDATION_FAILED", "receivedOn")]
    body = api(POST, {"input": {**given["input"], "receivedOn": "2026-02-15", "amount": "0"}}, token)
    assert "above 0" in body["data"]["microloanRepaymentPost"]["errors"][0]["message"]
    zh = graphql_in_language(api, POST, {"input": {**given["input"], "receivedOn": "2026-02-15", "amount": "0"}},
                             token, "zh-CN")["data"]["microloanRepaymentPost"]["errors"]
    assert "大于 0" in zh[0]["message"]
    viewer = api.login(rw.tenant.slug, "viewer")
    denied = api(POST, {"input": {**given["input"], "receivedOn": "2026-02-15"}}, viewer)
    assert denied["data"]["microloanRepaymentPost"]["errors"][0]["code"] == "FORBIDDEN"
