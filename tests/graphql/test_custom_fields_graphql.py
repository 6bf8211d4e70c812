"""Custom fields on GraphQL: entity types and definitions for rendering a form, define/update/retire with typed
errors (permission, refused type change), the definitions of one tenant invisible to another."""

from __future__ import annotations

import secrets

from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD, mutation_ok

DEFINE = """mutation($i: CustomFieldDefineInput!) { customFieldDefine(input: $i) {
  definition { id key labelZh type required validation options { value labelZh } columns { key type }
               section position sensitive maskKind status version }
  errors { code field message } } }"""
UPDATE = """mutation($i: CustomFieldUpdateInput!) { customFieldUpdate(input: $i) {
  definition { id labelZh type status version } errors { code field message } } }"""
RETIRE = """mutation($id: ID!) { customFieldRetire(id: $id) { definition { status } errors { code field } } }"""
LIST = """query($e: String!, $r: Boolean) { customFieldDefinitions(entityType: $e, includeRetired: $r) {
  key labelZh type status options { value } } }"""
TYPES = "{ customFieldEntityTypes { key labelZh labelEn } }"
SET = """mutation($i: CustomerCustomFieldsSetInput!) { customerCustomFieldsSet(input: $i) {
  customer { id } errors { code field message } } }"""
CREATE = """mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } errors { code } } }"""


def tenant_with_customers(db, make_tenant):
    tenant = make_tenant(slug=f"cf-{secrets.token_hex(3)}", plugins=["customers"])
    with db.tenant_session(tenant.id) as s:
        create_user(s, username="clerk", password=TEST_PASSWORD, roles=["customer_manager"])
    return tenant


def test_define_list_update_retire_with_typed_errors(api, db, make_tenant):
    tenant = tenant_with_customers(db, make_tenant)
    admin, clerk = api.login(tenant.slug), api.login(tenant.slug, "clerk")
    types = {t["key"]: t for t in api(TYPES, token=clerk)["data"]["customFieldEntityTypes"]}
    assert types["customer_corporate"]["labelZh"] == "企业客户"

    spec = {"entityType": "customer_individual", "key": "housing", "labelZh": "住房情况", "type": "choice",
            "required": True, "section": "家庭", "position": 2,
            "options": [{"value": "own", "labelZh": "自有"}, {"value": "rent", "labelZh": "租赁"}]}
    denied = api(DEFINE, {"i": spec}, token=clerk)["data"]["customFieldDefine"]
    assert denied["definition"] is None and denied["errors"][0]["code"] == "FORBIDDEN"
    made = mutation_ok(api(DEFINE, {"i": spec}, token=admin), "customFieldDefine")["definition"]
    assert made["options"] == [{"value": "own", "labelZh": "自有"}, {"value": "rent", "labelZh": "租赁"}]
    assert (made["required"], made["section"], made["position"], made["status"]) == (True, "家庭", 2, "active")
    table = mutation_ok(api(DEFINE, {"i": {
        "entityType": "customer_individual", "key": "members", "labelZh": "家庭成员", "type": "table",
        "validation": {"max_length": 10},
        "columns": [{"key": "name", "label_zh": "姓名", "type": "text", "required": True}]}}, token=admin),
        "customFieldDefine")["definition"]
    assert table["columns"] == [{"key": "name", "type": "text"}] and table["validation"] == {"max_length": 10}

    bad = api(DEFINE, {"i": {**spec, "key": "Bad Key"}}, token=admin)["data"]["customFieldDefine"]
    assert bad["errors"][0]["code"] == "VALIDATION_FAILED" and bad["errors"][0]["field"] == "key"
    dup = api(DEFINE, {"i": spec}, token=admin)["data"]["customFieldDefine"]
    assert dup["errors"][0]["code"] == "CONFLICT"

    # Anyone signed in reads the form, in form order.
    listed = api(LIST, {"e": "customer_individual"}, token=clerk)["data"]["customFieldDefinitions"]
    assert [d["key"] for d in listed] == ["members", "housing"]  # section "" sorts before 家庭

    # A type change is refused once a customer holds a value.
    changed = mutation_ok(api(UPDATE, {"i": {"id": made["id"], "labelZh": "住房"}}, token=admin),
                          "customFieldUpdate")["definition"]
    assert changed["labelZh"] == "住房" and changed["version"] == 2
    customer = mutation_ok(api(CREATE, {"i": {"kind": "individual", "name": "张三", "idNumber": "11010519491231002X"}},
                               token=admin), "customerCreate")["customer"]
    mutation_ok(api(SET, {"i": {"id": customer["id"], "values": {"housing": "own"}}}, token=admin),
                "customerCustomFieldsSet")
    refused = api(UPDATE, {"i": {"id": made["id"], "type": "text", "options": []}},
                  token=admin)["data"]["customFieldUpdate"]
    assert refused["errors"] == [{"code": "CUSTOM_FIELD_IN_USE", "field": "type",
                                  "message": refused["errors"][0]["message"]}]

    retired = mutation_ok(api(RETIRE, {"id": made["id"]}, token=admin), "customFieldRetire")["definition"]
    assert retired["status"] == "retired"
    assert [d["key"] for d in api(LIST, {"e": "customer_individual"}, token=clerk)["data"]
            ["customFieldDefinitions"]] == ["members"]
    assert [d["status"] for d in api(LIST, {"e": "customer_individual", "r": True}, token=clerk)["data"]
            ["customFieldDefinitions"]] == ["active", "retired"]

    # Another tenant sees none of these definitions and cannot touch them.
    other = tenant_with_customers(db, make_tenant)
    other_admin = api.login(other.slug)
    assert api(LIST, {"e": "customer_individual", "r": True}, token=other_admin)["data"][
        "customFieldDefinitions"] == []
    foreign = api(RETIRE, {"id": made["id"]}, token=other_admin)["data"]["customFieldRetire"]
    assert foreign["errors"][0]["code"] == "NOT_FOUND"
