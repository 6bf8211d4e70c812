from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from surety.core.settings import get_settings

from surety.core.testing import TEST_PASSWORD as PASSWORD


class Api:
    def __init__(self, client: TestClient):
        self.client = client

    def post(self, query: str, variables: dict | None = None, token: str | None = None, **kw):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                headers=headers, **kw)

    def __call__(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        response = self.post(query, variables, token)
        assert response.status_code == 200, response.text
        return response.json()

    def login(self, tenant: str, username: str = "admin", password: str = PASSWORD) -> str:
        body = self("mutation($t:String!,$u:String!,$p:String!){login(tenant:$t,username:$u,password:$p)"
                    "{accessToken refreshToken errors{code message}}}", {"t": tenant, "u": username, "p": password})
        payload = body["data"]["login"]
        assert payload["errors"] == [], payload
        return payload["accessToken"]


@pytest.fixture(scope="session")
def app(db):
    from surety.core.web import create_app

    return create_app(get_settings(), db)


@pytest.fixture
def api(app):
    with TestClient(app) as client:
        yield Api(client)
