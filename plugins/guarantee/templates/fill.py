"""Checking and filling a contract template (.docx with Jinja placeholders such as ``{{ project_no }}``, filled by
docxtpl). Templates are tenant-supplied, so Jinja runs sandboxed, values are XML-escaped, and a template may use only
the placeholders of its contract type (:data:`PLACEHOLDERS`)."""

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
CONTRACT_TYPE_NAMES = {GUARANTEE: "保证合同", COUNTER_GUARANTEE: "反担保合同", ENTRUSTMENT: "委托担保合同"}

#: Placeholder -> what it holds. Every contract type may use these.
COMMON = {
    "contract_no": "this contract's number (project number and a suffix)",
    "contract_date": "the date the contract was generated (2026年1月5日)",
    "company_name": "the guarantee company (the tenant's name)",
    "project_no": "the project number",
    "customer_name": "the customer (borrower)",
    "amount": "the guaranteed amount in figures (1,000,000.00)",
    "amount_upper": "the guaranteed amount in capital numerals (壹佰万元整)",
    "amount_wan": "the guaranteed amount in 万元 (100.00)",
    "term_months": "the term in months",
    "bank_name": "the cooperating bank",
    "product_name": "the guarantee product",
    "purpose": "the purpose of the loan",
    "conditions": "the approval's conditions, joined with '；' (empty when none)",
    "counter_guarantees": "list of the project's counter-guarantees, each with kind_name, owner, description, "
                          "valuation, valuation_upper (use in a {% for c in counter_guarantees %} loop)",
}
#: Placeholders of the counter-guarantee contract only (one contract per counter-guarantee).
COUNTER = {
    "counter_kind": "the kind code (pledge, mortgage, third_party, lien, deposit)",
    "counter_kind_name": "the kind in Chinese (质押, 抵押, 保证, 留置, 定金)",
    "counter_owner": "who provides it (pledgor, mortgagor, guarantor)",
    "counter_description": "what it is",
    "counter_collateral": "the collateral details as 'key: value' pairs joined with '；'",
    "counter_valuation": "the valuation in figures",
    "counter_valuation_upper": "the valuation in capital numerals",
    "counter_valuation_date": "the valuation date",
    "counter_discount_rate": "the discount rate as a percentage (70.00%)",
}
PLACEHOLDERS: dict[str, dict[str, str]] = {
    GUARANTEE: COMMON, ENTRUSTMENT: COMMON, COUNTER_GUARANTEE: {**COMMON, **COUNTER},
}
COUNTER_KIND_NAMES = {"pledge": "质押", "mortgage": "抵押", "third_party": "保证", "credit": "信用", "lien": "留置",
                      "deposit": "定金"}


def check_contract_type(contract_type: str) -> str:
    if contract_type not in CONTRACT_TYPES:
        raise ValidationFailed(f"Unknown contract type {contract_type!r}; one of {', '.join(CONTRACT_TYPES)}.",
                               field="contract_type")
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
        raise ValidationFailed(f"{filename!r} is not a readable Word document (.docx); save it again from Word as "
                               ".docx and upload it.", field="file", reason="broken") from exc


def _syntax(exc: Exception, filename: str) -> ValidationFailed:
    return ValidationFailed(f"{filename!r} has a malformed placeholder: {getattr(exc, 'message', None) or exc}. "
                            "Placeholders are written like {{ project_no }}.", field="file", reason="syntax")


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
            f"{filename!r} uses unknown placeholder(s) {names}; a {contract_type} template may use: "
            f"{', '.join(sorted(allowed))}.", field="file", reason="unknown_placeholder", unknown=unknown)
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
               "valuation_upper": "壹元整", "collateral": "", "valuation_date": "", "discount_rate": "70.00%"}
    values: dict[str, Any] = {name: "样例" for name in PLACEHOLDERS[contract_type]}
    values["counter_guarantees"] = [counter]
    return values
