"""The default voucher rules of each chart template (pure data, rules/spec.py), installed with the chart and the
tenant's to edit. Event names and payload fields are those of the guarantee, microloan and reguarantee plugins'
events (read by name: this plugin imports no other plugin)."""

from __future__ import annotations

from typing import Any


def _line(account: str, side: str, amount: str = "amount", **extra: Any) -> dict[str, Any]:
    return {"account": account, "side": side, "amount": amount, **extra}


def _dr(account: str, amount: str = "amount", **extra: Any) -> dict[str, Any]:
    return _line(account, "debit", amount, **extra)


def _cr(account: str, amount: str = "amount", **extra: Any) -> dict[str, Any]:
    return _line(account, "credit", amount, **extra)


def _rule(event_type: str, name: str, summary: str, date_field: str, *lines: dict, word: str = "记") -> dict:
    return {"event_type": event_type, "name": name, "word": word, "summary": summary, "date_field": date_field,
            "lines": list(lines)}


def _guarantee(bank: str, fee_deferred: str, review_income: str, margin: str, receivable: str, reserve: str,
               loss: str) -> list[dict]:
    """The guarantee events' rules, given a code set's accounts."""
    fee, review, margin_in = ({"fee_type": "guarantee_fee"}, {"fee_type": "review_fee"}, {"fee_type": "margin"})
    return [
        _rule("GuaranteeFeeReceived", "收取担保费、评审费、保证金", "收到{fee_type}", "received_on",
              _dr(bank), _cr(fee_deferred, when=fee), _cr(review_income, when=review), _cr(margin, when=margin_in)),
        _rule("GuaranteeFeeRefunded", "退还担保费、评审费、保证金", "退还{fee_type}", "refunded_on",
              _dr(fee_deferred, when=fee), _dr(review_income, when=review), _dr(margin, when=margin_in), _cr(bank)),
        _rule("GuaranteeCompensationPaid", "代偿", "代偿支付", "paid_on", _dr(receivable), _cr(bank)),
        _rule("GuaranteeRecovered", "追偿收回", "追偿收回（{kind}）", "recovered_on", _dr(bank), _cr(receivable)),
        _rule("GuaranteeLossWrittenOff", "代偿损失核销（先冲担保赔偿准备金）", "代偿损失核销", "written_off_on",
              _dr(reserve, else_account=loss), _cr(receivable)),
    ]


def _microloan() -> list[dict]:
    repaid = (_dr("1002"), _cr("1303", "principal"), _cr("1132", "interest + penalty"), _cr("6021", "fees"),
              _cr("1221", "costs"), _cr("2241", "held"))
    swapped = [{**line, "side": "credit" if line["side"] == "debit" else "debit"} for line in repaid]
    return [
        _rule("MicroloanDisbursed", "贷款发放", "发放贷款 {loan_no}", "disbursed_on",
              _dr("1303"), _cr("1002", "amount - upfront_fee"), _cr("6021", "upfront_fee")),
        _rule("MicroloanRepaid", "贷款还款", "收回贷款 {loan_no}", "received_on", *repaid),
        _rule("MicroloanRepaymentReversed", "还款冲正", "冲正还款 {loan_no}", "received_on", *swapped),
        _rule("MicroloanInterestAccrued", "利息计提", "计提利息 {business_date}", "business_date",
              _dr("1132", "interest + penalty + compound"), _cr("6011", "interest + penalty + compound"), word="转"),
        _rule("MicroloanProvisionAdjusted", "贷款损失准备调整", "计提贷款损失准备 {business_date}", "business_date",
              _dr("6701", "delta"), _cr("1304", "delta"), word="转"),
        _rule("MicroloanWrittenOff", "贷款核销", "核销贷款 {loan_no}", "written_off_on",
              _dr("1304", "principal"), _cr("1303", "principal"), _dr("6711", "interest"), _cr("1132", "interest"),
              word="转"),
        _rule("MicroloanRecovered", "已核销贷款收回", "收回已核销贷款 {loan_no}", "recovered_on",
              _dr("1002"), _cr("6301")),
    ]


def _reguarantee(bank: str, receivable: str, fee_income: str, compensation: str) -> list[dict]:
    """The re-guarantee events' rules, given a code set's accounts: the fee billed is receivable from the partner
    (counterparty dimension ``customer_id``, the partner) and income of the bill (``project_id``, the bill); a claim
    paid is a compensation receivable of the filing (``project_id``, the filing), reduced by the recoveries the
    partner hands back."""
    return [
        _rule("ReguaranteeFeeBilled", "再担保费出账", "再担保费 {bill_no}（{period}）", "billed_on",
              _dr(receivable), _cr(fee_income), word="转"),
        _rule("ReguaranteeFeeReceived", "收取再担保费", "收到再担保费 {bill_no}", "received_on", _dr(bank),
              _cr(receivable)),
        _rule("ReguaranteeClaimPaid", "代偿补偿款拨付", "拨付代偿补偿款 {claim_no}", "paid_on", _dr(compensation),
              _cr(bank)),
        _rule("ReguaranteeRecoverySettled", "追偿款返还", "收到追偿款返还 {claim_no}", "settled_on", _dr(bank),
              _cr(compensation)),
    ]


RULES: dict[str, list[dict]] = {
    "guarantee_cas": _guarantee("1002", "2401", "6051", "2002", "1221", "2602", "6701")
    + _reguarantee("1002", "1122", "6031", "1221"),
    "guarantee_legacy": _guarantee("1002", "2191", "4102", "2141", "1231", "2193", "5101")
    + _reguarantee("1002", "1131", "4101", "1231"),
    "microloan": _microloan(),
}
