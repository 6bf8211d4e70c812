"""The default contract templates, built in code with python-docx (no binary files in the repository). A tenant
gets them as version 1 of each contract type on first use and replaces them by uploading its own."""

from __future__ import annotations

import io
from functools import lru_cache

from surety.plugins.guarantee.templates.fill import COUNTER_GUARANTEE, ENTRUSTMENT, GUARANTEE

_PARTIES = {
    GUARANTEE: ("债权人（银行）：{{ bank_name }}", "保证人：{{ company_name }}"),
    ENTRUSTMENT: ("委托人（借款人）：{{ customer_name }}", "受托人（担保人）：{{ company_name }}"),
    COUNTER_GUARANTEE: ("反担保人：{{ counter_owner }}", "担保人：{{ company_name }}"),
}
_TITLES = {GUARANTEE: "保证合同", ENTRUSTMENT: "委托担保合同", COUNTER_GUARANTEE: "反担保合同（{{ counter_kind_name }}）"}
_CLAUSES = {
    GUARANTEE: [
        "第一条  保证人为债务人{{ customer_name }}向债权人申请的借款提供连带责任保证，被保证的主债权本金为人民币"
        "{{ amount_upper }}（小写：¥{{ amount }}）。",
        "第二条  借款期限为{{ term_months }}个月，借款用途：{{ purpose }}。担保产品：{{ product_name }}。",
        "第三条  保证期间为主债务履行期届满之日起两年。",
        "第四条  担保项目编号：{{ project_no }}。{% if conditions %}批复条件：{{ conditions }}。{% endif %}",
    ],
    ENTRUSTMENT: [
        "第一条  委托人委托受托人为其向{{ bank_name }}申请的借款人民币{{ amount_upper }}（小写：¥{{ amount }}，"
        "即{{ amount_wan }}万元）提供担保，借款期限{{ term_months }}个月，用途：{{ purpose }}。",
        "第二条  委托人按约定向受托人交纳担保费、评审费及保证金。",
        "第三条  委托人提供的反担保措施如下：",
        "{% for c in counter_guarantees %}（{{ loop.index }}）{{ c.kind_name }}：{{ c.owner }}，{{ c.description }}，"
        "评估价值人民币{{ c.valuation_upper }}。{% endfor %}",
        "第四条  担保项目编号：{{ project_no }}。{% if conditions %}批复条件：{{ conditions }}。{% endif %}",
    ],
    COUNTER_GUARANTEE: [
        "第一条  为保障担保人因为债务人{{ customer_name }}向{{ bank_name }}借款人民币{{ amount_upper }}"
        "（小写：¥{{ amount }}）提供担保而享有的追偿权，反担保人以下列方式提供{{ counter_kind_name }}反担保。",
        "第二条  反担保物（或保证）：{{ counter_description }}。{{ counter_collateral }}",
        "第三条  评估价值人民币{{ counter_valuation_upper }}（小写：¥{{ counter_valuation }}），评估日期"
        "{{ counter_valuation_date }}，抵（质）押率{{ counter_discount_rate }}。",
        "第四条  担保项目编号：{{ project_no }}。",
    ],
}


@lru_cache(maxsize=None)
def default_template(contract_type: str) -> bytes:
    """The default .docx of ``contract_type`` (guarantee, counter_guarantee, entrustment)."""
    from docx import Document  # noqa: PLC0415 - heavy library, loaded when a file is made

    document = Document()
    document.add_heading(_TITLES[contract_type], level=1)
    document.add_paragraph("合同编号：{{ contract_no }}")
    for party in _PARTIES[contract_type]:
        document.add_paragraph(party)
    for clause in _CLAUSES[contract_type]:
        document.add_paragraph(clause)
    document.add_paragraph("（以下无正文）")
    for party in _PARTIES[contract_type]:
        document.add_paragraph(f"{party.split('：')[0]}（盖章/签字）：")
    document.add_paragraph("签订日期：{{ contract_date }}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
