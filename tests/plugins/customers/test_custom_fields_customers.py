"""Custom fields on customers: Customer.customFields (masked, audited reveal), customerCustomFieldsSet with every
problem a typed error keyed by the field, a version of the customer per change, exact search by choice value, and
the xlsx import/export round trip with the fields as extra columns headed by their zh-CN labels."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.custom_fields import service as cf
from surety.plugins.customers.custom_fields import set_values
from surety.plugins.customers.errors import ImportRejected
from surety.plugins.customers.history import history
from surety.plugins.customers.imports import HEADERS, export_customers, import_customers, rows_for
from surety.plugins.customers.models import Customer
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.testing import individual, make_id, make_uscc

PASSWORD = "Strong-Pass-77"
FIELDS = {
    "customer_individual": [
        {"key": "family_members", "label_zh": "家庭人数", "type": "number", "required": True,
         "validation": {"min": 1}},
        {"key": "housing", "label_zh": "住房情况", "type": "choice",
         "options": [{"value": "own", "label_zh": "自有"}, {"value": "rent", "label_zh": "租赁"}]},
        {"key": "spouse_phone", "label_zh": "配偶电话", "type": "text", "sensitive": True, "mask_kind": "phone"},
        {"key": "local", "label_zh": "本地户籍", "type": "boolean"},
        {"key": "members", "label_zh": "家庭成员", "type": "table",
         "columns": [{"key": "name", "label_zh": "姓名", "type": "text", "required": True}]},
    ],
    "customer_corporate": [
        {"key": "stores", "label_zh": "门店数", "type": "number"},
        {"key": "licences", "label_zh": "资质", "type": "multi_choice",
         "options": [{"value": "food", "label_zh": "食品"}, {"value": "drug", "label_zh": "药品"}]},
    ],
}
CUSTOM = "query($id: ID!, $r: Boolean!) { customer(id: $id) { version customFields { key label type sensitive " \
         "status value(reveal: $r) } } }"
SET = """mutation($i: CustomerCustomFieldsSetInput!) { customerCustomFieldsSet(input: $i) {
  customer { id version } errors { code field message } } }"""


@pytest.fixture
def defined(db, world):
    with db.tenant_session(world.tenant.id) as s:
        for entity_type, fields in FIELDS.items():
            for spec in fields:
                cf.define_field(s, world.actors["admin"], entity_type, spec)
    return world


def new_customer(db, world, n=1, who="mgr_a"):
    with db.tenant_session(world.tenant.id) as s:
        return str(create_customer(s, world.actors[who], "individual", individual(n)).id)


def gid(customer_id: str) -> str:
    from surety.graphql.nodes import global_id

    return global_id("Customer", customer_id)


def test_custom_fields_on_the_customer_type(api, db, defined):
    w = defined
    cid = new_customer(db, w)
    mgr, admin = api.login(w.tenant.slug, "mgr_a", PASSWORD), api.login(w.tenant.slug)
    bad = api(SET, {"i": {"id": gid(cid), "values": {"family_members": 0, "housing": "castle", "local": "maybe",
                                                     "members": [{"age": 3}], "stores": 2}}},
              token=mgr)["data"]["customerCustomFieldsSet"]
    assert bad["customer"] is None
    assert {(e["field"], e["code"]) for e in bad["errors"]} == {
        ("family_members", "CUSTOM_FIELD_RANGE"), ("housing", "CUSTOM_FIELD_CHOICE"), ("local", "CUSTOM_FIELD_TYPE"),
        ("members.0.name", "CUSTOM_FIELD_REQUIRED"), ("members.0.age", "CUSTOM_FIELD_UNKNOWN"),
        ("stores", "CUSTOM_FIELD_UNKNOWN")}
    ok = api(SET, {"i": {"id": gid(cid), "values": {"family_members": "4", "housing": "own", "local": True,
                                                    "spouse_phone": "13800138000",
                                                    "members": [{"name": "李四"}]}}},
             token=mgr)["data"]["customerCustomFieldsSet"]
    assert ok["errors"] == [] and ok["customer"]["version"] == 2
    stale = api(SET, {"i": {"id": gid(cid), "values": {"housing": "rent"}, "version": 1}},
                token=mgr)["data"]["customerCustomFieldsSet"]
    assert stale["errors"][0]["code"] == "CONFLICT" and stale["errors"][0]["field"] == "version"
    same = api(SET, {"i": {"id": gid(cid), "values": {"housing": "own"}, "version": 2}},
               token=mgr)["data"]["customerCustomFieldsSet"]
    assert same["errors"] == [] and same["customer"]["version"] == 2  # nothing changed: no new version

    shown = api(CUSTOM, {"id": gid(cid), "r": False}, token=mgr)["data"]["customer"]
    values = {f["key"]: f["value"] for f in shown["customFields"]}
    assert values == {"family_members": "4", "housing": "own", "spouse_phone": "138****8000", "local": True,
                      "members": [{"name": "李四"}]}
    assert {f["key"]: f["label"] for f in shown["customFields"]}["housing"] == "住房情况"
    # Revealing needs core:pii:reveal (the manager lacks it); the admin's reveal is audited.
    denied = api(CUSTOM, {"id": gid(cid), "r": True}, token=mgr)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    clear = api(CUSTOM, {"id": gid(cid), "r": True}, token=admin)["data"]["customer"]["customFields"]
    assert {f["key"]: f["value"] for f in clear}["spouse_phone"] == "13800138000"
    with db.tenant_session(w.tenant.id) as s:
        reveals = s.scalars(select(AuditRecord).where(AuditRecord.action == "pii.revealed",
                                                      AuditRecord.entity_id == cid)).all()
        assert [r.after["field"] for r in reveals] == ["custom.spouse_phone"]
        assert reveals[0].entity_type == "customers:customer"
        versions = history(s, uuid.UUID(cid))
        assert versions[-1].action == "custom_fields" and versions[-1].snapshot["custom"]["spouse_phone"] == \
            "138****8000"
        assert {c.field for c in versions[-1].changes} == {"custom.family_members", "custom.housing",
                                                            "custom.spouse_phone", "custom.local", "custom.members"}
        assert cf.find_records(s, "customer_individual", "housing", "own") == [uuid.UUID(cid)]

    # Another branch's manager may not write them (the customer is out of their scope).
    other = api.login(w.tenant.slug, "mgr_b", PASSWORD)
    refused = api(SET, {"i": {"id": gid(cid), "values": {"housing": "rent"}}},
                  token=other)["data"]["customerCustomFieldsSet"]
    assert refused["errors"][0]["code"] == "NOT_FOUND"


SEARCH = """query($f: CustomerFilterInput) { customers(filter: $f) { totalCount edges { node { name } } } }"""


def test_search_by_a_custom_choice_value_within_scope(api, db, defined):
    w = defined
    ids = [new_customer(db, w, n) for n in (11, 12)] + [new_customer(db, w, 13, who="mgr_b")]
    with db.tenant_session(w.tenant.id) as s:
        for cid, housing in zip(ids, ("own", "rent", "own"), strict=True):
            set_values(s, w.actors["admin"], uuid.UUID(cid), {"family_members": 2, "housing": housing})
    own = {"customField": {"key": "housing", "value": "own"}}
    mgr = api.login(w.tenant.slug, "mgr_a", PASSWORD)
    found = api(SEARCH, {"f": own}, token=mgr)["data"]["customers"]
    assert found["totalCount"] == 1 and found["edges"][0]["node"]["name"] == "张三11"  # mgr_b's is out of scope
    assert api(SEARCH, {"f": own}, token=api.login(w.tenant.slug))["data"]["customers"]["totalCount"] == 2
    assert api(SEARCH, {"f": {"customField": {"key": "housing", "value": "castle"}}},
               token=mgr)["data"]["customers"]["totalCount"] == 0


def test_setting_needs_update_permission(db, defined):
    from surety.core.errors import PermissionDenied

    cid = new_customer(db, defined)
    with db.tenant_session(defined.tenant.id) as s, pytest.raises(PermissionDenied):
        set_values(s, defined.actors["viewer"], uuid.UUID(cid), {"family_members": 2})


def test_xlsx_round_trip_carries_custom_columns(db, defined):
    w = defined
    admin = w.actors["admin"]
    rows = [
        {"kind": "individual", "name": "导入甲", "id_number": make_id(501), "家庭人数": 3, "住房情况": "租赁",
         "本地户籍": "是", "配偶电话": "13900139000", "家庭成员": '[{"name": "王五"}]'},
        {"kind": "corporate", "name": "导入公司", "id_number": make_uscc(501), "门店数": 12, "资质": "食品，药品"},
    ]
    with db.tenant_session(w.tenant.id) as s:
        report = import_customers(s, admin, rows_for(rows))
        assert report.imported == 2
        person = s.scalar(select(Customer).where(Customer.name == "导入甲"))
        company = s.scalar(select(Customer).where(Customer.name == "导入公司"))
        got = {f.key: f.value for f in cf.read_values(s, "customer_individual", person.id)}
        assert got == {"family_members": "3", "housing": "rent", "local": True, "spouse_phone": "13900139000",
                       "members": [{"name": "王五"}]}
        assert {f.key: f.value for f in cf.read_values(s, "customer_corporate", company.id)} == {
            "stores": "12", "licences": ["food", "drug"]}

    out = io.BytesIO()
    with db.tenant_session(w.tenant.id) as s:
        export_customers(s, admin, out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    header = [c.value for c in sheet[1]]
    assert header[:len(HEADERS)] == list(HEADERS)
    # In form order (section, position, key) of each kind: individual's, then corporate's.
    assert header[len(HEADERS):] == ["家庭人数", "住房情况", "本地户籍", "家庭成员", "配偶电话", "资质", "门店数"]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_name["导入甲"]["家庭人数"] == "3" and by_name["导入甲"]["本地户籍"] == "是"
    assert by_name["导入甲"]["配偶电话"] == "13900139000"  # the admin holds core:pii:reveal
    assert by_name["导入公司"]["资质"] == "food,drug" and by_name["导入公司"]["家庭人数"] is None

    # Without core:pii:reveal the sensitive column is masked.
    masked = io.BytesIO()
    with db.tenant_session(w.tenant.id) as s:
        assert export_customers(s, w.actors["risk"], masked) == 2
    rows_out = list(load_workbook(io.BytesIO(masked.getvalue())).active.iter_rows(min_row=2, values_only=True))
    assert {r[1]: dict(zip(header, r, strict=True))["配偶电话"] for r in rows_out}["导入甲"] == "139****9000"

    # The exported rows go back in: checked again (a dry run, on fresh identity numbers) without a problem.
    again = [{**dict(zip(header, r, strict=True)), "id_number": make_id(600 + n) if r[0] == "individual" else make_uscc(600 + n)}
             for n, r in enumerate(sheet.iter_rows(min_row=2, values_only=True))]
    with db.tenant_session(w.tenant.id) as s:
        dry = import_customers(s, admin, rows_for(again), dry_run=True)
        assert dry.errors == [] and dry.valid == 2


def test_import_reports_custom_problems_per_row(db, defined):
    rows = [{"kind": "individual", "name": "缺", "id_number": make_id(701), "住房情况": "城堡"},
            {"kind": "corporate", "name": "错", "id_number": make_uscc(701), "家庭人数": 2}]
    with db.tenant_session(defined.tenant.id) as s:
        report = import_customers(s, defined.actors["admin"], rows_for(rows), dry_run=True)
    assert sorted((e.row, e.field) for e in report.errors) == [(2, "family_members"), (2, "housing"), (3, "家庭人数")]
    with db.tenant_session(defined.tenant.id) as s, pytest.raises(ImportRejected):
        import_customers(s, defined.actors["admin"], rows_for(rows))
