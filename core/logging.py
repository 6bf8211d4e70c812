"""structlog: JSON lines in production, readable console in development; request id, tenant and user bound per
request; values of sensitive keys redacted."""

from __future__ import annotations

import logging
import sys
from functools import lru_cache

import structlog

REDACTED = "[REDACTED]"


@lru_cache(maxsize=1)
def sensitive_keys() -> frozenset[str]:
    from surety.core.plugins import get_registry

    keys: set[str] = set()
    for group in get_registry().hook.surety_sensitive_keys():
        keys.update(k.lower() for k in group)
    return frozenset(keys)


def redact(value, keys: frozenset[str] | None = None):
    """A copy of ``value`` with the values of sensitive keys (case-insensitive, at any depth) replaced."""
    keys = sensitive_keys() if keys is None else keys
    if isinstance(value, dict):
        return {k: (REDACTED if str(k).lower() in keys and v is not None else redact(v, keys))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v, keys) for v in value]
    return value


def _redact_processor(_logger, _name, event_dict):
    return redact(event_dict)


class _StderrLogger:
    """Writes each rendered line to the *current* ``sys.stderr`` (not the one at configuration time, which a test
    runner or daemoniser may have replaced and closed since)."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def configure_logging(settings) -> None:
    processors = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_processor,
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    renderer = structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer()
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    structlog.configure(
        processors=processors + [renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=lambda *args: _StderrLogger(),
        cache_logger_on_first_use=True,
    )
