"""The API answers in the request's language: zh-CN by default (no Accept-Language, or one we do not have), English
on ``Accept-Language: en`` (docs/i18n.md). GraphQL errors, typed payload errors, errors about variables and the
upload endpoint's REST errors alike; codes and fields never change."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
from starlette.testclient import TestClient

from surety.core.attachments.samples import png_bytes
from surety.core.i18n import use_locale
from surety.core.logging import configure_logging
from surety.core.settings import get_settings
from surety.core.web import create_app
from surety.graphql.errors import localize_formatted, with_codes
from surety.graphql.schema import build_schema

USER_CREATE = ("mutation($i: UserCreateInput!) { userCreate(input: $i) { user { id } "
               "errors { code field message } } }")
LOGIN = ("mutation($t:String!,$u:String!,$p:String!){ login(tenant:$t, username:$u, password:$p) "
         "{ accessToken errors { code field message } } }")

ZH, EN, NONE, UNKNOWN = "zh-CN", "en", None, "fr-FR"


def post(api, query, variables=None, token=None, language=None):
    """POST GraphQL with ``Accept-Language: language`` (None: no header at all)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if language is None:
        api.client.headers.pop("accept-language", None)  # the suite's clients ask for English by default
    else:
        headers["Accept-Language"] = language
    response = api.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(("language", "message"), [
    (EN, "Authentication required."),
    (ZH, "请先登录。"),
    (NONE, "请先登录。"),
    (UNKNOWN, "请先登录。"),
])
def test_a_graphql_error_is_in_the_request_language(api, language, message):
    body = post(api, "{ me { roles } }", language=language)
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(("language", "message"), [
    (EN, "Invalid tenant, username or password."),
    (ZH, "租户、用户名或密码错误。"),
    (NONE, "租户、用户名或密码错误。"),
])
def test_a_typed_payload_error_is_in_the_request_language(api, make_tenant, language, message):
    tenant = make_tenant()
    body = post(api, LOGIN, {"t": tenant.slug, "u": "admin", "p": "wrong password"}, language=language)
    assert body["data"]["login"]["errors"] == [{"code": "UNAUTHENTICATED", "field": None, "message": message}]


@pytest.mark.parametrize(("language", "message"), [
    (EN, "The username 'admin' is already taken."),
    (ZH, "用户名“admin”已被占用。"),
])
def test_a_parametrised_payload_error_is_formatted_in_the_request_language(api, make_tenant, language, message):
    tenant = make_tenant()
    token = api.login(tenant.slug)
    body = post(api, USER_CREATE, {"i": {"username": "admin", "password": "Another-Pass-2026!x"}}, token=token,
                language=language)
    assert body["data"]["userCreate"]["errors"] == [{"code": "CONFLICT", "field": "username", "message": message}]


@pytest.mark.parametrize(("language", "message"), [
    (EN, "Variable '$i' of required type 'UserCreateInput!' was not provided."),
    (ZH, "缺少必填变量“$i”（类型“UserCreateInput!”）。"),
])
def test_an_error_about_a_variable_is_in_the_request_language(api, language, message):
    body = post(api, USER_CREATE, language=language)
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"] == {"code": "VALIDATION_FAILED", "field": "i"}


@pytest.mark.parametrize(("language", "expected"), [
    (EN, "Not a Date: give a date as YYYY-MM-DD."),
    (ZH, "不是有效的日期：请按 YYYY-MM-DD 格式填写。"),
])
def test_a_scalar_refusing_a_variable_is_quoted_in_the_request_language(api, make_tenant, language, expected):
    tenant = make_tenant()
    token = api.login(tenant.slug)
    body = post(api, "query($d: Date) { overdueTasks(asOf: $d) { totalCount } }", {"d": "31/12/2026"},
                token=token, language=language)
    error = body["errors"][0]
    assert expected in error["message"] and error["extensions"]["field"] == "d"
    if language == ZH:
        assert error["message"].startswith("变量“$d”的值无效")


def test_a_request_refused_before_graphql_is_in_the_request_language(api):
    for language, message in ((EN, "Unable to parse request body as JSON"), (ZH, "请求体不是有效的 JSON。")):
        response = api.client.post("/graphql", content=b"{not json", headers={
            "Accept-Language": language, "Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == message


def upload(api, token, filename, data, language):
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
    return api.client.post("/attachments", data={"entity_type": "test:document", "entity_id": "c-1"},
                           files={"file": (filename, data, "application/octet-stream")}, headers=headers)


def test_rest_upload_errors_are_in_the_request_language(api, make_tenant):
    tenant = make_tenant()
    token = api.login(tenant.slug)
    english = upload(api, token, "empty.pdf", b"", EN)
    chinese = upload(api, token, "empty.pdf", b"", ZH)
    assert english.status_code == chinese.status_code == 422
    assert english.json()["errors"][0]["message"] == "'empty.pdf' is empty (0 bytes); nothing to attach."
    assert chinese.json()["errors"][0]["message"] == "文件“empty.pdf”为空（0 字节），无法上传。"
    assert english.json()["errors"][0]["extensions"] == chinese.json()["errors"][0]["extensions"] == {
        "code": "VALIDATION_FAILED", "field": "file"}

    refused = upload(api, token, "scan.pdf", png_bytes(), ZH).json()["errors"][0]["message"]
    assert refused.startswith("文件“scan.pdf”的扩展名为 .pdf，但实际内容是")


def test_rest_authentication_errors_are_in_the_request_language(api):
    for language, message in ((EN, "Invalid or expired access token."), (ZH, "访问令牌无效或已过期，请重新登录。")):
        response = upload(api, "not-a-token", "scan.png", png_bytes(), language)
        assert response.status_code == 401
        assert response.json()["errors"][0]["message"] == message


def test_the_logs_stay_english_when_the_client_reads_chinese(db, capsys):
    """Logs are for engineers: the error line of a zh-CN request carries the English message."""
    settings = dataclasses.replace(get_settings(), env="production", log_json=True,
                                   kek=base64.b64decode(base64.b64encode(b"k" * 32)))
    try:
        with TestClient(create_app(settings, db, schema=build_schema(settings=settings))) as client:
            capsys.readouterr()
            body = client.post("/graphql", json={"query": "{ me { roles } }"},
                               headers={"Accept-Language": "zh-CN"}).json()
            assert body["errors"][0]["message"] == "请先登录。"
            lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    finally:
        configure_logging(get_settings())
    logged = [line for line in lines if line["event"] == "graphql.error"]
    assert [line["message"] for line in logged] == ["Authentication required."]


def test_the_masked_unexpected_error_is_in_the_request_language():
    for locale, message in (("en", "Unexpected error."), ("zh_CN", "系统出现意外错误，请稍后重试或联系管理员。")):
        with use_locale(locale):
            errors = localize_formatted(with_codes([{"message": "Unexpected error.", "path": ["x"]}]))
        assert errors == [{"message": message, "path": ["x"], "extensions": {"code": "INTERNAL_ERROR"}}]
