"""Custom fields of guarantee projects: GuaranteeProject.customFields, guaranteeProjectCustomFieldsSet (every problem a
typed error keyed by the field, guarantee:project:update and the data scope), and the approval subject's
``custom.<key>`` / ``customer.custom.<key>`` that workflow conditions read."""

from __future__ import annotations

from decimal import Decimal

from strawberry import relay

from surety.core.custom_fields import service as cf
from surety.core.testing import TEST_PASSWORD
from surety.plugins.guarantee.origination.approval import fields_of
from surety.plugins.guarantee.project.custom_fields import ENTITY_TYPE
from surety.plugins.guarantee.testing import make_project

SET = """mutation($i: GuaranteeProjectCustomFieldsSetInput!) { guaranteeProjectCustomFieldsSet(input: $i) {
  project { id customFields { key label type value } } errors { code field message } } }"""
READ = """query($id: ID!) { node(id: $id) { ... on GuaranteeProject { customFields { key label value } } } }"""


def _define(gw):
    with gw.acting("admin") as (s, a):
        cf.define_field(s, a, ENTITY_TYPE, {"key": "site_visits", "label_zh": "实地走访次数", "type": "number",
                                            "validation": {"min": 0, "max": 50}})
        cf.define_field(s, a, ENTITY_TYPE, {"key": "industry_chain", "label_zh": "产业链", "type": "choice",
                                            "options": [{"value": "core", "label_zh": "核心企业"},
                                                        {"value": "upstream", "label_zh": "上游"}]})
        cf.define_field(s, a, "customer_corporate", {"key": "stores", "label_zh": "门店数", "type": "number"})


def test_project_custom_fields_through_graphql(api, gw):
    _define(gw)
    with gw.acting("mgr") as (s, a):
        pid = relay.to_base64("GuaranteeProject", make_project(s, a, gw.customers["corp"]).id)
    mgr = api.login(gw.tenant.slug, "mgr", TEST_PASSWORD)
    done = api(SET, {"i": {"id": pid, "values": {"site_visits": "3", "industry_chain": "core"}}},
               token=mgr)["data"]["guaranteeProjectCustomFieldsSet"]
    assert done["errors"] == []
    assert {f["key"]: f["value"] for f in done["project"]["customFields"]} == {"site_visits": "3",
                                                                                "industry_chain": "core"}
    bad = api(SET, {"i": {"id": pid, "values": {"site_visits": "99", "industry_chain": "sideways"}}},
              token=mgr)["data"]["guaranteeProjectCustomFieldsSet"]
    assert bad["project"] is None and sorted(e["field"] for e in bad["errors"]) == ["industry_chain", "site_visits"]
    read = api(READ, {"id": pid}, token=mgr)["data"]["node"]["customFields"]
    assert sorted((f["key"], f["label"], f["value"]) for f in read) == [("industry_chain", "产业链", "core"),
                                                                         ("site_visits", "实地走访次数", "3")]
    viewer = api.login(gw.tenant.slug, "viewer", TEST_PASSWORD)
    denied = api(SET, {"i": {"id": pid, "values": {"site_visits": "1"}}},
                 token=viewer)["data"]["guaranteeProjectCustomFieldsSet"]
    assert denied["project"] is None and denied["errors"][0]["code"] == "FORBIDDEN"


def test_the_approval_subject_reads_project_and_customer_custom_fields(gw):
    _define(gw)
    with gw.acting("admin") as (s, a):
        project = make_project(s, a, gw.customers["corp"])
        cf.write_values(s, a, ENTITY_TYPE, project.id, {"site_visits": "4"})
        cf.write_values(s, a, "customer_corporate", gw.customers["corp"], {"stores": "12"})
        fields = fields_of(s, project, with_names=False)
    assert fields["custom"] == {"site_visits": Decimal("4")}
    assert fields["customer"]["custom"] == {"stores": Decimal("12")}
