"""GraphQL errors in the logs: nothing the client sent (variables, inline literals, the query text) reaches a log,
every line of a production app is JSON, an unexpected error's traceback is a field of its line; production error
messages carry no "Did you mean", development keeps them."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
from graphql import parse
from sqlalchemy.exc import IntegrityError
from starlette.testclient import TestClient

from surety.core.logging import configure_logging
from surety.core.settings import get_settings
from surety.core.testing import GraphQLClient
from surety.core.web import create_app
from surety.graphql.error_log import document_hash
from surety.graphql.schema import build_schema
from surety.plugins.customers import records

ID_NUMBER = "110101199003077777"
PHONE = "13800138000"
ACCOUNT = "6222020200112233445"
NAME = "张三丰"
VALUES = (ID_NUMBER, PHONE, ACCOUNT, NAME, json.dumps(NAME)[1:-1])  # also as JSON escapes

CREATE = """mutation CreateCustomer($i: CustomerCreateInput!) { customerCreate(input: $i) {
  customer { id } errors { code field message } } }"""
PERSON = {"kind": "individual", "name": NAME, "idNumber": ID_NUMBER, "phone": PHONE, "bankAccount": ACCOUNT}


def _settings(env: str):
    return dataclasses.replace(get_settings(), env=env, log_json=env == "production",
                               kek=base64.b64decode(base64.b64encode(b"k" * 32)))


@pytest.fixture
def client_for(db):
    def make(env: str):
        settings = _settings(env)
        return TestClient(create_app(settings, db, schema=build_schema(settings=settings)))

    yield make
    configure_logging(get_settings())


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _error_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["event"] == "graphql.error"]


def _assert_no_values(text: str) -> None:
    for value in VALUES:
        assert value not in text


def test_bad_input_is_logged_without_the_values_as_json(client_for, make_tenant, capsys, caplog):
    tenant = make_tenant(plugins=["customers"])
    with client_for("production") as client:
        api = GraphQLClient(client)
        token = api.login(tenant.slug)
        capsys.readouterr()
        bodies = [
            api(CREATE, {"i": {**PERSON, "annualIncome": f"x{PHONE}"}}, token=token),       # bad Decimal
            api(CREATE, {"i": {**PERSON, "bogusField": ID_NUMBER}}, token=token),           # unknown field
            api(CREATE, {"i": {**PERSON, "idNumber": int(ID_NUMBER)}}, token=token),        # not a string
            api(CREATE, {"i": {**PERSON, "name": None}}, token=token),                      # missing field
            # inline literals in the query text, wrong in several ways
            api(f'mutation {{ customerCreate(input: {{kind: "individual", name: "{NAME}", idNumber: {ID_NUMBER},'
                f' phone: "{PHONE}"}}) {{ customer {{ id }} }} }}', token=token),
            api(f'mutation {{ customerCreate(input: {{kind: "individual", name: "{NAME}", phone: "{PHONE}",'
                f' annualIncome: "{ACCOUNT}"}}) {{ customer {{ id }} }} }}', token=token),
            api(f'query {{ customers(filter: {{namePrefix: "{NAME}", idNumbr: "{ID_NUMBER}"}}) {{ totalCount }} }}',
                token=token),
            api(f'query {{ customers(first: {PHONE}) {{ totalCount }} }}', token=token),
            api(f'query {{ customers(first: 1 {{ "{ID_NUMBER}" }}', token=token),             # syntax error
        ]
    assert all(body.get("errors") for body in bodies)
    out = capsys.readouterr()
    lines = _json_lines(out.err)  # every line is one JSON object
    errors = _error_lines(lines)
    assert len(errors) == len(bodies)
    _assert_no_values(out.out + out.err)
    assert not [r for r in caplog.records if r.name.startswith("strawberry")]  # the default logger stays unused
    first = errors[0]
    assert first["operation"] == "CreateCustomer" and first["operation_type"] == "mutation"
    assert first["level"] == "info" and first["code"] and len(first["document"]) == 16
    assert "'$i'" in first["message"] and "annualIncome" in first["message"]
    assert "customerCreate" not in json.dumps(errors)  # no query text
    assert errors[-1]["code"] == "GRAPHQL_PARSE_FAILED"
    assert not any("exception" in line for line in errors)  # bad input is not a server error: no traceback


def test_an_unexpected_error_logs_one_json_line_with_a_redacted_traceback(client_for, make_tenant, capsys,
                                                                           monkeypatch):
    def failing_create(*args, **kwargs):
        orig = Exception('duplicate key value violates unique constraint "uq_customers_id_number"\n'
                         f"DETAIL:  Key (tenant_id, id_number)=(1, {ID_NUMBER}) already exists.")
        raise IntegrityError("INSERT INTO customers (id_number, phone) VALUES (%(a)s, %(b)s)",
                             {"a": ID_NUMBER, "b": PHONE}, orig)

    monkeypatch.setattr(records, "create_customer", failing_create)
    tenant = make_tenant(plugins=["customers"])
    with client_for("production") as client:
        api = GraphQLClient(client)
        token = api.login(tenant.slug)
        capsys.readouterr()
        body = api(CREATE, {"i": PERSON}, token=token)
    assert body["errors"][0]["message"] == "Unexpected error."
    out = capsys.readouterr()
    _assert_no_values(out.out + out.err)
    line, = _error_lines(_json_lines(out.err))
    assert line["level"] == "error" and line["code"] == "INTERNAL_ERROR"
    assert line["path"] == ["customerCreate"] and line["exc_type"] == "sqlalchemy.exc.IntegrityError"
    stack, = line["exception"]
    assert stack["exc_type"] == "IntegrityError" and "DETAIL" not in stack["exc_value"]
    assert stack["frames"][-1]["name"] == "failing_create"


SUGGESTING = [
    "{ customerz { totalCount } }",                                              # field
    "{ customers(frist: 1) { totalCount } }",                                     # argument
    "query($f: CustomerFiltr) { customers(filter: $f) { totalCount } }",         # type
    '{ customers(filter: {namePrefx: "x"}) { totalCount } }',                     # input field
]


def test_production_messages_carry_no_suggestions(client_for, make_tenant, capsys):
    tenant = make_tenant(plugins=["customers"])
    with client_for("production") as client:
        api = GraphQLClient(client)
        token = api.login(tenant.slug)
        for query in SUGGESTING:
            body = api(query, token=token)
            assert body["errors"] and "did you mean" not in json.dumps(body).lower(), body
        unknown_field = api(CREATE, {"i": {**PERSON, "idNumbr": "x"}}, token=token)
        assert "did you mean" not in json.dumps(unknown_field).lower()


def test_development_keeps_suggestions(client_for, make_tenant):
    tenant = make_tenant(plugins=["customers"])
    with client_for("development") as client:
        api = GraphQLClient(client)
        token = api.login(tenant.slug)
        for query in SUGGESTING:
            assert "Did you mean" in api(query, token=token)["errors"][0]["message"], query


def test_a_path_carrying_a_value_is_logged_masked(client_for, capsys):
    attachment = "/attachments/01a23a16-9ff7-7b34-b58e-d4f9f4903ef4"
    with client_for("production") as client:
        capsys.readouterr()
        # Answered by the web console's history fallback (200, or 503 while the console is not built) or 404: the
        # request line is logged either way, and must not carry the values.
        for path in (f"/customers/{ID_NUMBER}", f"/lookup/{NAME}/{PHONE}"):
            assert client.get(path).status_code in (200, 404, 503)
        client.get(attachment)
    err = capsys.readouterr().err
    _assert_no_values(err)
    paths = [line["path"] for line in _json_lines(err) if line["event"] == "request"]
    assert paths == ["/customers/***", "/lookup/***/***", attachment]


def test_the_document_hash_reveals_no_literal():
    def shape(first: str, prefix: str) -> str:
        query = f'{{ customers(first: {first}, filter: {{namePrefix: "{prefix}"}}) {{ totalCount }} }}'
        return document_hash(parse(query))

    # the same shape hashes the same whatever the values, so guessing a value cannot be confirmed from the hash
    assert shape(PHONE, NAME) == shape("5", "李") == shape("1.5", ID_NUMBER)
    assert shape("5", "李") != document_hash(parse("{ customers(first: 5) { totalCount } }"))
