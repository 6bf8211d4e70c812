"""Attachments over HTTP (upload, download) and GraphQL (list, node, delete), authenticated like GraphQL."""

from __future__ import annotations

import urllib.parse

from sqlalchemy import select

from surety.core.attachments.models import Attachment
from surety.core.attachments.samples import docx_bytes, pdf_bytes, pdf_of_size, png_bytes
from surety.core.audit.query import records
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, error_codes

LIST = ("query($t:String!,$i:String!){ attachments(entityType:$t, entityId:$i){ id filename contentType size sha256 "
        "uploadedBy uploadedByName createdAt downloadUrl } }")
DELETE = "mutation($id:ID!){ attachmentDelete(id:$id){ deletedId errors { code message field } } }"


def upload(api, token, filename, data, entity_type="test:document", entity_id="c-1", **kw):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.client.post("/attachments", data={"entity_type": entity_type, "entity_id": entity_id},
                           files={"file": (filename, data, "application/octet-stream")}, headers=headers, **kw)


def download(api, token, url):
    return api.client.get(url, headers={"Authorization": f"Bearer {token}"} if token else {})


def test_upload_list_download_delete(api, make_tenant, db):
    t = make_tenant()
    token = api.login(t.slug)
    r = upload(api, token, "借款合同.docx", docx_bytes())
    assert r.status_code == 201, r.text
    created = r.json()["attachment"]
    assert created["filename"] == "借款合同.docx" and created["size"] == len(docx_bytes())
    assert created["contentType"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert r.headers["location"] == created["downloadUrl"] == f"/attachments/{created['uuid']}"
    r2 = upload(api, token, "scan.png", png_bytes())
    assert r2.status_code == 201

    listed = api(LIST, {"t": "test:document", "i": "c-1"}, token=token)["data"]["attachments"]
    assert [a["filename"] for a in listed] == ["借款合同.docx", "scan.png"]
    assert listed[0]["id"] == created["id"] and listed[0]["uploadedByName"] == "admin"
    assert listed[0]["uploadedBy"].startswith("user:") and listed[0]["sha256"] == created["sha256"]
    assert api(LIST, {"t": "test:document", "i": "c-2"}, token=token)["data"]["attachments"] == []

    got = download(api, token, listed[0]["downloadUrl"])
    assert got.status_code == 200 and got.content == docx_bytes()
    assert got.headers["content-type"] == created["contentType"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"____.docx\"; filename*=UTF-8''" + urllib.parse.quote("借款合同.docx"))
    assert got.headers["cache-control"] == "private, no-store"
    assert download(api, token, f"/attachments/{listed[1]['id']}").content == png_bytes()  # global id works too

    node = api("query($id:ID!){ node(id:$id){ ... on Attachment { filename size } } }", {"id": listed[1]["id"]},
               token=token)["data"]["node"]
    assert node == {"filename": "scan.png", "size": len(png_bytes())}

    deleted = api(DELETE, {"id": listed[0]["id"]}, token=token)["data"]["attachmentDelete"]
    assert deleted == {"deletedId": listed[0]["id"], "errors": []}
    assert [a["filename"] for a in api(LIST, {"t": "test:document", "i": "c-1"}, token=token)["data"][
        "attachments"]] == ["scan.png"]
    gone = download(api, token, listed[0]["downloadUrl"])
    assert gone.status_code == 404 and gone.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    again = api(DELETE, {"id": listed[0]["id"]}, token=token)["data"]["attachmentDelete"]
    assert again["deletedId"] is None and again["errors"][0]["code"] == "NOT_FOUND"

    with db.tenant_session(t.id) as s:
        actions = [rec.action for rec in records(s, entity_type="attachment")]
        assert actions.count("attachment.upload") == 2 and actions.count("attachment.download") == 2
        assert actions.count("attachment.delete") == 1
        rec = records(s, action="attachment.download")[0]
        assert rec.request_id and rec.client_addr  # the HTTP request's context reached the audit record


def test_disguised_empty_and_malformed_uploads_are_refused(api, make_tenant, db):
    t = make_tenant()
    token = api.login(t.slug)
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"PE\x00\x00"
    r = upload(api, token, "invoice.pdf", exe)
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["extensions"] == {"code": "VALIDATION_FAILED", "field": "file"}
    assert "named as a PDF document" in err["message"] and "Windows executable" in err["message"]

    r = upload(api, token, "empty.pdf", b"")
    assert r.status_code == 422 and "is empty" in r.json()["errors"][0]["message"]

    r = api.client.post("/attachments", data={"entity_type": "test:document", "entity_id": "c-1"},
                        headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422 and "named 'file'" in r.json()["errors"][0]["message"]

    r = upload(api, token, "scan.png", png_bytes(), entity_type="Customers Customer")
    assert r.status_code == 422 and r.json()["errors"][0]["extensions"]["field"] == "entity_type"

    with db.tenant_session(t.id) as s:
        assert s.scalars(select(Attachment)).all() == []
    assert api(LIST, {"t": "test:document", "i": "c-1"}, token=token)["data"]["attachments"] == []


def test_authentication_is_the_same_as_graphql(api, make_tenant):
    t = make_tenant()
    assert upload(api, None, "scan.png", png_bytes()).status_code == 401
    r = upload(api, "not-a-token", "scan.png", png_bytes())
    assert r.status_code == 401 and r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    r = api.client.post("/attachments", headers={"Authorization": "Basic abc"},
                        files={"file": ("a.png", png_bytes())})
    assert r.status_code == 401
    assert download(api, None, "/attachments/00000000-0000-0000-0000-000000000000").status_code == 401

    # An API key of the tenant works for uploads, as it does for GraphQL.
    token = api.login(t.slug)
    key = api('mutation{ apiKeyCreate(name:"scanner", roles:["customer_manager"]){ secret errors { code } } }',
              token=token)["data"]["apiKeyCreate"]["secret"]
    r = upload(api, key, "scan.png", png_bytes())
    assert r.status_code == 201 and r.json()["attachment"]["uploadedBy"].startswith("apikey:")
    assert download(api, key, r.json()["attachment"]["downloadUrl"]).content == png_bytes()


def test_permissions_and_tenant_isolation(api, make_tenant, db):
    a, b = make_tenant(), make_tenant()
    with db.tenant_session(a.id) as s:
        create_user(s, username="viewer", password=TEST_PASSWORD, roles=["read_only"])
        create_user(s, username="clerk", password=TEST_PASSWORD, roles=["customer_manager"])
    admin_a, admin_b = api.login(a.slug), api.login(b.slug)
    viewer, clerk = api.login(a.slug, "viewer"), api.login(a.slug, "clerk")

    r = upload(api, viewer, "scan.png", png_bytes())
    assert r.status_code == 403 and "core:attachment:upload" in r.json()["errors"][0]["message"]
    att = upload(api, clerk, "scan.png", png_bytes()).json()["attachment"]

    body = api(LIST, {"t": "test:document", "i": "c-1"}, token=viewer)
    assert error_codes(body) == ["FORBIDDEN"]
    assert download(api, viewer, att["downloadUrl"]).status_code == 403
    refused = api(DELETE, {"id": att["id"]}, token=clerk)["data"]["attachmentDelete"]  # staff may not delete
    assert refused["errors"][0]["code"] == "FORBIDDEN" and refused["deletedId"] is None

    # Another tenant: the same id is simply not there.
    r = download(api, admin_b, att["downloadUrl"])
    assert r.status_code == 404 and r.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert api(LIST, {"t": "test:document", "i": "c-1"}, token=admin_b)["data"]["attachments"] == []
    assert api("query($id:ID!){ node(id:$id){ id } }", {"id": att["id"]}, token=admin_b)["data"]["node"] is None
    assert api(DELETE, {"id": att["id"]}, token=admin_b)["data"]["attachmentDelete"]["errors"][0]["code"] \
        == "NOT_FOUND"
    assert download(api, admin_a, att["downloadUrl"]).content == png_bytes()
    assert download(api, admin_a, "/attachments/not-an-id").status_code == 404


def test_upload_route_accepts_files_above_the_graphql_body_limit(api, make_tenant, app):
    t = make_tenant()
    token = api.login(t.slug)
    big = pdf_bytes(3 * 1024 * 1024)  # 3 MB: above the 1 MB limit of every other route
    r = upload(api, token, "big.pdf", big)
    assert r.status_code == 201, r.text
    assert download(api, token, r.json()["attachment"]["downloadUrl"]).content == big
    # GraphQL keeps its own limit.
    assert api.client.post("/graphql", content=b"x" * (2 * 1024 * 1024),
                           headers={"content-type": "application/json"}).status_code == 413


def test_oversize_uploads_are_refused_naming_the_limit(api, make_tenant, db):
    t = make_tenant()
    token = api.login(t.slug)
    limit = 20 * 1024 * 1024
    just_over = pdf_of_size(limit + 1)
    assert len(just_over) == limit + 1
    r = upload(api, token, "big.pdf", just_over)  # fits the route's body limit; the service refuses it
    assert r.status_code == 413
    err = r.json()["errors"][0]
    assert err["extensions"]["code"] == "VALIDATION_FAILED"
    assert "the limit for an attachment is 20 MB (20971520 bytes)" in err["message"]

    r = upload(api, token, "huge.pdf", pdf_bytes(limit + 200 * 1024))  # beyond the route's body limit
    assert r.status_code == 413 and r.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    def chunks():  # no Content-Length: the limit is enforced while reading
        boundary_head = (b"--b\r\ncontent-disposition: form-data; name=\"file\"; filename=\"x.pdf\"\r\n"
                         b"content-type: application/pdf\r\n\r\n")
        yield boundary_head
        for _ in range(22):
            yield b"x" * (1024 * 1024)

    r = api.client.post("/attachments", content=chunks(),
                        headers={"Authorization": f"Bearer {token}", "content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413 and r.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    with db.tenant_session(t.id) as s:
        assert s.scalars(select(Attachment)).all() == []
        assert s.scalar(select(User).where(User.username == "admin")) is not None
