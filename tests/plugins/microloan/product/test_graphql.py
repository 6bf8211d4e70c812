"""GraphQL of loan products: microloanProductCreate / Update with typed errors, microloanProducts,
microloanSchedulePreview (the issue's figures), node lookup, a denied permission and PLUGIN_NOT_ENABLED."""

from __future__ import annotations

from surety.core.testing import error_codes, mutation_ok

PRODUCT_FIELDS = "id code name version annualRate repaymentMethod repaymentMethodLabel dayCount rounding " \
                 "minAmount maxAmount graceDays penaltyUplift allocationOrder active"
CREATE = "mutation($i: MicroloanProductCreateInput!) { microloanProductCreate(input: $i) { product { " \
         + PRODUCT_FIELDS + " } errors { code message field } } }"
UPDATE = "mutation($i: MicroloanProductUpdateInput!) { microloanProductUpdate(input: $i) { product { " \
         + PRODUCT_FIELDS + " } errors { code message field } } }"
LIST = "query($r: Boolean!) { microloanProducts(includeRetired: $r) { " + PRODUCT_FIELDS + " } }"
PREVIEW = """query($p: ID!, $a: Decimal!, $n: Int!, $d: Date!) {
  microloanSchedulePreview(productId: $p, amount: $a, termMonths: $n, startDate: $d) {
    productVersion repaymentMethod totalPrincipal totalInterest totalFees total
    rows { period dueDate days openingBalance principal interest fee installment closingBalance } } }"""
NEW = {"code": "XD-1", "name": "经营贷", "maxAmount": "1000000", "annualRate": "0.12",
       "repaymentMethod": "equal_installment", "minAmount": "10000", "maxTermMonths": 36}


def test_create_update_list_and_preview(api, mw):
    token = api.login(mw.tenant.slug)
    product = mutation_ok(api(CREATE, {"i": NEW}, token), "microloanProductCreate")["product"]
    assert (product["version"], product["repaymentMethodLabel"], product["dayCount"]) == (1, "等额本息", "ACT/360")
    assert product["allocationOrder"] == ["penalty", "fees", "interest", "principal"]
    assert product["annualRate"] == "0.12000000" and product["maxAmount"] == "1000000.00"

    body = api(PREVIEW, {"p": product["id"], "a": "100000", "n": 12, "d": "2026-01-15"}, token)
    preview = body["data"]["microloanSchedulePreview"]
    assert preview["productVersion"] == 1 and len(preview["rows"]) == 12
    assert {r["installment"] for r in preview["rows"][:-1]} == {"8884.88"}
    assert preview["rows"][-1]["installment"] == "8884.85" and preview["totalInterest"] == "6618.53"
    assert preview["rows"][0]["dueDate"] == "2026-02-15" and preview["rows"][-1]["closingBalance"] == "0.00"

    changed = mutation_ok(api(UPDATE, {"i": {"id": product["id"], "repaymentMethod": "equal_principal",
                                             "allocationOrder": None}}, token), "microloanProductUpdate")["product"]
    assert (changed["version"], changed["repaymentMethod"], changed["allocationOrder"]) == (2, "equal_principal",
                                                                                           None)
    preview = api(PREVIEW, {"p": product["id"], "a": "100000", "n": 12, "d": "2026-01-15"}, token)["data"]
    rows = preview["microloanSchedulePreview"]["rows"]
    assert (rows[0]["installment"], rows[-1]["installment"]) == ("9333.33", "8416.70")
    assert preview["microloanSchedulePreview"]["totalInterest"] == "6500.00"

    listed = api(LIST, {"r": False}, token)["data"]["microloanProducts"]
    assert [(p["code"], p["version"]) for p in listed] == [("XD-1", 2)]
    node = api('query($id: ID!) { node(id: $id) { ... on MicroloanProduct { code version } } }',
               {"id": product["id"]}, token)["data"]["node"]
    assert node == {"code": "XD-1", "version": 2}


def test_typed_errors_and_refused_preview(api, mw):
    token = api.login(mw.tenant.slug)
    bad = api(CREATE, {"i": {**NEW, "repaymentMethod": "balloon"}}, token)["data"]["microloanProductCreate"]
    assert bad["product"] is None
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("VALIDATION_FAILED", "repaymentMethod")]
    product = mutation_ok(api(CREATE, {"i": NEW}, token), "microloanProductCreate")["product"]
    again = api(CREATE, {"i": NEW}, token)["data"]["microloanProductCreate"]
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("CONFLICT", "code")]
    wrong = api(UPDATE, {"i": {"id": product["id"], "graceDays": 99}}, token)["data"]["microloanProductUpdate"]
    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [("VALIDATION_FAILED", "graceDays")]
    body = api(PREVIEW, {"p": product["id"], "a": "5", "n": 12, "d": "2026-01-15"}, token)
    assert error_codes(body) == ["VALIDATION_FAILED"]


def test_denied_and_not_enabled(api, mw, make_tenant):
    admin = api.login(mw.tenant.slug)
    product = mutation_ok(api(CREATE, {"i": NEW}, admin), "microloanProductCreate")["product"]
    viewer = api.login(mw.tenant.slug, "viewer")
    denied = api(CREATE, {"i": {**NEW, "code": "XD-2"}}, viewer)["data"]["microloanProductCreate"]
    assert [e["code"] for e in denied["errors"]] == ["FORBIDDEN"]
    assert [p["code"] for p in api(LIST, {"r": True}, viewer)["data"]["microloanProducts"]] == ["XD-1"]

    other = make_tenant()  # microloan not enabled
    token = api.login(other.slug)
    assert error_codes(api(LIST, {"r": False}, token)) == ["PLUGIN_NOT_ENABLED"]
    body = api(PREVIEW, {"p": product["id"], "a": "100000", "n": 12, "d": "2026-01-15"}, token)
    assert error_codes(body) == ["PLUGIN_NOT_ENABLED"]


def cjk(text: str | None) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text or "")


def test_every_microloan_type_field_and_root_field_has_a_zh_cn_description(api, mw):
    token = api.login(mw.tenant.slug)
    missing = []
    types = [t["name"] for t in api("{ __schema { types { name } } }", {}, token)["data"]["__schema"]["types"]
             if t["name"].startswith("Microloan") and not t["name"].endswith(("Connection", "Edge"))]
    assert {"MicroloanProduct", "MicroloanLoan", "MicroloanSchedule"} <= set(types)
    for name in types:
        t = api('query($n: String!) { __type(name: $n) { kind description fields { name description } '
                'inputFields { name description } } }', {"n": name}, token)["data"]["__type"]
        if t["kind"] == "ENUM":
            continue
        missing += [name] if not cjk(t["description"]) else []
        fields = (t["fields"] or []) + (t["inputFields"] or [])
        missing += [f"{name}.{f['name']}" for f in fields
                    if f["name"] not in ("id", "errors") and not cjk(f["description"])]
    for root in ("Query", "Mutation"):
        fields = api('query($n: String!) { __type(name: $n) { fields { name description } } }', {"n": root},
                     token)["data"]["__type"]["fields"]
        mine = [f for f in fields if f["name"].startswith("microloan")]
        assert mine
        missing += [f"{root}.{f['name']}" for f in mine if not cjk(f["description"])]
    assert missing == []
