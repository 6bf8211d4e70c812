"""``codeLists`` (graphql/codes.py): core's and the enabled plugins' code lists with each code's label in the
request's locale (Accept-Language: zh-CN by default, English on request) and both labels."""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType

from surety.core import codes
from surety.core.codes import CodeList
from surety.graphql import codes as graphql_codes
from surety.graphql.schema import build_schema

QUERY = """query($k: [String!]) { codeLists(keys: $k) { key description items { code label labelZh labelEn } } }"""
PASSWORD = "Correct-Horse-9"


def _post(api, token: str | None, variables: dict, language: str | None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if language is not None:
        headers["Accept-Language"] = language
    response = api.client.post("/graphql", json={"query": QUERY, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def token(api, make_tenant) -> str:
    return api.login(make_tenant().slug, "admin", PASSWORD)


def test_labels_follow_the_request_locale(api, token):
    zh = _post(api, token, {"k": ["core.user_status"]}, "zh-CN,zh;q=0.9")["data"]["codeLists"]
    assert zh == [{"key": "core.user_status", "description": "A user account's status.", "items": [
        {"code": "active", "label": "启用", "labelZh": "启用", "labelEn": "Active"},
        {"code": "disabled", "label": "停用", "labelZh": "停用", "labelEn": "Disabled"}]}]
    en = _post(api, token, {"k": ["core.user_status"]}, "en-US,en;q=0.8")["data"]["codeLists"]
    assert [i["label"] for i in en[0]["items"]] == ["Active", "Disabled"]
    default = _post(api, token, {"k": ["core.workflow_task_status"]}, "")["data"]["codeLists"]  # no preference: zh
    assert [i["label"] for i in default[0]["items"]] == ["待办", "已办", "已取消"]


def test_all_lists_without_keys_and_an_unknown_key_refused(api, token):
    every = _post(api, token, {}, "en")["data"]["codeLists"]
    keys = [c["key"] for c in every]
    assert {c.key for c in codes.CORE_LISTS} <= set(keys)
    assert all(k.split(".")[0] == "core" for k in keys)  # this tenant enabled no plugin
    body = _post(api, token, {"k": ["core.user_status", "nobody.kind"]}, "en")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["extensions"]["field"] == "keys"


def test_code_lists_need_a_signed_in_caller(api):
    body = _post(api, None, {"k": ["core.user_status"]}, "en")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_only_core_and_enabled_plugins_lists_are_visible(monkeypatch):
    lists = {"core.user_status": codes.CORE_LISTS[0],
             "guarantee.kind": CodeList("guarantee.kind", {"a": ("甲", "A")}),
             "customers.kind": CodeList("customers.kind", {"b": ("乙", "B")})}
    monkeypatch.setattr(graphql_codes.codes, "code_lists", lambda: lists)
    assert set(graphql_codes.visible(())) == {"core.user_status"}
    assert set(graphql_codes.visible(("guarantee",))) == {"core.user_status", "guarantee.kind"}


def _has_chinese(text: str | None) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text or "")


def test_every_enum_value_of_the_schema_carries_a_zh_cn_label():
    """Issue 14 item 8: every enum of the schema (core's and every installed plugin's) describes each value in
    zh-CN, so GraphiQL and generated clients show the Chinese label next to the name."""
    schema = build_schema()._schema
    enums = {name: t for name, t in schema.type_map.items() if isinstance(t, GraphQLEnumType)
             and not name.startswith("__")}
    assert {"AmountUnit", "RateUnit"} <= set(enums)
    missing = sorted(f"{name}.{value}" for name, t in enums.items() for value, v in t.values.items()
                     if not _has_chinese(v.description))
    assert missing == [], "enum values without a zh-CN description: " + ", ".join(missing)
