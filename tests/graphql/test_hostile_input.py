"""Bad input never yields a 500: malformed queries, limits, huge bodies, hostile strings, masked errors."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient
from strawberry import relay

from surety.core import inputs, limits
from surety.core.audit.models import AuditRecord
from surety.core.authz import provision
from surety.core.errors import ValidationFailed
from surety.core.settings import get_settings
from surety.core.testing import error_codes, mutation_ok
from surety.core.web import create_app
from surety.graphql.schema import build_schema
from surety.plugins.customers.testing import make_uscc
from surety.plugins.customers.validators import validate_money


def test_malformed_graphql_is_a_graphql_error(api):
    r = api.post("{ me { ")
    assert r.status_code == 200 and r.json()["data"] is None
    assert r.json()["errors"][0]["message"].startswith("Syntax Error")
    assert error_codes(r.json()) == ["GRAPHQL_PARSE_FAILED"]
    r = api.post("{ noSuchField }")
    assert r.status_code == 200 and "noSuchField" in r.json()["errors"][0]["message"]
    assert error_codes(r.json()) == ["GRAPHQL_VALIDATION_FAILED"]


def test_non_json_body_is_refused_cleanly(api):
    r = api.client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert error_codes(r.json()) == ["BAD_REQUEST"]


def test_too_deep_query_is_refused(db, api, make_tenant):
    t = make_tenant()
    token = api.login(t.slug)
    query = {"query": "{ users { edges { node { orgUnit { name } } } } }"}
    headers = {"Authorization": f"Bearer {token}"}
    assert "errors" not in api.client.post("/graphql", json=query, headers=headers).json()
    shallow = dataclasses.replace(get_settings(), max_query_depth=3)
    with TestClient(create_app(shallow, db, schema=build_schema(settings=shallow))) as client:
        r = client.post("/graphql", json=query, headers=headers).json()
    assert "exceeds maximum operation depth of 3" in r["errors"][0]["message"]


def test_too_many_aliases_and_tokens_are_refused(api):
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"
    r = api.post(aliases).json()
    assert "aliases" in r["errors"][0]["message"].lower()
    tokens = "{ " + " ".join("__typename" for _ in range(3000)) + " }"
    r = api.post(tokens).json()
    assert "token" in r["errors"][0]["message"].lower()


def test_ten_megabyte_body_is_refused_with_413(api):
    huge = "x" * (10 * 1024 * 1024)
    r = api.client.post("/graphql", json={"query": "{ __typename }", "variables": {"junk": huge}})
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("hostile", [
    "Robert'); DROP TABLE users;--",
    "<script>alert(1)</script>",
    "x' OR '1'='1",
    "%_\\",
])
def test_hostile_strings_are_stored_verbatim_or_refused(api, make_tenant, hostile):
    t = make_tenant()
    token = api.login(t.slug)
    r = api("mutation($i:UserCreateInput!){ userCreate(input:$i){ user { id displayName } errors { code } } }",
            {"i": {"username": "plainuser", "password": "Strong-Pass-77", "displayName": hostile}}, token=token)
    assert r["data"]["userCreate"]["user"]["displayName"] == hostile
    bad_name = api("mutation($i:UserCreateInput!){ userCreate(input:$i){ user { id } errors { code field } } }",
                   {"i": {"username": hostile, "password": "Strong-Pass-77"}}, token=token)
    assert bad_name["data"]["userCreate"]["errors"][0]["code"] == "VALIDATION_FAILED"
    # LIKE wildcards in a search are literal
    found = api("query($s:String!){ users(filter:{search:$s}) { totalCount } }", {"s": hostile}, token=token)
    assert found["data"]["users"]["totalCount"] == 1
    assert api("{ users { totalCount } }", token=token)["data"]["users"]["totalCount"] == 2


def test_unexpected_errors_are_masked(api, make_tenant, monkeypatch):
    t = make_tenant()
    token = api.login(t.slug)

    def boom(*a, **k):
        raise RuntimeError("secret internal detail: password=hunter2")

    monkeypatch.setattr(provision, "roles_of", boom)
    r = api("{ me { roles } }", token=token)
    assert r["errors"][0]["message"] == "Unexpected error." and error_codes(r) == ["INTERNAL_ERROR"]
    assert "hunter2" not in str(r)


def test_permission_denied_is_typed_and_audited(api, make_tenant, db):
    t = make_tenant()
    admin = api.login(t.slug)
    api("mutation($i:UserCreateInput!){ userCreate(input:$i){ errors { code } } }",
        {"i": {"username": "viewer", "password": "Strong-Pass-77", "roles": ["read_only"]}}, token=admin)
    viewer = api.login(t.slug, "viewer", "Strong-Pass-77")
    r = api("{ permissionMatrix { roles { key } } }", token=viewer)
    assert error_codes(r) == ["FORBIDDEN"] and "core:role:read" in r["errors"][0]["message"]
    m = api("mutation($i:UserCreateInput!){ userCreate(input:$i){ user { id } errors { code } } }",
            {"i": {"username": "another", "password": "Strong-Pass-77"}}, token=viewer)
    assert error_codes(m) == [] and m["data"]["userCreate"]["user"] is None
    assert m["data"]["userCreate"]["errors"][0]["code"] == "FORBIDDEN"
    with db.tenant_session(t.id) as s:
        denied = s.scalars(select(AuditRecord).where(AuditRecord.action == "authz.denied")).all()
    assert {d.after["permission"] for d in denied} >= {"core:role:read", "core:user:create"}


# ---------------------------------------------------------------- issue 11: stored sizes, typed input errors ----------

DEFINITIONS = "{ workflowDefinitions { key version } }"
IMPORT = """mutation($t: String!, $f: DefinitionFormat!) { workflowDefinitionImport(text: $t, format: $f) {
  definition { key version } errors { code field message } } }"""
SAVE = """mutation($d: JSON!) { workflowDefinitionSave(document: $d) { definition { key version }
  errors { code field message } } }"""
USER_CREATE = """mutation($i: UserCreateInput!) { userCreate(input: $i) { user { id displayName }
  errors { code field message } } }"""
PRODUCT_CREATE = """mutation($i: GuaranteeProductCreateInput!) { guaranteeProductCreate(input: $i) {
  product { id } errors { code field message } } }"""
APPLICATION_UPDATE = """mutation($i: GuaranteeApplicationUpdateInput!) { guaranteeApplicationUpdate(input: $i) {
  project { id amount } errors { code field message } } }"""
LOGIN = """mutation($t: String!, $u: String!, $p: String!) { login(tenant: $t, username: $u, password: $p) {
  accessToken errors { code message } } }"""


def _yaml_definition(key: str, aliases: int) -> str:
    """A valid definition whose steps share one assignee through ``aliases`` YAML aliases."""
    steps = "\n".join(f"  - {{key: s{i}, name: Step {i}, kind: task, assignee: *who, transitions: [{{to: s{i + 1}}}]}}"
                      for i in range(aliases))
    return (f"key: {key}\nname: Aliased\nsubject_type: ''\nstart: s0\nwho: &who {{role: admin}}\nsteps:\n{steps}\n"
            f"  - {{key: s{aliases}, name: Done, kind: end, result: approved}}\n")


def _alias_bomb() -> str:
    """'Billion laughs': about 1.4 KB of YAML that decodes to 9^9 strings (gigabytes) when its aliases expand."""
    lines = ['key: bomb', 'name: bomb', 'start: a', 'steps: [{key: a, kind: end, result: approved}]',
             'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{n}: &l{n} [" + ",".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, 9)]
    return "\n".join(lines) + "\n"


def _error(body: dict) -> dict:
    """The one top-level error of a refused request, checked to be typed and not masked."""
    assert body.get("data") is None, body
    error, = body["errors"]
    assert error["message"] != "Unexpected error.", body
    assert error["extensions"]["code"], body
    return error


def test_a_yaml_alias_bomb_is_refused_and_nothing_is_stored(api, make_tenant):
    t = make_tenant()
    token = api.login(t.slug)
    before = api(DEFINITIONS, token=token)["data"]["workflowDefinitions"]
    bomb = _alias_bomb()
    assert len(bomb) < 1500
    payload = api(IMPORT, {"t": bomb, "f": "YAML"}, token=token)["data"]["workflowDefinitionImport"]
    assert payload["definition"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION_FAILED", "document")]
    assert "alias" in payload["errors"][0]["message"]
    # fewer aliases, each expanding nine-fold: refused for the size it would decode to
    small_bomb = "\n".join(bomb.splitlines()[:9]) + "\n"
    assert small_bomb.count("*") <= 50
    payload = api(IMPORT, {"t": small_bomb, "f": "YAML"}, token=token)["data"]["workflowDefinitionImport"]
    assert payload["errors"][0]["code"] == "VALIDATION_FAILED" and "expand" in payload["errors"][0]["message"]
    # an alias inside itself
    payload = api(IMPORT, {"t": "key: x\nself: &s [*s]\n", "f": "YAML"}, token=token)["data"]
    assert payload["workflowDefinitionImport"]["errors"][0]["code"] == "VALIDATION_FAILED"
    assert api(DEFINITIONS, token=token)["data"]["workflowDefinitions"] == before


def test_a_yaml_definition_may_share_parts_through_a_few_aliases(api, make_tenant):
    t = make_tenant()
    token = api.login(t.slug)
    payload = api(IMPORT, {"t": _yaml_definition("aliased", 5), "f": "YAML"}, token=token)["data"]
    assert payload["workflowDefinitionImport"]["errors"] == []
    assert payload["workflowDefinitionImport"]["definition"]["key"] == "aliased"
    exported = api('{ workflowDefinitionExport(key: "aliased", format: YAML) }', token=token)["data"]
    assert "role: admin" in exported["workflowDefinitionExport"]


def test_json_and_text_inputs_are_capped(api, make_tenant):
    t = make_tenant()
    token = api.login(t.slug)
    steps = [{"key": f"s{i}", "kind": "end", "result": "approved", "name": "x" * 1000} for i in range(80)]
    big = {"key": "big", "name": "Big", "start": "s0", "steps": steps}
    error = _error(api(SAVE, {"d": big}, token=token))
    assert error["extensions"] == {"code": "VALIDATION_FAILED", "field": "d"}
    assert str(limits.MAX_JSON_BYTES) in error["message"]
    deep: dict = {"leaf": 1}
    for _ in range(limits.MAX_JSON_DEPTH + 1):
        deep = {"inner": deep}
    error = _error(api(SAVE, {"d": {"key": "deep", "name": "Deep", "start": "a", "steps": [], "x": deep}}, token=token))
    assert error["extensions"]["field"] == "d" and "nests deeper" in error["message"]
    long_name = "名" * (limits.MAX_TEXT_CHARS + 1)
    error = _error(api(USER_CREATE, {"i": {"username": "longname", "password": "Strong-Pass-77",
                                           "displayName": long_name}}, token=token))
    assert error["extensions"] == {"code": "VALIDATION_FAILED", "field": "i.displayName"}
    literal = ('mutation { userCreate(input: {username: "longname", password: "Strong-Pass-77", '
               f'displayName: "{long_name}"}}) {{ user {{ id }} }} }}')
    error = _error(api(literal, token=token))
    assert error["extensions"] == {"code": "VALIDATION_FAILED", "field": "input.displayName"}
    assert api(DEFINITIONS, token=token)["data"]["workflowDefinitions"] == [
        {"key": "core.simple_approval", "version": 1}]
    assert api("{ users { totalCount } }", token=token)["data"]["users"]["totalCount"] == 1


PRODUCT = {"code": "P1", "name": "贷款担保", "kind": "loan", "minAmount": "100000", "maxAmount": "1000000",
           "minTermMonths": 6, "maxTermMonths": 36}


@pytest.mark.parametrize(("query", "variables", "field"), [
    (PRODUCT_CREATE, {"i": {**PRODUCT, "minAmount": "12abc"}}, "i.minAmount"),                      # bad Decimal
    (PRODUCT_CREATE, {"i": {**PRODUCT, "maxAmount": "1e28"}}, "i.maxAmount"),                       # overflows
    (PRODUCT_CREATE, {"i": {**PRODUCT, "maxAmount": "-1e30"}}, "i.maxAmount"),
    (PRODUCT_CREATE, {"i": {**PRODUCT, "minAmount": "NaN"}}, "i.minAmount"),
    (PRODUCT_CREATE, {"i": {**PRODUCT, "minTermMonths": "six"}}, "i.minTermMonths"),                # bad Int
    (PRODUCT_CREATE, {"i": {**PRODUCT, "minTermMonths": 2**40}}, "i.minTermMonths"),
    (PRODUCT_CREATE, {"i": {**PRODUCT, "bogus": 1}}, "i"),                                          # unknown field
    (PRODUCT_CREATE, {"i": {k: v for k, v in PRODUCT.items() if k != "name"}}, "i"),                # missing field
    (PRODUCT_CREATE, {}, "i"),                                                                      # no variable
    ("mutation($i: GuaranteeCreditLineCreateInput!) { guaranteeCreditLineCreate(input: $i) { errors { code } } }",
     {"i": {"bankId": "x", "total": "1", "startDate": "2025-02-30", "endDate": "2025-12-31"}}, "i.startDate"),
    ("mutation($i: GuaranteeCreditLineCreateInput!) { guaranteeCreditLineCreate(input: $i) { errors { code } } }",
     {"i": {"bankId": "x", "total": "1", "startDate": "2025-01-01", "endDate": "9999-12-31"}}, "i.endDate"),
    ("query($f: DefinitionFormat!) { workflowDefinitionExport(key: \"k\", format: $f) }", {"f": "XML"}, "f"),  # enum
    ("query($y: Int) { workdayOverrides(year: $y) { day } }", {"y": 0}, "year"),                   # a year 0
    ("query($y: Int) { workdayOverrides(year: $y) { day } }", {"y": 10_000}, "year"),
    ("{ workdayOverrides(year: 0) { day } }", {}, "year"),
])
def test_bad_values_get_a_typed_error_naming_the_field(api, make_tenant, query, variables, field):
    t = make_tenant(plugins=["customers", "guarantee"])
    token = api.login(t.slug)
    error = _error(api(query, variables, token=token))
    assert error["extensions"] == {"code": "VALIDATION_FAILED", "field": field}, error
    assert api("{ guaranteeProducts { code } }", token=token)["data"]["guaranteeProducts"] == []


@pytest.mark.parametrize("literal", ['maxAmount: "1e28"', 'minAmount: "abc"', "minAmount: 1e30"])
def test_bad_literals_are_typed_request_errors(api, make_tenant, literal):
    t = make_tenant(plugins=["customers", "guarantee"])
    token = api.login(t.slug)
    query = ('mutation { guaranteeProductCreate(input: {code: "P1", name: "n", kind: "loan", '
             f'{literal}}}) {{ product {{ id }} }} }}')
    error = _error(api(query, token=token))
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert api("{ guaranteeProducts { code } }", token=token)["data"]["guaranteeProducts"] == []


def test_a_nul_byte_in_any_string_is_refused_naming_the_field(api, make_tenant):
    t = make_tenant()
    # unauthenticated: login itself
    for name, values in [("t", {"t": t.slug + "\x00", "u": "admin", "p": "x"}),
                         ("u", {"t": t.slug, "u": "ad\x00min", "p": "x"}),
                         ("p", {"t": t.slug, "u": "admin", "p": "\x00"})]:
        assert _error(api(LOGIN, values))["extensions"] == {"code": "VALIDATION_FAILED", "field": name}
    token = api.login(t.slug)
    nul = {"username": "nul", "password": "Strong-Pass-77", "displayName": "a\x00b"}
    assert _error(api(USER_CREATE, {"i": nul}, token=token))["extensions"] == {
        "code": "VALIDATION_FAILED", "field": "i.displayName"}
    literal = 'mutation { userCreate(input: {username: "nul", password: "Strong-Pass-77", displayName: "a\\u0000b"}) ' \
              "{ user { id } } }"
    assert _error(api(literal, token=token))["extensions"] == {"code": "VALIDATION_FAILED",
                                                               "field": "input.displayName"}
    search = api("query($s: String!) { users(filter: {search: $s}) { totalCount } }", {"s": "\x00"}, token=token)
    assert _error(search)["extensions"]["field"] == "s"
    inside_json = {"key": "k", "name": "n", "start": "a", "steps": [{"key": "a", "kind": "end", "note": "x\x00"}]}
    assert _error(api(SAVE, {"d": inside_json}, token=token))["extensions"]["field"] == "d.steps.0.note"
    assert api("{ users { totalCount } }", token=token)["data"]["users"]["totalCount"] == 1


def test_unknown_and_foreign_ids_in_an_application_update_are_not_found(api, make_tenant, seeded):
    other = make_tenant(plugins=["customers", "guarantee"])
    other_token = api.login(other.slug)
    foreign_customer = mutation_ok(api(
        "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } errors { code } } }",
        {"i": {"kind": "corporate", "name": "他人客户有限公司", "creditCode": make_uscc(77), "industry": "C13",
               "region": "110105", "size": "small"}}, token=other_token), "customerCreate")["customer"]["id"]

    def unknown(kind: str) -> str:
        return relay.to_base64(kind, str(uuid.uuid4()))

    for field, value in [("customerId", foreign_customer), ("customerId", unknown("Customer")),
                         ("productId", unknown("GuaranteeProduct")), ("bankId", unknown("GuaranteeBank")),
                         ("managerAId", unknown("User")), ("managerBId", unknown("User")),
                         ("customerId", seeded.ids["product"])]:
        body = api(APPLICATION_UPDATE, {"i": {"id": seeded.ids["project"], field: value, "amount": "4000000"}},
                   token=seeded.token)
        assert "errors" not in body, body
        payload = body["data"]["guaranteeApplicationUpdate"]
        assert payload["project"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_FOUND", field)], (field, payload)
    project = api("query($id: ID!) { guaranteeProject(id: $id) { amount customer { id } } }",
                  {"id": seeded.ids["project"]}, token=seeded.token)["data"]["guaranteeProject"]
    assert project["amount"] == "3000000.00" and project["customer"]["id"] == seeded.ids["customer"]


def test_a_timeout_of_millions_of_working_days_is_refused(api, make_tenant):
    t = make_tenant()
    token = api.login(t.slug)
    document = {"key": "slow", "name": "Slow", "start": "a", "steps": [
        {"key": "a", "name": "A", "kind": "task", "assignee": {"role": "admin"},
         "timeout": {"working_days": 3_000_000}, "transitions": [{"to": "b"}]},
        {"key": "b", "name": "B", "kind": "end", "result": "approved"}]}
    payload = api(SAVE, {"d": document}, token=token)["data"]["workflowDefinitionSave"]
    assert payload["definition"] is None
    error, = payload["errors"]
    assert (error["code"], error["field"]) == ("DEFINITION_INVALID", "document")
    assert "working_days must be at least 1 and at most 250" in error["message"]
    document["steps"][0]["timeout"]["working_days"] = 250
    assert api(SAVE, {"d": document}, token=token)["data"]["workflowDefinitionSave"]["errors"] == []


@pytest.mark.parametrize(("body", "says"), [
    (b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}", "nests deeper"),
    (b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 70 + b"]" * 70 + b"}}", "nests deeper"),
    (b"null", "JSON object"),
    (b'"{ __typename }"', "JSON object"),
    (b'{"query": "{ __typename }", "operationName": 5}', "operationName"),
    (b'{"query": "{ __typename }", "variables": {"x": NaN}}', "JSON"),
    (b"\xff\xfe{", "JSON"),
])
def test_a_malformed_body_is_a_graphql_shaped_400(api, body, says):
    r = api.client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    error, = r.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"} and says in error["message"]


def test_plugin_validators_share_the_decimal_policy():
    """Values that do not come through GraphQL (spreadsheet imports, the CLI) meet the same Decimal policy."""

    def refused(fn, *args, **kw) -> ValidationFailed:
        with pytest.raises(ValidationFailed) as caught:
            fn(*args, **kw)
        return caught.value

    assert refused(validate_money, "1e28", field="annual_income").field == "annual_income"
    assert refused(validate_money, 1e30, field="annual_income").field == "annual_income"  # a spreadsheet float
    assert refused(inputs.money, "1e28", "amount").field == "amount"
    assert refused(inputs.number, "-1e16", field="ratio").field == "ratio"
    assert inputs.money("999999999999999.99", "amount") == Decimal("999999999999999.99")
