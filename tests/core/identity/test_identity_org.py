import uuid

import pytest

from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.identity.org import create_org_unit, get_org_unit, move_org_unit, subtree_ids, tree


@pytest.fixture
def units(db, bare_tenant):
    """HQ -> (BJ -> BJ-RISK), (SH)."""
    with db.tenant_session(bare_tenant.id) as s:
        hq = create_org_unit(s, code="HQ", name="Head office", kind="head_office")
        bj = create_org_unit(s, code="BJ", name="Beijing", kind="branch", parent_id=hq.id)
        risk = create_org_unit(s, code="BJ-RISK", name="Risk", kind="department", parent_id=bj.id)
        sh = create_org_unit(s, code="SH", name="Shanghai", kind="branch", parent_id=hq.id)
    return {"hq": hq, "bj": bj, "risk": risk, "sh": sh}


def test_paths_are_materialised(units):
    hq, bj, risk = units["hq"], units["bj"], units["risk"]
    assert hq.path == f"/{hq.id}/"
    assert bj.path == f"/{hq.id}/{bj.id}/"
    assert risk.path == f"/{hq.id}/{bj.id}/{risk.id}/"


def test_subtree(db, bare_tenant, units):
    with db.tenant_session(bare_tenant.id) as s:
        assert set(subtree_ids(s, units["bj"].id)) == {units["bj"].id, units["risk"].id}
        assert set(subtree_ids(s, units["hq"].id)) == {u.id for u in units.values()}
        assert subtree_ids(s, units["sh"].id) == [units["sh"].id]


def test_subtree_stays_inside_the_tenant(db, other_tenant, units):
    with db.tenant_session(other_tenant.id) as s, pytest.raises(NotFound):
        subtree_ids(s, units["hq"].id)


def test_tree(db, bare_tenant, units):
    with db.tenant_session(bare_tenant.id) as s:
        roots = tree(s)
    assert [r.unit.code for r in roots] == ["HQ"]
    assert [c.unit.code for c in roots[0].children] == ["BJ", "SH"]
    assert [c.unit.code for c in roots[0].children[0].children] == ["BJ-RISK"]


def test_move_rewrites_the_subtree(db, bare_tenant, units):
    hq, bj, risk, sh = units["hq"], units["bj"], units["risk"], units["sh"]
    with db.tenant_session(bare_tenant.id) as s:
        move_org_unit(s, bj.id, sh.id)
    with db.tenant_session(bare_tenant.id) as s:
        assert set(subtree_ids(s, sh.id)) == {sh.id, bj.id, risk.id}
        moved = {n.unit.code: n.unit for n in tree(s)[0].children[0].children}
        assert moved["BJ"].path == f"/{hq.id}/{sh.id}/{bj.id}/"
        assert moved["BJ"].parent_id == sh.id
        assert set(subtree_ids(s, risk.id)) == {risk.id}

        assert get_org_unit(s, risk.id).path == f"/{hq.id}/{sh.id}/{bj.id}/{risk.id}/"


def test_move_to_root(db, bare_tenant, units):
    with db.tenant_session(bare_tenant.id) as s:
        unit = move_org_unit(s, units["bj"].id, None)
        assert unit.path == f"/{units['bj'].id}/"
        assert sorted(n.unit.code for n in tree(s)) == ["BJ", "HQ"]


@pytest.mark.parametrize("target", ["bj", "risk"])
def test_cannot_move_under_itself_or_a_descendant(db, bare_tenant, units, target):
    with db.tenant_session(bare_tenant.id) as s, pytest.raises(ValidationFailed, match="under itself"):
        move_org_unit(s, units["bj"].id, units[target].id)


def test_validation(db, bare_tenant, units):
    with db.tenant_session(bare_tenant.id) as s:
        with pytest.raises(Conflict):
            create_org_unit(s, code="HQ", name="Again", kind="branch")
        with pytest.raises(ValidationFailed, match="kind"):
            create_org_unit(s, code="X", name="X", kind="region")
        with pytest.raises(NotFound):
            create_org_unit(s, code="Y", name="Y", kind="branch", parent_id=uuid.uuid4())
