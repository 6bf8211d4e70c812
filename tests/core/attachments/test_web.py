"""POST /attachments (issue 14 item 10): the owning entity's id may be its Relay global id (as GraphQL returns it) or
the raw UUID, both stored as the UUID; the form is checked as a whole and every field problem comes back at once."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from sqlalchemy import select
from strawberry.relay import to_base64

from surety.core.attachments import web as attachments_web
from surety.core.attachments.models import Attachment
from surety.core.attachments.samples import pdf_bytes, png_bytes
from surety.core.attachments.web import entity_key
from surety.core.errors import NotFound, ValidationFailed
from surety.core.settings import get_settings
from surety.core.testing import mutation_ok
from surety.plugins.customers.testing import make_uscc

CUSTOMER = "customers:customer"
CREATE = ("mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } "
          "errors { code field message } } }")
LIST = "query($t:String!,$i:String!){ attachments(entityType:$t, entityId:$i){ id filename } }"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"PE\x00\x00"


def upload(api, token, data=None, filename="scan.png", **fields):
    files = {"file": (filename, data, "application/octet-stream")} if data is not None else None
    return api.client.post("/attachments", data=fields, files=files, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def customer(api, make_tenant):
    """(tenant id, token, the customer's global id, its UUID) in a tenant with the customers module."""
    tenant = make_tenant(plugins=["customers"])
    token = api.login(tenant.slug)
    fields = {"kind": "corporate", "name": "北京附件科技有限公司", "creditCode": make_uscc(71), "industry": "C13",
              "region": "110105", "size": "small"}
    gid = mutation_ok(api(CREATE, {"i": fields}, token=token), "customerCreate")["customer"]["id"]
    raw = base64.b64decode(gid).decode().split(":", 1)[1]
    return tenant.id, token, gid, raw


def test_upload_takes_the_global_id_or_the_uuid_and_stores_the_uuid(api, customer):
    _tenant, token, gid, raw = customer
    by_gid = upload(api, token, png_bytes(), entity_type=CUSTOMER, entity_id=gid)
    assert by_gid.status_code == 201, by_gid.text
    assert by_gid.json()["attachment"]["entityId"] == raw
    by_uuid = upload(api, token, png_bytes(), filename="second.png", entityType=CUSTOMER, entityId=raw)
    assert by_uuid.status_code == 201, by_uuid.text
    assert by_uuid.json()["attachment"]["entityId"] == raw
    listed = api(LIST, {"t": CUSTOMER, "i": raw}, token=token)["data"]["attachments"]
    assert [a["filename"] for a in listed] == ["scan.png", "second.png"]
    got = api.client.get(f"/attachments/{listed[0]['id']}", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200 and got.content == png_bytes()


def test_a_global_id_of_another_type_or_entity_is_refused(api, customer, db):
    tenant_id, token, _gid, raw = customer
    project = to_base64("GuaranteeProject", raw)
    wrong_type = upload(api, token, png_bytes(), entity_type=CUSTOMER, entity_id=project)
    assert wrong_type.status_code == 422
    assert wrong_type.json()["errors"] == [{
        "message": f"entity_id is the id of a GuaranteeProject, not of a {CUSTOMER}.",
        "extensions": {"code": "VALIDATION_FAILED", "field": "entity_id"}}]
    # a well-formed global id of a customer that does not exist: the customers guard answers, as for a raw UUID
    ghost = upload(api, token, png_bytes(), entity_type=CUSTOMER,
                   entity_id=to_base64("Customer", "01a23a16-9ff7-7b34-b58e-d4f9f4903ef4"))
    assert ghost.status_code == 404 and ghost.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    not_uuid = upload(api, token, png_bytes(), entity_type=CUSTOMER, entity_id=to_base64("Customer", "42"))
    assert not_uuid.status_code == 404
    assert not_uuid.json()["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "entity_id"}
    with db.tenant_session(tenant_id) as s:
        assert s.scalars(select(Attachment)).all() == []


def test_every_field_problem_comes_back_at_once(api, make_tenant, db):
    tenant = make_tenant()
    token = api.login(tenant.slug)
    r = upload(api, token, EXE, filename="invoice.pdf", entity_type="Customers Customer", entity_id="bad id!")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [(e["extensions"]["field"], e["extensions"]["code"]) for e in errors] == [
        ("entity_type", "VALIDATION_FAILED"), ("entity_id", "VALIDATION_FAILED"), ("file", "VALIDATION_FAILED")]
    assert "'<plugin>:<resource>'" in errors[0]["message"] and "1-64 letters" in errors[1]["message"]
    assert "named as a PDF document" in errors[2]["message"]

    nothing = upload(api, token)
    assert nothing.status_code == 422
    assert [e["extensions"]["field"] for e in nothing.json()["errors"]] == ["entity_type", "entity_id", "file"]
    assert "named 'file'" in nothing.json()["errors"][2]["message"]

    empty = upload(api, token, b"", filename="blank.pdf", entity_type="test:document")
    assert [e["extensions"]["field"] for e in empty.json()["errors"]] == ["entity_id", "file"]
    assert "is empty" in empty.json()["errors"][1]["message"]

    with db.tenant_session(tenant.id) as s:
        assert s.scalars(select(Attachment)).all() == []


def test_an_oversize_file_among_other_problems_answers_413(api, make_tenant, monkeypatch):
    tenant = make_tenant()
    token = api.login(tenant.slug)
    small = dataclasses.replace(get_settings(), attachment_max_bytes=100)
    monkeypatch.setattr(attachments_web, "get_settings", lambda: small)
    r = upload(api, token, pdf_bytes(1000), filename="big.pdf", entity_type="test:document")
    assert r.status_code == 413
    assert [e["extensions"]["field"] for e in r.json()["errors"]] == ["entity_id", "file"]
    assert "the limit for an attachment is" in r.json()["errors"][1]["message"]


def test_entity_key_keeps_raw_ids_and_decodes_global_ids():
    raw = "01a23a16-9ff7-7b34-b58e-d4f9f4903ef4"
    assert entity_key(CUSTOMER, raw) == raw
    assert entity_key("test:document", "c-1") == "c-1"  # a key that is not a global id is kept as given
    assert entity_key("guarantee:project", to_base64("GuaranteeProject", raw)) == raw
    assert entity_key("guarantee:contract_template", to_base64("GuaranteeContractTemplate", raw)) == raw
    assert entity_key(None, to_base64("Customer", raw)) == raw  # type unknown: no cross-check
    with pytest.raises(ValidationFailed, match="id of a Customer, not of a guarantee:project"):
        entity_key("guarantee:project", to_base64("Customer", raw))
    with pytest.raises(NotFound):
        entity_key(CUSTOMER, to_base64("Customer", "not-a-uuid"))
