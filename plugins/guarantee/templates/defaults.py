"""The default document templates, built in code with python-docx (no binary files in the repository): the three
contracts, the review report (评审报告) and the approval form (审批表). A tenant gets them as version 1 of each type
on first use and replaces them by uploading its own.

The contracts are worded by the project's category (``financing``): a financing guarantee secures a bank loan (the
bank is the creditor); a non-financing one (a 保函: bid, performance, litigation...) is issued to its beneficiary on
an underlying contract, with no loan. A counter-guarantee by a third party (``counter_is_guarantee``) is a 保证: the
guarantor answers jointly and severally, with no valuation and no pledge rate."""

from __future__ import annotations

import io
from functools import lru_cache

from surety.plugins.guarantee.templates.fill import (
    APPROVAL_FORM,
    COUNTER_GUARANTEE,
    ENTRUSTMENT,
    GUARANTEE,
    REVIEW_REPORT,
)

_IF_LOAN = "{% if financing %}"
_PARTIES = {
    GUARANTEE: ("{% if financing %}债权人（银行）：{{ bank_name }}{% else %}受益人：{{ beneficiary_name }}{% endif %}",
                "保证人：{{ company_name }}"),
    ENTRUSTMENT: ("委托人（{% if financing %}借款人{% else %}保函申请人{% endif %}）：{{ customer_name }}",
                  "受托人（担保人）：{{ company_name }}"),
    COUNTER_GUARANTEE: ("{% if counter_is_guarantee %}反担保保证人{% else %}反担保人{% endif %}：{{ counter_owner }}",
                        "担保人：{{ company_name }}"),
}
_TITLES = {GUARANTEE: "保证合同", ENTRUSTMENT: "委托担保合同", COUNTER_GUARANTEE: "反担保合同（{{ counter_kind_name }}）"}
_CLAUSES = {
    GUARANTEE: [
        _IF_LOAN + "第一条  保证人为债务人{{ customer_name }}向债权人申请的借款提供连带责任保证，被保证的主债权本金为"
        "人民币{{ amount_upper }}（小写：¥{{ amount }}）。"
        "{% else %}第一条  应申请人{{ customer_name }}的申请，保证人就申请人在{{ underlying_contract }}项下的义务"
        "向受益人出具保函，提供连带责任保证，担保金额为人民币{{ amount_upper }}（小写：¥{{ amount }}）。{% endif %}",
        _IF_LOAN + "第二条  借款期限为{{ term_months }}个月，借款用途：{{ purpose }}。担保产品：{{ product_name }}。"
        "{% else %}第二条  担保产品：{{ product_name }}。{% if expiry_date %}保函有效期至{{ expiry_date }}。{% endif %}"
        "{% endif %}",
        "第三条  保证范围：{% if financing %}主合同项下的{% else %}申请人在上述合同项下应向受益人承担的{% endif %}"
        "{{ scope }}，以上述担保金额为限。",
        "第四条  保证期间：{{ guarantee_period }}。",
        "第五条  担保项目编号：{{ project_no }}。{% if conditions %}批复条件：{{ conditions }}。{% endif %}",
    ],
    ENTRUSTMENT: [
        _IF_LOAN + "第一条  委托人委托受托人为其向{{ bank_name }}申请的借款人民币{{ amount_upper }}（小写：¥{{ amount }}，"
        "即{{ amount_wan }}万元）提供担保，借款期限{{ term_months }}个月，用途：{{ purpose }}。"
        "{% else %}第一条  委托人委托受托人就{{ underlying_contract }}向{{ beneficiary_name }}出具保函，担保金额人民币"
        "{{ amount_upper }}（小写：¥{{ amount }}，即{{ amount_wan }}万元）。{% endif %}",
        "第二条  保证范围：{{ scope }}，以上述担保金额为限；保证期间：{{ guarantee_period }}。",
        "第三条  委托人按约定向受托人交纳担保费、评审费及保证金。",
        "第四条  委托人提供的反担保措施如下：{% for c in counter_guarantees %}（{{ loop.index }}）{{ c.summary }}。"
        "{% else %}无。{% endfor %}",
        "第五条  担保项目编号：{{ project_no }}。{% if conditions %}批复条件：{{ conditions }}。{% endif %}",
    ],
    COUNTER_GUARANTEE: [
        "第一条  为保障担保人因为{% if financing %}债务人{{ customer_name }}向{{ bank_name }}借款人民币"
        "{{ amount_upper }}（小写：¥{{ amount }}）提供担保{% else %}申请人{{ customer_name }}向{{ beneficiary_name }}"
        "出具金额为人民币{{ amount_upper }}（小写：¥{{ amount }}）的保函{% endif %}而享有的追偿权，"
        "{% if counter_is_guarantee %}反担保保证人{{ counter_owner }}向担保人提供保证反担保。"
        "{% else %}反担保人以下列方式提供{{ counter_kind_name }}反担保。{% endif %}",
        "{% if counter_is_guarantee %}第二条  反担保保证人就担保人的全部追偿权（包括担保人代偿的款项及其利息、"
        "实现追偿权的费用）承担连带保证责任。{% if counter_description %}保证说明：{{ counter_description }}。"
        "{% endif %}{% if counter_collateral %}{{ counter_collateral }}。{% endif %}"
        "{% else %}第二条  反担保物：{{ counter_summary }}。{% endif %}",
        "{% if counter_is_guarantee %}第三条  保证期间：{{ counter_period }}。"
        "{% else %}第三条  评估价值人民币{{ counter_valuation_upper }}（小写：¥{{ counter_valuation }}）"
        "{% if counter_valuation_date %}，评估日期{{ counter_valuation_date }}{% endif %}，"
        "抵（质）押率{{ counter_discount_rate }}。{% endif %}",
        "第四条  担保项目编号：{{ project_no }}。",
    ],
}
_SIGNATURES = {
    GUARANTEE: ("{% if financing %}债权人（银行）{% else %}受益人{% endif %}（盖章/签字）：", None),
    ENTRUSTMENT: ("委托人（盖章/签字）：", None),
    COUNTER_GUARANTEE: ("{% if counter_is_guarantee %}反担保保证人{% else %}反担保人{% endif %}（盖章/签字）：", None),
}
#: The guarantor's signature block (担保人/保证人 with its legal particulars and seal).
_GUARANTOR_ROLE = {GUARANTEE: "保证人", ENTRUSTMENT: "受托人（担保人）", COUNTER_GUARANTEE: "担保人"}


def _guarantor_block(document, role: str) -> None:
    document.add_paragraph(f"{role}（盖章）：{{{{ company_name }}}}"
                           "{% if seal_text %}（印章：{{ seal_text }}）{% endif %}")
    document.add_paragraph("{% if legal_representative %}法定代表人：{{ legal_representative }}{% endif %}")
    document.add_paragraph("{% if company_address %}住所：{{ company_address }}{% endif %}")


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _contract(contract_type: str) -> bytes:
    from docx import Document  # noqa: PLC0415 - heavy library, loaded when a file is made

    document = Document()
    document.add_heading(_TITLES[contract_type], level=1)
    document.add_paragraph("合同编号：{{ contract_no }}")
    for party in _PARTIES[contract_type]:
        document.add_paragraph(party)
    for clause in _CLAUSES[contract_type]:
        document.add_paragraph(clause)
    document.add_paragraph("（以下无正文）")
    document.add_paragraph(_SIGNATURES[contract_type][0])
    _guarantor_block(document, _GUARANTOR_ROLE[contract_type])
    document.add_paragraph("签订日期：{{ contract_date }}")
    return _save(document)


def _table(document, header: tuple[str, ...], loop: str, cells: tuple[str, ...]) -> None:
    """A table with a header row and one row per item of ``loop`` (docxtpl's ``{%tr %}`` row tags)."""
    table = document.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for " + loop + " %}"
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"


def _figures(document) -> None:
    for line in ("项目编号：{{ project_no }}",
                 "申请人（客户）：{{ customer_name }}（{{ customer_kind_name }}）",
                 "担保产品：{{ product_name }}（{{ product_kind_name }}）",
                 "担保金额：人民币{{ amount }}元（{{ amount_wan }}万元，大写：{{ amount_upper }}）",
                 "担保期限：{{ term_months }}个月",
                 "{% if financing %}合作银行：{{ bank_name }}；借款用途：{{ purpose }}"
                 "{% else %}受益人：{{ beneficiary_name }}；基础合同：{{ underlying_contract }}{% endif %}",
                 "保证范围：{{ scope }}；保证期间：{{ guarantee_period }}",
                 "拟收担保费：{{ proposed_fee_text }}",
                 "信用评级：{% if risk_grade %}{{ risk_grade }}（{{ risk_score }}分）{% else %}未评级{% endif %}；"
                 "风险度：{{ risk_degree }}；风险金额：人民币{{ risk_amount }}元；风险分类：{{ risk_class_name }}"):
        document.add_paragraph(line)


def _review_report() -> bytes:
    from docx import Document  # noqa: PLC0415 - heavy library, loaded when a file is made

    document = Document()
    document.add_heading("担保项目评审报告", level=1)
    document.add_paragraph("报告日期：{{ contract_date }}")
    document.add_heading("一、项目概况", level=2)
    _figures(document)
    document.add_heading("二、反担保措施", level=2)
    document.add_paragraph("{% for c in counter_guarantees %}（{{ loop.index }}）{{ c.summary }}。"
                           "{% else %}无。{% endfor %}")
    document.add_paragraph("反担保物评估价值合计人民币{{ counter_total }}元，折算后可覆盖人民币{{ counter_cover }}元。")
    document.add_heading("三、尽职调查", level=2)
    document.add_paragraph("尽调报告状态：{{ due_diligence_status }}")
    _table(document, ("项目", "内容"), "d in due_diligence", ("{{ d.title }}", "{{ d.text }}"))
    document.add_paragraph("尽调结论：{{ due_diligence_conclusion }}")
    document.add_heading("四、评审意见", level=2)
    _table(document, ("环节", "评审人", "意见", "说明", "日期"), "o in review_opinions",
           ("{{ o.step }}", "{{ o.reviewer }}", "{{ o.decision }}", "{{ o.comment }}", "{{ o.date }}"))
    document.add_heading("五、审保会表决", level=2)
    _table(document, ("委员", "表决意见", "意见说明"), "v in votes", ("{{ v.member }}", "{{ v.vote }}", "{{ v.comment }}"))
    document.add_paragraph("决议：{% if resolution %}{{ resolution }}{% else %}无{% endif %}")
    document.add_heading("六、批复条件及落实情况", level=2)
    _conditions(document)
    document.add_paragraph("评审单位：{{ company_name }}")
    return _save(document)


def _conditions(document) -> None:
    _table(document, ("条件", "类别", "状态", "落实情况"), "k in approval_conditions",
           ("{{ k.text }}", "{{ k.kind_name }}", "{{ k.status_name }}", "{{ k.outcome }}"))
    document.add_paragraph("{{ conditions_summary }}")


def _approval_form() -> bytes:
    from docx import Document  # noqa: PLC0415 - heavy library, loaded when a file is made

    document = Document()
    document.add_heading("担保项目审批表", level=1)
    document.add_paragraph("填表日期：{{ contract_date }}")
    _figures(document)
    document.add_paragraph("反担保措施：{% for c in counter_guarantees %}（{{ loop.index }}）{{ c.summary }}。"
                           "{% else %}无。{% endfor %}")
    document.add_paragraph("尽调结论：{{ due_diligence_conclusion }}")
    _table(document, ("审批环节", "审批人", "审批意见", "说明", "日期"), "o in review_opinions",
           ("{{ o.step }}", "{{ o.reviewer }}", "{{ o.decision }}", "{{ o.comment }}", "{{ o.date }}"))
    _table(document, ("委员", "表决意见", "意见说明"), "v in votes", ("{{ v.member }}", "{{ v.vote }}", "{{ v.comment }}"))
    document.add_paragraph("审保会决议：{% if resolution %}{{ resolution }}{% else %}无{% endif %}")
    document.add_paragraph("批复条件：")
    _conditions(document)
    document.add_paragraph("审批结果：{{ result_name }}{% if decided_date %}（{{ decided_date }}）{% endif %}")
    document.add_paragraph("担保人：{{ company_name }}{% if seal_text %}（印章：{{ seal_text }}）{% endif %}")
    return _save(document)


@lru_cache(maxsize=None)
def default_template(contract_type: str) -> bytes:
    """The default .docx of ``contract_type`` (guarantee, counter_guarantee, entrustment, review_report,
    approval_form)."""
    if contract_type == REVIEW_REPORT:
        return _review_report()
    if contract_type == APPROVAL_FORM:
        return _approval_form()
    return _contract(contract_type)
