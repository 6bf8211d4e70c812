"""Schema and field extensions: request session lifecycle, plugin gate, limits, error masking."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import structlog
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.field_extension import FieldExtension

from surety.core.context import acting
from surety.core.db.session import bind_tenant_context
from surety.core.errors import PluginNotEnabled
from surety.graphql.errors import MASKED_MESSAGE, should_mask
from surety.graphql.input_limits import InputLimits, LiteralLimitsRule

log = structlog.get_logger("surety.graphql")


class RequestSession(SchemaExtension):
    """Binds the caller for audit and logging, then commits the request's session when the operation succeeded
    (typed mutation errors count as success: their savepoint was already rolled back) and rolls it back otherwise."""

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context.context
        with contextlib.ExitStack() as stack:
            if ctx.actor is not None:
                stack.enter_context(acting(ctx.actor, request_id=ctx.request_id, client_addr=ctx.client_addr))
                stack.enter_context(bind_tenant_context(ctx.actor.tenant_id))
            yield
            session = ctx._session
            if session is not None:
                ctx._session = None
                result = self.execution_context.result
                failed = result is None or bool(getattr(result, "errors", None))
                try:
                    if failed:
                        session.rollback()
                    else:
                        session.commit()
                except Exception:
                    # Runs after MaskErrors: never let a driver message (SQL, constraint names) reach the client.
                    log.exception("graphql.commit_failed", request_id=ctx.request_id)
                    if result is not None:
                        result.data = None
                        result.errors = [GraphQLError(MASKED_MESSAGE)]
                finally:
                    session.close()


class PluginGate(FieldExtension):
    """Put on every root field a plugin contributes: refuses the field when the plugin is not enabled for the
    caller's tenant."""

    def __init__(self, plugin_key: str):
        self.plugin_key = plugin_key

    def _check(self, info) -> None:
        ctx = info.context
        if ctx.actor is not None and self.plugin_key not in ctx.enabled_plugins:
            raise PluginNotEnabled(
                "The {plugin!r} module is not enabled for your company. Ask your administrator.",
                plugin=self.plugin_key,
            )

    def resolve(self, next_, source, info, **kwargs):
        self._check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_, source, info, **kwargs):
        self._check(info)
        return await next_(source, info, **kwargs)


def standard_extensions(settings) -> list:
    """Extension factories (a fresh instance per request).

    The depth, alias and literal limits (and, in production, the introspection ban) are validation rules built once
    here, so every request validates with the same rule classes and ``ValidationCache`` can reuse the result of
    validating the same (parser-cached) document. ``InputLimits`` checks the variables before execution.
    """
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        LiteralLimitsRule,
    ]
    if settings.production:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        RequestSession,
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: ParserCache(maxsize=512),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=512),
        lambda: InputLimits(hide_suggestions=settings.production),
        lambda: MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE),
    ]
