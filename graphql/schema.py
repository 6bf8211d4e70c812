"""The one GraphQL schema, composed at start-up from every installed plugin's ``surety_graphql`` contribution.

Errors are logged by :mod:`surety.graphql.error_log` (never the variables or the query text), and in production their
messages carry no "Did you mean ...?" (:mod:`surety.graphql.suggestions`)."""

from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.tools import merge_types

from surety.core.plugins import PluginRegistry, get_registry
from surety.core.settings import Settings, get_settings
from surety.graphql.error_log import log_graphql_errors
from surety.graphql.execution import SuretyExecutionContext
from surety.graphql.extensions import PluginGate, standard_extensions
from surety.graphql.scalars import SCALAR_OVERRIDES
from surety.graphql.suggestions import HideSuggestions

SDL_PATH = Path(__file__).resolve().parent / "schema.graphql"


class SuretySchema(strawberry.Schema):
    """Strawberry's schema with our error logging in place of ``StrawberryLogger`` (which logs the message with the
    offending value, the query's source line and a plain traceback)."""

    def process_errors(self, errors, execution_context=None) -> None:
        log_graphql_errors(errors, execution_context)


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
    extensions = [*standard_extensions(settings)]
    if settings.production:
        extensions.append(HideSuggestions)
    return SuretySchema(query=query, mutation=mutation, types=types, extensions=extensions,
                        scalar_overrides=SCALAR_OVERRIDES, execution_context_class=SuretyExecutionContext)


def export_sdl(schema: strawberry.Schema | None = None) -> str:
    return (schema or build_schema()).as_str().rstrip() + "\n"
