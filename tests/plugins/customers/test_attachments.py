"""Customers' files go through the core attachments service (entity ``customers:customer``), guarded by the
customer's data scope: someone who may not see the customer cannot upload, list, download or delete its files."""

from __future__ import annotations

import uuid

import pytest

from surety.core.attachments import service
from surety.core.attachments.samples import pdf_bytes
from surety.core.errors import NotFound
from surety.plugins.customers.records import ENTITY, create_customer, delete_customer
from surety.plugins.customers.testing import individual


def test_customer_files_follow_the_customer_data_scope(db, world):
    mgr_a, mgr_b, head_a = world.actors["mgr_a"], world.actors["mgr_b"], world.actors["head_a"]
    with db.tenant_session(world.tenant.id) as s:
        customer_id = str(create_customer(s, mgr_a, "individual", individual(1, name="张三")).id)
        file = service.upload(s, mgr_a, ENTITY, customer_id, "身份证.pdf", pdf_bytes())
    with db.tenant_session(world.tenant.id) as s:
        # The branch head sees the branch's customers, so the files too.
        assert [a.id for a in service.list_for(s, head_a, ENTITY, customer_id)] == [file.id]
        # A manager of another branch does not learn the customer exists.
        with pytest.raises(NotFound, match="No customer"):
            service.list_for(s, mgr_b, ENTITY, customer_id)
        with pytest.raises(NotFound, match="No customer"):
            service.download(s, mgr_b, file.id)
        with pytest.raises(NotFound, match="No customer"):
            service.upload(s, mgr_b, ENTITY, customer_id, "x.pdf", pdf_bytes())


def test_no_files_for_unknown_or_deleted_customers(db, world):
    mgr_a, admin = world.actors["mgr_a"], world.actors["admin"]
    with db.tenant_session(world.tenant.id) as s:
        with pytest.raises(NotFound):
            service.upload(s, mgr_a, ENTITY, str(uuid.uuid4()), "a.pdf", pdf_bytes())
        with pytest.raises(NotFound):
            service.upload(s, mgr_a, ENTITY, "not-a-uuid", "a.pdf", pdf_bytes())
        customer = create_customer(s, mgr_a, "individual", individual(2, name="李四"))
        delete_customer(s, admin, customer.id)
        with pytest.raises(NotFound):
            service.upload(s, mgr_a, ENTITY, str(customer.id), "a.pdf", pdf_bytes())
