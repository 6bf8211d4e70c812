"""The committed SDL matches the code; production turns off introspection and GraphiQL."""

from __future__ import annotations

import base64
import dataclasses

from starlette.testclient import TestClient

from surety.core.settings import get_settings
from surety.core.web import create_app
from surety.graphql.schema import SDL_PATH, build_schema, export_sdl


def test_committed_sdl_matches_the_code():
    assert SDL_PATH.read_text() == export_sdl(), "graphql/schema.graphql is stale: run `make schema`"


def test_production_disables_introspection_and_graphiql(db):
    prod = dataclasses.replace(get_settings(), env="production", log_json=True,
                               kek=base64.b64decode(base64.b64encode(b"k" * 32)))
    with TestClient(create_app(prod, db, schema=build_schema(settings=prod))) as client:
        r = client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        assert "introspection" in r.json()["errors"][0]["message"].lower()
        assert client.get("/graphql", headers={"accept": "text/html"}).status_code in (404, 405, 400)
    dev = dataclasses.replace(get_settings(), env="development")
    with TestClient(create_app(dev, db, schema=build_schema(settings=dev))) as client:
        page = client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
