"""GraphQL of the finance plugin end to end: accounts, a voucher made, reviewed by another person, posted, listed
(filtered) and read as a node with its lines, a refused voucher answered as a typed error, the trial balance, a
red-ink reversal, period close, chart install; read-only people see nothing of it."""

from __future__ import annotations

from surety.core.testing import GraphQLFlow

LINE_FIELDS = "accountCode debit credit projectId"
VOUCHER = f"voucher {{ id number status total lines {{ {LINE_FIELDS} }} }} errors {{ code field message }}"
CREATE = f"""mutation($i: FinanceVoucherCreateInput!) {{ financeVoucherCreate(input: $i) {{ {VOUCHER} }} }}"""
ACT = """mutation($id: ID!) {{ {field}(voucherId: $id) {{ voucher {{ id number status reversalOf }}
         errors {{ code field message }} }} }}"""
PROJECT = "01900000-0000-7000-8000-000000000001"
MARGIN = {"voucherDate": "2026-11-05", "word": "记", "summary": "收保证金", "lines": [
    {"account": "1002", "debit": "1000.00"}, {"account": "2002", "credit": "1000.00", "projectId": PROJECT}]}


def test_a_voucher_from_making_to_the_trial_balance(api, fw):
    flow = GraphQLFlow(api, fw.tenant.slug)
    accounts = flow.query("fin", "{ financeAccounts { code name direction level dimensions } }")["financeAccounts"]
    assert {"code": "2002", "name": "存入保证金", "direction": "credit", "level": 1,
            "dimensions": ["project"]} in accounts
    made = flow.mutate("fin", CREATE, "financeVoucherCreate", {"i": MARGIN})["voucher"]
    assert (made["number"], made["status"], made["total"]) == ("记-0001", "draft", "1000.00")
    assert made["lines"] == [{"accountCode": "1002", "debit": "1000.00", "credit": "0.00", "projectId": None},
                             {"accountCode": "2002", "debit": "0.00", "credit": "1000.00", "projectId": PROJECT}]
    refused = flow.call("fin", ACT.format(field="financeVoucherReview"), {"id": made["id"]})
    assert refused["data"]["financeVoucherReview"]["errors"][0]["code"] == "VALIDATION_FAILED"
    flow.mutate("fin2", ACT.format(field="financeVoucherReview"), "financeVoucherReview", {"id": made["id"]})
    posted = flow.mutate("fin2", ACT.format(field="financeVoucherPost"), "financeVoucherPost", {"id": made["id"]})
    assert posted["voucher"]["status"] == "posted"
    unbalanced = {**MARGIN, "lines": [MARGIN["lines"][0], {**MARGIN["lines"][1], "credit": "999.99"}]}
    errors = flow.call("fin", CREATE, {"i": unbalanced})["data"]["financeVoucherCreate"]["errors"]
    assert errors == [{"code": "VALIDATION_FAILED", "field": "lines",
                       "message": "The voucher does not balance: debits 1,000.00 yuan, credits 999.99 yuan."}]
    listed = flow.query("fin", """{ financeVouchers(period: "2026-11", status: "posted", word: "记") {
        totalCount edges { node { number } } } }""")["financeVouchers"]
    assert listed == {"totalCount": 1, "edges": [{"node": {"number": "记-0001"}}]}
    node = flow.query("viewer", "query($id: ID!) { node(id: $id) { ... on FinanceVoucher { number } } }",
                      {"id": made["id"]})
    assert node["node"] is None  # read-only people are not granted finance:voucher:read
    tb = flow.query("fin", """{ financeTrialBalance(period: "2026-11") { balanced
        totals { debit credit closingDebit closingCredit } rows { code closingDebit closingCredit } } }""")
    tb = tb["financeTrialBalance"]
    assert tb["balanced"] and tb["totals"] == {"debit": "1000.00", "credit": "1000.00", "closingDebit": "1000.00",
                                               "closingCredit": "1000.00"}
    assert tb["rows"] == [{"code": "1002", "closingDebit": "1000.00", "closingCredit": "0.00"},
                          {"code": "2002", "closingDebit": "0.00", "closingCredit": "1000.00"}]
    reversed_ = flow.mutate("fin", """mutation($id: ID!) { financeVoucherReverse(voucherId: $id,
        voucherDate: "2026-11-06") { voucher { number total reversalOf } errors { code } } }""",
                            "financeVoucherReverse", {"id": made["id"]})["voucher"]
    assert reversed_["total"] == "-1000.00" and reversed_["number"] == "记-0002" and reversed_["reversalOf"]
    closing = flow.call("fin", 'mutation { financePeriodClose(period: "2026-11") { period errors { code } } }')
    assert closing["data"]["financePeriodClose"] == {"period": None, "errors": [{"code": "VALIDATION_FAILED"}]}
    closed = flow.mutate("fin", 'mutation { financePeriodClose(period: "2026-10") { period errors { code } } }',
                         "financePeriodClose")
    assert closed["period"] == "2026-10"


def test_chart_install_rules_and_accounts_by_graphql(api, fw):
    flow = GraphQLFlow(api, fw.tenant.slug)
    installed = flow.mutate("fin", 'mutation { financeChartInstall(templateKey: "guarantee_legacy") '
                                   '{ templateKey errors { code } } }', "financeChartInstall")
    assert installed["templateKey"] == "guarantee_legacy"
    rules = flow.query("fin", "{ financeVoucherRules { eventType word lines } }")["financeVoucherRules"]
    received = next(r for r in rules if r["eventType"] == "GuaranteeFeeReceived")
    assert received["lines"][1] == {"account": "2191", "side": "credit", "amount": "amount",
                                    "when": {"fee_type": "guarantee_fee"}}
    added = flow.mutate("fin", """mutation { financeAccountAdd(input: {code: "100201", name: "工行"}) {
        account { code level parentCode direction } errors { code } } }""", "financeAccountAdd")["account"]
    assert added == {"code": "100201", "level": 2, "parentCode": "1002", "direction": "debit"}
    updated = flow.mutate("fin", """mutation { financeAccountUpdate(input: {code: "100201", active: false}) {
        account { active name } errors { code } } }""", "financeAccountUpdate")["account"]
    assert updated == {"active": False, "name": "工行"}
    denied = flow.call("viewer", "{ financeAccounts { code } }")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
