"""Search (name prefix/contains, exact ID number and phone through blind indexes, tag, manager, org unit,
industry, region, ordering) and data scopes (own, org subtree, tenant)."""

from __future__ import annotations

import pytest

from surety.core.errors import PermissionDenied, ValidationFailed
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.search import CustomerFilter, search_customers
from surety.plugins.customers.testing import corporate, individual, make_id, make_uscc


@pytest.fixture
def pool(db, world):
    a, a2, b = world.actors["mgr_a"], world.actors["mgr_a2"], world.actors["mgr_b"]
    with db.tenant_session(world.tenant.id) as s:
        create_customer(s, a, "individual", individual(1, name="张三", tags=["VIP"]))
        create_customer(s, a, "corporate", corporate(2, name="华夏建材有限公司", industry="C30", region="320102"))
        create_customer(s, a2, "individual", individual(3, name="张三丰", tags=["VIP", "老客户"]))
        create_customer(s, b, "corporate", corporate(4, name="100%_纯净水厂", industry="C15"))
        create_customer(s, b, "individual", individual(5, name="李四"))
    return world


def names(rows):
    return [r.name for r in rows]


def test_name_prefix_contains_and_escaping(db, pool):
    admin = pool.actors["admin"]
    with db.tenant_session(pool.tenant.id) as s:
        assert names(search_customers(s, admin, CustomerFilter(name_prefix="张三"))) == ["张三", "张三丰"]
        assert names(search_customers(s, admin, CustomerFilter(name_contains="建材"))) == ["华夏建材有限公司"]
        # % and _ are literal characters, not wildcards
        assert names(search_customers(s, admin, CustomerFilter(name_contains="0%_"))) == ["100%_纯净水厂"]
        assert search_customers(s, admin, CustomerFilter(name_prefix="%")) == []
        assert names(search_customers(s, admin, CustomerFilter(name_prefix=" 张 三 "))) == ["张三", "张三丰"]


def test_exact_id_number_credit_code_and_phone(db, pool):
    admin = pool.actors["admin"]
    with db.tenant_session(pool.tenant.id) as s:
        assert names(search_customers(s, admin, CustomerFilter(id_number=make_id(3)))) == ["张三丰"]
        assert names(search_customers(s, admin, CustomerFilter(id_number=make_uscc(2).lower()))) == ["华夏建材有限公司"]
        assert search_customers(s, admin, CustomerFilter(id_number=make_id(99))) == []
        assert names(search_customers(s, admin, CustomerFilter(phone="+86 138 0013 0005"))) == ["李四"]


def test_tag_manager_unit_industry_region_kind_and_order(db, pool):
    admin, a = pool.actors["admin"], pool.actors["mgr_a"]
    with db.tenant_session(pool.tenant.id) as s:
        assert names(search_customers(s, admin, CustomerFilter(tag="VIP"))) == ["张三", "张三丰"]
        assert names(search_customers(s, admin, CustomerFilter(owner_id=a.id_uuid))) == ["华夏建材有限公司", "张三"]
        assert len(search_customers(s, admin, CustomerFilter(org_unit_id=pool.units["B"]))) == 2
        assert names(search_customers(s, admin, CustomerFilter(industry="C3"))) == ["华夏建材有限公司"]
        assert names(search_customers(s, admin, CustomerFilter(region="320102"))) == ["华夏建材有限公司"]
        assert len(search_customers(s, admin, CustomerFilter(kind="corporate"))) == 2
        created = names(search_customers(s, admin, order="created"))
        assert created[0] == "张三" and created[-1] == "李四"
        assert names(search_customers(s, admin, order="created", descending=True))[0] == "李四"
        with pytest.raises(ValidationFailed):
            search_customers(s, admin, order="bogus")


def test_data_scopes(db, pool):
    with db.tenant_session(pool.tenant.id) as s:
        own = names(search_customers(s, pool.actors["mgr_a"]))
        branch = names(search_customers(s, pool.actors["head_a"]))
        everyone = names(search_customers(s, pool.actors["boss"]))
        hq_subtree = names(search_customers(s, pool.actors["risk"]))
        assert own == ["华夏建材有限公司", "张三"]  # a customer manager sees own customers
        assert branch == ["华夏建材有限公司", "张三", "张三丰"]  # a branch head the branch's
        assert len(everyone) == 5 and len(hq_subtree) == 5  # executive: tenant; risk at HQ: the subtree
        with pytest.raises(PermissionDenied):
            search_customers(s, pool.actors["mgr_b"].__class__(type="system"))
