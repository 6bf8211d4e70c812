"""No "Did you mean ...?" in production.

graphql-core's validation and coercion messages suggest field, argument, type and enum value names ("Cannot query
field 'customerz' on type 'Query'. Did you mean 'customer' or 'customers'?"), which hands out the schema piece by
piece when introspection is off. graphql-core can leave them out (``hide_suggestions``), but Strawberry validates
and executes without passing it, and the validation cache shares its results across schemas; so in production the
suggestions are cut from every error message on the way out instead. Development keeps them.
"""

from __future__ import annotations

import re

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

_SUGGESTION = re.compile(r" Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


def _has_suggestion(error: GraphQLError) -> bool:
    return _SUGGESTION.search(error.message) is not None


class HideSuggestions(MaskErrors):
    """Rewrites errors whose message carries a suggestion (every result, streamed ones included, through
    MaskErrors' machinery); the copy keeps the original error, path and extensions, so error masking and codes
    are unaffected."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_has_suggestion)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(without_suggestions(error.message), nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, original_error=error.original_error,
                            extensions=error.extensions)
