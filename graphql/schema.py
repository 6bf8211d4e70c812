"""The one GraphQL schema, composed at start-up from every installed plugin's ``surety_graphql`` contribution."""

from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.tools import merge_types

from surety.core.plugins import PluginRegistry, get_registry
from surety.core.settings import Settings, get_settings
from surety.graphql.extensions import PluginGate, standard_extensions

SDL_PATH = Path(__file__).resolve().parent / "schema.graphql"


def _gate(cls: type, key: str) -> type:
    """Attach the plugin gate to every field of a contributed root type (core's fields are never gated)."""
    if key != "core":
        for f in cls.__strawberry_definition__.fields:
            if not any(isinstance(e, PluginGate) for e in f.extensions):
                f.extensions.append(PluginGate(key))
    return cls


def build_schema(registry: PluginRegistry | None = None, settings: Settings | None = None) -> strawberry.Schema:
    registry = registry or get_registry()
    settings = settings or get_settings()
    queries: list[type] = []
    mutations: list[type] = []
    types: list[type] = []
    for key, contribution in sorted(registry.results_by_plugin("surety_graphql").items(),
                                    key=lambda kv: (kv[0] != "core", kv[0])):
        if contribution is None:
            continue
        queries += [_gate(c, key) for c in contribution.query]
        mutations += [_gate(c, key) for c in contribution.mutation]
        types += list(contribution.types)
    query = merge_types("Query", tuple(queries))
    mutation = merge_types("Mutation", tuple(mutations)) if mutations else None
    return strawberry.Schema(query=query, mutation=mutation, types=types,
                             extensions=standard_extensions(settings))


def export_sdl(schema: strawberry.Schema | None = None) -> str:
    return (schema or build_schema()).as_str().rstrip() + "\n"
