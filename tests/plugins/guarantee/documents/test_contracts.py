"""Contract templates (defaults, upload checks), generating the contracts of an approved project from them, and
signing by hand until the project is contracted."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document
from sqlalchemy import select

from surety.core.attachments import service as attachments
from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.plugins.guarantee.documents import contracts
from surety.plugins.guarantee.documents.models import GuaranteeContract
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.templates.numerals import amount_in_words
from surety.plugins.guarantee.testing import make_bank, make_project


@pytest.mark.parametrize("amount, words", [
    ("1000000", "壹佰万元整"), ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"), ("10.05", "壹拾元零伍分"),
    ("0", "零元整"), ("0.50", "伍角"), ("100010000", "壹亿零壹万元整"), ("1010000", "壹佰零壹万元整"),
    ("100000001", "壹亿零壹元整"), ("20.10", "贰拾元壹角"), ("305000.005", "叁拾万伍仟元零壹分"),
])
def test_amount_in_capital_numerals(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def docx_bytes(*paragraphs: str) -> bytes:
    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def approved_project(s, a, customer_id, amount="1000000.00"):
    bank, _ = make_bank(s, name="华夏银行")
    project = make_project(s, a, customer_id, bank=bank, amount=amount, status="approved")
    cgs = [GuaranteeCounterGuarantee(project_id=project.id, kind="mortgage", description="厂房一处",
                                     owner_name="李四", collateral={"证号": "京(2024)0001"},
                                     valuation=Decimal("2000000.00"), valuation_date=dt.date(2025, 6, 1),
                                     discount_rate=Decimal("0.7")),
           GuaranteeCounterGuarantee(project_id=project.id, kind="third_party", description="连带责任保证",
                                     owner_name="王五", valuation=Decimal("500000.00")),
           GuaranteeCounterGuarantee(project_id=project.id, kind="credit", description="信用")]
    for cg in cgs:
        s.add(cg)
        s.flush()
    return project, cgs


def test_default_templates_are_installed_on_first_use_and_uploads_are_checked(gw):
    with gw.acting("legal") as (s, a):
        listed = contracts.list_templates(s, a)
        assert {(t.contract_type, t.version, t.source) for t in listed} == {
            ("guarantee", 1, "default"), ("entrustment", 1, "default"), ("counter_guarantee", 1, "default"),
            ("review_report", 1, "default"), ("approval_form", 1, "default")}
        assert "amount_upper" in next(t for t in listed if t.contract_type == "guarantee").placeholders
        new = contracts.upload_template(s, a, "guarantee", docx_bytes("编号{{ contract_no }} 金额{{ amount_upper }}"),
                                        "保证合同.docx")
        assert (new.version, new.placeholders) == (2, ["amount_upper", "contract_no"])
        assert contracts.current_template(s, "guarantee").id == new.id

        with pytest.raises(ValidationFailed) as unknown:
            contracts.upload_template(s, a, "guarantee", docx_bytes("{{ project_no }} {{ loan_officer }}"), "x.docx")
        assert unknown.value.field == "file" and "{{ loan_officer }}" in unknown.value.message
        # Counter-guarantee placeholders belong to the counter-guarantee contract only.
        with pytest.raises(ValidationFailed, match="counter_owner"):
            contracts.upload_template(s, a, "entrustment", docx_bytes("{{ counter_owner }}"), "x.docx")
        with pytest.raises(ValidationFailed, match="not a readable Word document") as broken:
            contracts.upload_template(s, a, "guarantee", b"PK\x03\x04 definitely not a docx", "x.docx")
        assert broken.value.details["reason"] == "broken"
        with pytest.raises(ValidationFailed, match="malformed placeholder"):
            contracts.upload_template(s, a, "guarantee", docx_bytes("{{ project_no "), "x.docx")
        with pytest.raises(ValidationFailed, match="malformed placeholder"):  # the sandbox refuses internals
            contracts.upload_template(s, a, "guarantee", docx_bytes("{{ project_no.__class__.__mro__ }}"), "x.docx")
        with pytest.raises(ValidationFailed, match="Unknown contract type"):
            contracts.upload_template(s, a, "loan", docx_bytes("x"), "x.docx")
        assert [t.version for t in contracts.list_templates(s, a, "guarantee")] == [2, 1]
    with gw.acting("mgr") as (s, a), pytest.raises(PermissionDenied, match="guarantee:contract:manage"):
        contracts.upload_template(s, a, "guarantee", docx_bytes("{{ project_no }}"), "x.docx")


def test_generate_fills_each_contract_and_stores_it_on_the_project(gw):
    with gw.acting("mgr") as (s, a):
        project, (mortgage, guarantor, _credit) = approved_project(s, a, gw.customers["corp"])
    with gw.acting("legal") as (s, a):
        contracts.upload_template(s, a, "entrustment", docx_bytes(
            "{{ contract_no }}|{{ customer_name }}|{{ amount }}|{{ amount_upper }}|{{ amount_wan }}万元",
            "{% for c in counter_guarantees %}[{{ c.kind_name }}:{{ c.owner }}]{% endfor %}"), "委托.docx")
        made = contracts.generate_contracts(s, a, project.id, today=dt.date(2026, 3, 5))
        assert [(c.contract_type, c.status) for c in made] == [
            ("guarantee", "generated"), ("entrustment", "generated"),
            ("counter_guarantee", "generated"), ("counter_guarantee", "generated")]  # none for the credit one
        no = project.project_no
        assert [c.contract_no for c in made] == [f"{no}-BZ", f"{no}-WT", f"{no}-FD1", f"{no}-FD2"]
        assert [c.counter_guarantee_id for c in made[2:]] == [mortgage.id, guarantor.id]
        assert made[1].template_version == 2 and made[0].template_version == 1
        files = {f.id: f for f in attachments.list_for(s, a, "guarantee:project", str(project.id))}
        assert set(files) == {c.attachment_id for c in made}
        texts = [text_of(attachments.download(s, a, c.attachment_id)[1]) for c in made]
    assert "华夏建材有限公司" in texts[0] and "壹佰万元整" in texts[0] and "1,000,000.00" in texts[0]
    assert "华夏银行" in texts[0] and "2026年3月5日" in texts[0] and no in texts[0]
    assert texts[1].splitlines()[0] == f"{no}-WT|华夏建材有限公司|1,000,000.00|壹佰万元整|100.00万元"
    assert "[抵押:李四][保证:王五][信用:]" in texts[1]
    assert "反担保人：李四" in texts[2] and "贰佰万元整" in texts[2] and "70.00%" in texts[2]
    assert "证号：京(2024)0001" in texts[2] and "2025年6月1日" in texts[2]
    # A guarantee by a person is worded as a guarantee: no valuation, no pledge rate.
    assert "反担保保证人：王五" in texts[3] and "承担连带保证责任" in texts[3]
    assert "评估价值" not in texts[3] and "抵（质）押率" not in texts[3] and "伍拾万元整" not in texts[3]


def test_generate_needs_an_approved_project_and_regenerate_keeps_signed_ones(gw):
    with gw.acting("mgr") as (s, a):
        draft = make_project(s, a, gw.customers["person"], customer_kind="individual")
        project, _ = approved_project(s, a, gw.customers["person"])
    with gw.acting("legal") as (s, a):
        with pytest.raises(Conflict, match="approved project"):
            contracts.generate_contracts(s, a, draft.id)
        first = contracts.generate_contracts(s, a, project.id)
        with pytest.raises(Conflict, match="already generated") as again:
            contracts.generate_contracts(s, a, project.id)
        assert again.value.field == "regenerate"
        contracts.mark_signed(s, a, first[0].id, signers=["华夏银行"])
        s.add(GuaranteeCounterGuarantee(project_id=project.id, kind="pledge", description="存单",
                                        valuation=Decimal("100000.00")))
        s.flush()
        second = contracts.generate_contracts(s, a, project.id, regenerate=True)
        assert second[0].id == first[0].id and second[0].status == "signed"
        assert len(second) == 5 and {c.id for c in second[1:]}.isdisjoint({c.id for c in first})
        old = s.scalars(select(GuaranteeContract).where(GuaranteeContract.id == first[1].id)).one()
        assert old.status == "superseded"
        with pytest.raises(Conflict, match="replaced"):
            contracts.mark_signed(s, a, old.id)
        assert [c.id for c in contracts.list_contracts(s, a, project.id)] == [c.id for c in second]
        assert len(contracts.list_contracts(s, a, project.id, include_superseded=True)) == 8
    with gw.acting("mgr") as (s, a), pytest.raises(PermissionDenied, match="guarantee:contract:manage"):
        contracts.generate_contracts(s, a, project.id, regenerate=True)


def test_signing_every_contract_by_hand_makes_the_project_contracted(gw):
    with gw.acting("mgr") as (s, a):
        project, _ = approved_project(s, a, gw.customers["corp"])
    with gw.acting("legal") as (s, a):
        made = contracts.generate_contracts(s, a, project.id)
        scan = attachments.upload(s, a, "guarantee:project", str(project.id), "signed.docx", docx_bytes("signed"))
    with gw.acting("mgr") as (s, a), pytest.raises(PermissionDenied, match="guarantee:contract:sign"):
        contracts.mark_signed(s, a, made[0].id)
    with gw.acting("legal") as (s, a):
        with pytest.raises(ValidationFailed, match="future") as future:
            contracts.mark_signed(s, a, made[0].id, signed_on=dt.date.today() + dt.timedelta(days=3))
        assert future.value.field == "signed_on"
        with pytest.raises(ValidationFailed, match="signer has a name"):
            contracts.mark_signed(s, a, made[0].id, signers=[{"role": "bank", "name": " "}])
        first = contracts.mark_signed(s, a, made[0].id, signers=[{"role": "bank", "name": "华夏银行"}],
                                      signed_attachment_id=scan.id, signed_on=dt.date(2026, 1, 5))
        assert (first.status, first.signed_via, first.signed_attachment_id) == ("signed", "manual", scan.id)
        assert first.signers == [{"role": "bank", "name": "华夏银行"}] and first.signed_at is not None
        with pytest.raises(Conflict, match="already signed"):
            contracts.mark_signed(s, a, made[0].id)
        for c in made[1:-1]:
            contracts.mark_signed(s, a, c.id)
        assert contracts.get_project(s, project.id).status == "approved"  # one contract still unsigned
        contracts.mark_signed(s, a, made[-1].id)
    with gw.session() as s:
        assert s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == project.id)).one().status \
            == "contracted"
        events = [e.payload for e in s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "GuaranteeContractSigned"))
            if e.payload["project_id"] == str(project.id)]
        assert sorted(e["contract_id"] for e in events) == sorted(str(c.id) for c in made)
        assert {e["contract_type"] for e in events} == {"guarantee", "entrustment", "counter_guarantee"}


def test_a_signed_copy_must_be_a_file_of_the_same_project(gw):
    with gw.acting("mgr") as (s, a):
        project, _ = approved_project(s, a, gw.customers["corp"])
        other, _ = approved_project(s, a, gw.customers["person"])
    with gw.acting("legal") as (s, a):
        made = contracts.generate_contracts(s, a, project.id)
        elsewhere = attachments.upload(s, a, "guarantee:project", str(other.id), "s.docx", docx_bytes("x"))
        with pytest.raises(Exception, match="among the project's attachments"):
            contracts.mark_signed(s, a, made[0].id, signed_attachment_id=elsewhere.id)
