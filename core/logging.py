"""structlog: JSON lines in production, readable console in development; request id, tenant and user bound per
request; values of sensitive keys redacted."""

from __future__ import annotations

import logging
import sys

import structlog

from surety.core.redaction import redact


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
