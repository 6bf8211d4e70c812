"""Electronic signature through the ``guarantee_esign_send`` hook: a local test double plays the provider."""

from __future__ import annotations

import io
import itertools

import pytest
from docx import Document
from sqlalchemy import select

from surety.core.attachments import service as attachments
from surety.core.errors import Conflict, NotFound
from surety.core.hookspecs import PluginManifest
from surety.core.plugins import PluginRegistry, build_plugin_manager, hookimpl, reset_registry
from surety.plugins.guarantee.documents import contracts, esign
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.testing import make_bank, make_project
from surety.tenants.service import enable_plugin


class FakeSign:
    """A provider: keeps what it was sent, answers references ``FS-1``, ``FS-2``..."""

    def __init__(self):
        self.sent = {}
        self.numbers = itertools.count(1)

    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key="fakesign", version="1", depends_on=("guarantee",))

    @hookimpl
    def guarantee_esign_send(self, session, contract_id, document, signers):
        reference = f"FS-{next(self.numbers)}"
        self.sent[reference] = (contract_id, document, list(signers))
        return reference


@pytest.fixture
def provider(gw, db):
    plugin = FakeSign()
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("fakesign", plugin)])))
    try:
        enable_plugin(db, gw.tenant.slug, "fakesign")
        yield plugin
    finally:
        reset_registry(None)


def approved(gw):
    with gw.acting("mgr") as (s, a):
        bank, _ = make_bank(s, name="华夏银行")
        project = make_project(s, a, gw.customers["corp"], bank=bank, status="approved")
        s.add(GuaranteeCounterGuarantee(project_id=project.id, kind="third_party", owner_name="王五"))
    with gw.acting("legal") as (s, a):
        return project, contracts.generate_contracts(s, a, project.id)


def signed_pdf() -> bytes:
    doc = Document()
    doc.add_paragraph("signed by all parties")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_send_to_the_provider_and_record_its_callback(gw, provider):
    project, made = approved(gw)
    with gw.acting("legal") as (s, a):
        sent = [esign.send(s, a, c.id) for c in made]
        assert [(c.status, c.esign_reference) for c in sent] == [("sent", "FS-1"), ("sent", "FS-2"), ("sent", "FS-3")]
        contract_id, document, signers = provider.sent["FS-1"]
        assert contract_id == made[0].id and document == attachments.download(s, a, made[0].attachment_id)[1]
        assert signers == [{"role": "guarantor", "name": gw.tenant.name}, {"role": "bank", "name": "华夏银行"}]
        assert provider.sent["FS-2"][2][0] == {"role": "customer", "name": "华夏建材有限公司"}
        assert provider.sent["FS-3"][2][0] == {"role": "counter_guarantor", "name": "王五"}
        with pytest.raises(Conflict, match="only a generated contract"):
            esign.send(s, a, made[0].id)

        first = esign.signed(s, a, "FS-1", signed_pdf())
        assert (first.status, first.signed_via) == ("signed", "esign") and first.signed_attachment_id is not None
        copy = attachments.get(s, a, first.signed_attachment_id)
        assert (copy.entity_type, copy.entity_id, copy.filename) == (
            "guarantee:project", str(project.id), f"{first.contract_no}-signed.docx")
        assert esign.signed(s, a, "FS-1", signed_pdf()).signed_attachment_id == first.signed_attachment_id  # repeat
        with pytest.raises(NotFound, match="reference"):
            esign.signed(s, a, "FS-404")
        esign.signed(s, a, "FS-2")
        assert contracts.get_project(s, project.id).status == "approved"
        esign.signed(s, a, "FS-3")
    with gw.session() as s:
        assert s.scalars(select(GuaranteeProject.status).where(GuaranteeProject.id == project.id)).one() == "contracted"


def test_a_provider_report_for_a_replaced_contract_is_refused(gw, provider):
    project, made = approved(gw)
    with gw.acting("legal") as (s, a):
        esign.send(s, a, made[1].id)
        contracts.generate_contracts(s, a, project.id, regenerate=True)
        with pytest.raises(Conflict, match="replaced"):
            esign.signed(s, a, "FS-1")


def test_without_a_provider_signing_is_recorded_by_hand(gw):
    _, made = approved(gw)
    with gw.acting("legal") as (s, a):
        with pytest.raises(esign.EsignUnavailable, match="record the signing by hand") as refused:
            esign.send(s, a, made[0].id)
        assert refused.value.code == "ESIGN_UNAVAILABLE"
    with gw.acting("mgr") as (s, a), pytest.raises(Exception, match="guarantee:contract:sign"):
        esign.send(s, a, made[0].id)
