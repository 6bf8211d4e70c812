"""Creating, changing and deleting customers: encryption, duplicates, versions, audit, events, all-or-nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import String, select, type_coerce

from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.plugins.customers.errors import DuplicateCustomer
from surety.plugins.customers.records import create_customer, delete_customer, get_customer, update_customer

from surety.plugins.customers.testing import corporate, individual, make_id, make_uscc


def test_create_individual_encrypts_personal_data_and_audits(db, world):
    from surety.core.audit.models import AuditRecord
    from surety.core.events_models import OutboxEvent
    from surety.plugins.customers.models import Customer

    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        c = create_customer(s, a, "individual", individual(1, bank_account="6222020200001234567",
                                                           address="北京市朝阳区建国路1号", tags=["VIP", "VIP"]))
        cid = c.id
        assert c.owner_id == a.id_uuid and c.org_unit_id == world.units["A"] and c.tags == ["VIP"]
    with db.tenant_session(world.tenant.id) as s:
        t = Customer.__table__
        row = s.execute(select(*[type_coerce(t.c[n], String) for n in ("id_number", "phone", "bank_account",
                                                                        "address")], t.c.name)
                        .where(t.c.id == cid)).one()
        assert all(str(x).startswith("v1.") for x in row[:4]) and row[4] == "张三1"  # stored encrypted
        c = get_customer(s, a, cid)
        assert c.id_number == make_id(1) and c.phone == "13800130001" and c.address == "北京市朝阳区建国路1号"
        rec = s.scalars(select(AuditRecord).where(AuditRecord.action == "customers.customer.created")).one()
        assert rec.after["customer_name"] == "[REDACTED]" and rec.after["id_number"] == "[REDACTED]"
        assert rec.after["kind"] == "individual"
        assert "CustomerCreated" in {e.event_type for e in s.scalars(select(OutboxEvent))}


def test_corporate_fields_and_wrong_kind_fields(db, world):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        c = create_customer(s, a, "corporate", corporate(1, legal_rep_name="李四", legal_rep_id_number=make_id(7),
                                                         registered_capital="5000000.00",
                                                         shareholders=[{"name": "王五", "ratio": "0.6"}]))
        assert c.id_number == make_uscc(1) and str(c.registered_capital) == "5000000.00"
        assert c.shareholders == [{"name": "王五", "ratio": "0.6"}]
        with pytest.raises(ValidationFailed) as err:
            create_customer(s, a, "individual", individual(2, industry="C13"))
        assert err.value.field == "industry"
        with pytest.raises(ValidationFailed) as err:
            create_customer(s, a, "corporate", corporate(3, credit_code="91350100M000100Y44"))
        assert err.value.field == "credit_code" and "should be 3" in err.value.message


def test_duplicate_id_number_or_credit_code_is_refused_through_the_blind_index(db, world):
    a, b = world.actors["mgr_a"], world.actors["mgr_b"]
    with db.tenant_session(world.tenant.id) as s:
        create_customer(s, a, "corporate", corporate(5))
    with pytest.raises(DuplicateCustomer) as err, db.tenant_session(world.tenant.id) as s:
        # Written differently (lower case, spaces): same blind index.
        create_customer(s, b, "corporate", corporate(5, credit_code=" " + make_uscc(5).lower()))
    assert err.value.code == "CUSTOMER_DUPLICATE" and err.value.field == "credit_code"


def test_nothing_half_saved_when_a_later_step_fails(db, world):
    from surety.plugins.customers.models import Customer, CustomerTag, CustomerVersion

    a = world.actors["mgr_a"]
    with pytest.raises(NotFound), db.tenant_session(world.tenant.id) as s:
        import uuid

        create_customer(s, a, "individual", individual(9, tags=["x"], owner_id=uuid.uuid4()))
    with db.tenant_session(world.tenant.id) as s:
        assert s.scalars(select(Customer)).all() == []
        assert s.scalars(select(CustomerTag)).all() == [] and s.scalars(select(CustomerVersion)).all() == []


def test_update_keeps_a_version_and_guards_concurrent_changes(db, world):
    a = world.actors["mgr_a"]
    with db.tenant_session(world.tenant.id) as s:
        cid = create_customer(s, a, "individual", individual(1)).id
        c = update_customer(s, a, cid, {"phone": "13900139000", "occupation": "教师"}, expected_version=1)
        assert c.version == 2 and c.phone == "13900139000"
        same = update_customer(s, a, cid, {"occupation": "教师"})
        assert same.version == 2  # no change, no version
        with pytest.raises(Conflict) as err:
            update_customer(s, a, cid, {"occupation": "律师"}, expected_version=1)
        assert err.value.field == "version"
        with pytest.raises(ValidationFailed) as err:
            update_customer(s, a, cid, {"phone": "123"})
        assert err.value.field == "phone"


def test_permission_and_scope_on_update_and_delete(db, world):
    a, b, viewer, admin = (world.actors[k] for k in ("mgr_a", "mgr_b", "viewer", "admin"))
    with db.tenant_session(world.tenant.id) as s:
        cid = create_customer(s, a, "individual", individual(1)).id
    with pytest.raises(NotFound), db.tenant_session(world.tenant.id) as s:
        update_customer(s, b, cid, {"occupation": "x"})  # another manager's customer is out of scope
    with pytest.raises(PermissionDenied), db.tenant_session(world.tenant.id) as s:
        create_customer(s, viewer, "individual", individual(2))
    with pytest.raises(PermissionDenied), db.tenant_session(world.tenant.id) as s:
        delete_customer(s, a, cid)  # managers may not delete
    with db.tenant_session(world.tenant.id) as s:
        delete_customer(s, admin, cid)
    with pytest.raises(NotFound), db.tenant_session(world.tenant.id) as s:
        get_customer(s, admin, cid)


def test_other_tenant_cannot_see_customers(db, world, make_tenant):
    from surety.plugins.customers.search import CustomerFilter, search_customers
    from surety.core.identity.models import User
    from surety.plugins.customers.testing import actor_for

    with db.tenant_session(world.tenant.id) as s:
        create_customer(s, world.actors["mgr_a"], "individual", individual(1))
    other = make_tenant(plugins=["customers"])
    with db.tenant_session(other.id) as s:
        admin = actor_for(s.scalar(select(User).where(User.username == "admin")))
        assert search_customers(s, admin, CustomerFilter(id_number=make_id(1))) == []
        assert search_customers(s, admin) == []
        # the same ID number is free in another tenant
        create_customer(s, admin, "individual", individual(1))
