"""A refused customers mutation answers in the request's language (docs/i18n.md): zh-CN by default (no
Accept-Language), English with ``Accept-Language: en``, its parameters filled in either way. Codes and fields never
change."""

from __future__ import annotations

from surety.core.testing import graphql_in_language

import pytest
from sqlalchemy import select

from surety.plugins.customers.testing import make_id
from surety.plugins.customers.validators import id_check_char

PASSWORD = "Strong-Pass-77"  # the world fixture's users
CREATE = ("mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } "
          "errors { code field message } } }")
ENGAGE = ("mutation($i: CustomerEngageInput!) { customerEngage(input: $i) { collided "
          "errors { code field message } } }")
SETTINGS = ("mutation($i: CustomerSettingsUpdateInput!) { customerSettingsUpdate(input: $i) { "
            "settings { collisionMode } errors { code field message } } }")
BLACKLIST_ADD = ("mutation($i: CustomerBlacklistAddInput!) { customerBlacklistAdd(input: $i) { entry { id } "
                 "errors { code } } }")
APPROVE = "mutation($id: ID!) { customerBlacklistApprove(id: $id) { entry { status } errors { code field message } } }"


def post(api, query, variables, token, language):
    """POST GraphQL with ``Accept-Language: language`` (None: no header, the API's default)."""
    return graphql_in_language(api, query, variables, token, language)


def _create(api, token, name: str, n: int) -> str:
    body = post(api, CREATE, {"i": {"kind": "individual", "name": name, "idNumber": make_id(n)}}, token, "en")
    assert body["data"]["customerCreate"]["errors"] == []
    return body["data"]["customerCreate"]["customer"]["id"]


BAD_ID = make_id(9)[:-1] + ("0" if make_id(9)[-1] != "0" else "1")
EXPECTED = id_check_char(BAD_ID[:17])


@pytest.mark.parametrize(("language", "message"), [
    (None, f"身份证号码校验位错误：最后一位应为 {EXPECTED}，而不是 {BAD_ID[-1]}（GB 11643）。"),
    ("zh-CN", f"身份证号码校验位错误：最后一位应为 {EXPECTED}，而不是 {BAD_ID[-1]}（GB 11643）。"),
    ("en", f"Wrong check character in the ID card number: the last character should be {EXPECTED}, not "
           f"{BAD_ID[-1]} (GB 11643)."),
])
def test_a_refused_id_number_names_the_check_character_in_the_request_language(api, world, language, message):
    token = api.login(world.tenant.slug, "mgr_a", PASSWORD)
    body = post(api, CREATE, {"i": {"kind": "individual", "name": "王五", "idNumber": BAD_ID}}, token, language)
    assert body["data"]["customerCreate"] == {
        "customer": None, "errors": [{"code": "VALIDATION_FAILED", "field": "idNumber", "message": message}]}


@pytest.mark.parametrize(("language", "template"), [
    (None, "撞单：自 {since} 起 mgr_a（Branch A）已在跟进该客户（90 天保护期内）。"),
    ("en", "Collision: the customer is already being worked by mgr_a (Branch A) since {since} (within 90 days)."),
])
def test_a_collision_names_the_other_manager_in_the_request_language(api, db, world, language, template):
    from surety.plugins.customers.models import CustomerEngagement

    slug = world.tenant.slug
    cid = _create(api, api.login(slug, "mgr_a", PASSWORD), "张三", 1)
    admin = api.login(slug)
    block = post(api, SETTINGS, {"i": {"collisionMode": "block"}}, admin, "en")["data"]["customerSettingsUpdate"]
    assert block == {"settings": {"collisionMode": "block"}, "errors": []}
    with db.tenant_session(world.tenant.id) as s:
        since = s.scalar(select(CustomerEngagement.engaged_at)).date().isoformat()
    body = post(api, ENGAGE, {"i": {"customerId": cid, "business": "guarantee:application"}},
                api.login(slug, "mgr_b", PASSWORD), language)
    assert body["data"]["customerEngage"] == {"collided": False, "errors": [
        {"code": "CUSTOMER_COLLISION", "field": "customerId", "message": template.format(since=since)}]}


@pytest.mark.parametrize(("language", "message"), [
    (None, "该名单条目已生效，不在待审批状态。"),
    ("en", "The entry is active, not pending."),
])
def test_an_entry_decided_twice_is_refused_by_its_status_in_the_request_language(api, world, language, message):
    slug = world.tenant.slug
    cid = _create(api, api.login(slug, "mgr_a", PASSWORD), "赵六", 2)
    added = post(api, BLACKLIST_ADD, {"i": {"customerId": cid, "listType": "blacklist", "reason": "涉诉",
                                            "source": "court records"}}, api.login(slug, "risk", PASSWORD), "en")
    entry = added["data"]["customerBlacklistAdd"]["entry"]["id"]
    head = api.login(slug, "head_a", PASSWORD)
    first = post(api, APPROVE, {"id": entry}, head, "en")["data"]["customerBlacklistApprove"]
    assert first == {"entry": {"status": "active"}, "errors": []}
    again = post(api, APPROVE, {"id": entry}, head, language)["data"]["customerBlacklistApprove"]
    assert again == {"entry": None, "errors": [{"code": "CONFLICT", "field": "id", "message": message}]}


@pytest.mark.parametrize(("language", "message"), [
    (None, "撞单保护期须为 0 至 3650 天。"),
    ("en", "The collision window is 0 to 3650 days."),
])
def test_a_refused_setting_names_its_limit_in_the_request_language(api, world, language, message):
    body = post(api, SETTINGS, {"i": {"collisionWindowDays": 9999}}, api.login(world.tenant.slug), language)
    assert body["data"]["customerSettingsUpdate"] == {"settings": None, "errors": [
        {"code": "VALIDATION_FAILED", "field": "collisionWindowDays", "message": message}]}
