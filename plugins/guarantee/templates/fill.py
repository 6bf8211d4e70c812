"""Checking and filling a document template (.docx with Jinja placeholders such as ``{{ project_no }}``, filled by
docxtpl): the contracts and the review report (评审报告) and approval form (审批表). Templates are tenant-supplied, so
Jinja runs sandboxed, values are XML-escaped, and a template may use only the placeholders of its type
(:data:`PLACEHOLDERS`)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from surety.core.errors import ValidationFailed

GUARANTEE = "guarantee"
COUNTER_GUARANTEE = "counter_guarantee"
ENTRUSTMENT = "entrustment"
CONTRACT_TYPES = (GUARANTEE, COUNTER_GUARANTEE, ENTRUSTMENT)
#: The review documents of a project (documents/reports.py): templates like the contracts', no signing.
REVIEW_REPORT = "review_report"
APPROVAL_FORM = "approval_form"
REPORT_TYPES = (REVIEW_REPORT, APPROVAL_FORM)
#: Every template type a tenant keeps (and may replace).
TEMPLATE_TYPES = CONTRACT_TYPES + REPORT_TYPES
CONTRACT_TYPE_NAMES = {GUARANTEE: "保证合同", COUNTER_GUARANTEE: "反担保合同", ENTRUSTMENT: "委托担保合同",
                       REVIEW_REPORT: "项目评审报告", APPROVAL_FORM: "担保项目审批表"}

#: Placeholder -> what it holds. Every contract type may use these.
COMMON = {
    "contract_no": "this contract's number (project number and a suffix)",
    "contract_date": "the date the contract was generated (2026年1月5日)",
    "company_name": "the guarantor's legal name (guarantee settings' legal_name, else the tenant's name)",
    "company_address": "the guarantor's registered address (settings; empty when not set)",
    "legal_representative": "the guarantor's legal representative (settings; empty when not set)",
    "seal_text": "the text of the guarantor's contract seal (settings; empty when not set)",
    "project_no": "the project number",
    "customer_name": "the customer (borrower)",
    "amount": "the guaranteed amount in figures (1,000,000.00)",
    "amount_upper": "the guaranteed amount in capital numerals (壹佰万元整)",
    "amount_wan": "the guaranteed amount in 万元 (100.00)",
    "term_months": "the term in months",
    "bank_name": "the cooperating bank",
    "product_name": "the guarantee product",
    "purpose": "the purpose of the loan",
    "financing": "true for a financing guarantee (a bank loan), false for a non-financing one (a 保函)",
    "beneficiary_name": "the beneficiary (受益人): the bank for a financing guarantee, the project's beneficiary "
                        "for a non-financing one",
    "underlying_contract": "the underlying contract or tender (基础合同) of a non-financing guarantee",
    "effective_date": "the date the guarantee took effect (empty before)",
    "expiry_date": "the expiry date of a non-financing guarantee (保函有效期至; empty when not set)",
    "guarantee_period": "the guarantee period (保证期间), the same words as the letter's",
    "scope": "the covered components in words (本金、利息、罚息)",
    "conditions": "the approval's conditions, joined with '；' (empty when none)",
    "counter_guarantees": "list of the project's counter-guarantees, each with kind, kind_name, owner, description, "
                          "collateral, valuation, valuation_upper, valuation_date, discount_rate, is_guarantee "
                          "(a 保证 by a person or company: no valuation) and summary (one line in words) (use in a "
                          "{% for c in counter_guarantees %} loop)",
}
#: Placeholders of the counter-guarantee contract only (one contract per counter-guarantee).
COUNTER = {
    "counter_kind": "the kind code (pledge, mortgage, third_party, lien, deposit)",
    "counter_kind_name": "the kind in Chinese (质押, 抵押, 保证, 留置, 定金)",
    "counter_owner": "who provides it (pledgor, mortgagor, guarantor)",
    "counter_description": "what it is",
    "counter_collateral": "the collateral details with zh-CN labels in a fixed order (权证编号：…；坐落：…)",
    "counter_valuation": "the valuation in figures",
    "counter_valuation_upper": "the valuation in capital numerals",
    "counter_valuation_date": "the valuation date",
    "counter_discount_rate": "the discount rate as a percentage (70.00%)",
    "counter_is_guarantee": "true for a guarantee (保证) by a third party: no valuation, no pledge rate",
    "counter_summary": "the counter-guarantee in one line of words",
    "counter_period": "the counter-guarantor's guarantee period (保证期间 of a 保证 counter-guarantee)",
}
#: Placeholders of the review report and approval form.
REPORT = {
    "customer_kind_name": "the customer's kind in Chinese (企业/个人)",
    "product_kind_name": "the product's category in Chinese (融资担保/非融资担保)",
    "loan_category_name": "the loan category in Chinese",
    "submitted_date": "the date the application was submitted",
    "decided_date": "the date the approval ended (empty while in approval)",
    "risk_grade": "the credit rating's grade (AAA..C; empty when not rated)",
    "risk_score": "the credit rating's total score",
    "risk_degree": "the project's risk degree as a percentage",
    "risk_amount": "the project's risk amount in figures",
    "risk_class_name": "the five-category risk class in Chinese (正常...)",
    "counter_total": "the counter-guarantees' valuation, added up, in figures",
    "counter_cover": "the counter-guarantees' valuation times discount rate, added up, in figures",
    "due_diligence_status": "the due-diligence report's status in Chinese (未提交/已提交; 无 when none)",
    "due_diligence": "list of the due-diligence report's sections, each with title and text",
    "due_diligence_conclusion": "the due-diligence report's conclusion",
    "review_opinions": "list of the review opinions in order, each with step, reviewer, decision, comment, date",
    "votes": "list of the committee members' votes, each with member, vote, comment",
    "resolution": "the committee's resolution in words (empty when none)",
    "approval_conditions": "list of the approval conditions, each with text, kind_name, status_name, outcome "
                           "(met with its note, waived with its reason)",
    "conditions_summary": "the conditions' outcome counted (e.g. 共2项：已落实1项，已豁免1项)",
    "proposed_fee": "the proposed guarantee fee in figures (empty when none)",
    "proposed_fee_rate": "the proposed yearly fee rate as a percentage (empty when none)",
    "proposed_fee_text": "the proposed fee in words (年费率1.50%，计人民币15,000.00元)",
    "result_name": "the approval's result in Chinese (审批中/已批准/已否决...)",
}
PLACEHOLDERS: dict[str, dict[str, str]] = {
    GUARANTEE: COMMON, ENTRUSTMENT: COMMON, COUNTER_GUARANTEE: {**COMMON, **COUNTER},
    REVIEW_REPORT: {**COMMON, **REPORT}, APPROVAL_FORM: {**COMMON, **REPORT},
}
COUNTER_KIND_NAMES = {"pledge": "质押", "mortgage": "抵押", "third_party": "保证", "credit": "信用", "lien": "留置",
                      "deposit": "定金"}


def check_contract_type(contract_type: str) -> str:
    """``contract_type`` when it is a template type (TEMPLATE_TYPES: the contracts, the review report and the
    approval form); ValidationFailed otherwise."""
    if contract_type not in TEMPLATE_TYPES:
        raise ValidationFailed("Unknown contract type {contract_type}; one of {types}.", field="contract_type",
                               contract_type=repr(contract_type), types=", ".join(TEMPLATE_TYPES))
    return contract_type


def _env():
    from jinja2.sandbox import SandboxedEnvironment  # noqa: PLC0415 - heavy library, loaded when a file is made

    return SandboxedEnvironment()  # docxtpl sets autoescape on the environment it is given: a fresh one each time


def _open(data: bytes, filename: str):
    from docxtpl import DocxTemplate  # noqa: PLC0415 - heavy library, loaded when a file is made

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if "word/document.xml" not in package.namelist():
                raise zipfile.BadZipFile("no word/document.xml")
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
        return template
    except Exception as exc:  # a broken package: zip, XML or missing parts
        raise ValidationFailed("{filename} is not a readable Word document (.docx); save it again from Word as "
                               ".docx and upload it.", field="file", reason="broken", filename=repr(filename)) from exc


def _syntax(exc: Exception, filename: str) -> ValidationFailed:
    return ValidationFailed("{filename} has a malformed placeholder: {error}. Placeholders are written like {example}.",
                            field="file", reason="syntax", filename=repr(filename),
                            error=str(getattr(exc, "message", None) or exc), example="{{ project_no }}")


def check_template(data: bytes, contract_type: str, filename: str = "template.docx") -> list[str]:
    """The placeholders ``data`` uses, after checking that it is a readable .docx, that its placeholders parse, that
    each is one of :data:`PLACEHOLDERS` for ``contract_type``, and that it fills with sample values."""
    from jinja2 import TemplateError  # noqa: PLC0415 - heavy library, loaded when a file is made

    allowed = PLACEHOLDERS[check_contract_type(contract_type)]
    template = _open(data, filename)
    try:
        used = template.get_undeclared_template_variables(jinja_env=_env())
    except TemplateError as exc:
        raise _syntax(exc, filename) from exc
    unknown = sorted(used - set(allowed))
    if unknown:
        names = ", ".join("{{ %s }}" % n for n in unknown)
        raise ValidationFailed(
            "{filename} uses unknown placeholder(s) {names}; a {contract_type} template may use: {allowed}.",
            field="file", reason="unknown_placeholder", unknown=unknown, filename=repr(filename), names=names,
            contract_type=contract_type, allowed=", ".join(sorted(allowed)))
    try:
        render(data, sample_context(contract_type), filename)
    except ValidationFailed:
        raise
    except Exception as exc:  # e.g. an unknown filter, or something the sandbox refuses
        raise _syntax(exc, filename) from exc
    return sorted(used)


def render(data: bytes, context: Mapping[str, Any], filename: str = "template.docx") -> bytes:
    """The template filled with ``context`` (values XML-escaped), as .docx bytes."""
    from jinja2 import TemplateError  # noqa: PLC0415 - heavy library, loaded when a file is made

    template = _open(data, filename)
    try:
        template.render(dict(context), jinja_env=_env(), autoescape=True)
    except TemplateError as exc:
        raise _syntax(exc, filename) from exc
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def sample_context(contract_type: str) -> dict[str, Any]:
    """Values of the right shape for every placeholder (used to try a template before accepting it)."""
    counter = {"kind": "mortgage", "kind_name": "抵押", "owner": "样例", "description": "样例", "valuation": "1.00",
               "valuation_upper": "壹元整", "collateral": "", "valuation_date": "", "discount_rate": "70.00%",
               "is_guarantee": False, "summary": "样例"}
    values: dict[str, Any] = {name: "样例" for name in PLACEHOLDERS[contract_type]}
    values["counter_guarantees"] = [counter]
    values["financing"] = True
    values["counter_is_guarantee"] = False
    if contract_type in REPORT_TYPES:
        values["due_diligence"] = [{"title": "样例", "text": "样例"}]
        values["review_opinions"] = [{"step": "样例", "reviewer": "样例", "decision": "样例", "comment": "样例",
                                      "date": "样例"}]
        values["votes"] = [{"member": "样例", "vote": "样例", "comment": "样例"}]
        values["approval_conditions"] = [{"text": "样例", "kind_name": "样例", "status_name": "样例",
                                          "outcome": "样例"}]
    return values
