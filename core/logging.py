"""structlog: JSON lines in production, readable console in development; request id, tenant and user bound per
request; values of sensitive keys redacted.

Every log line goes through the same processors, whoever writes it: our structlog loggers directly, and the standard
library's loggers (uvicorn, strawberry, SQLAlchemy, Alembic, Python warnings, ...) through a root handler with
structlog's ``ProcessorFormatter``. With ``SURETY_LOG_JSON=1`` (the default in production) every line written to
stderr is therefore one JSON object, a traceback included: it is the ``exception`` field (structlog's dict
tracebacks: frames with file, line and function, no locals), and every exception message in it is cut to its first
line and has its values masked (``redact_text``), since drivers and libraries put row values and statement
parameters there. SQLAlchemy's loggers stay at WARNING whatever the level, as at INFO they log every statement with
its parameters.
"""

from __future__ import annotations

import logging
import logging.config
import sys
import threading
from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer

from surety.core.redaction import redact, redact_path, redact_text

#: Loggers kept at WARNING or above: SQLAlchemy logs statements *and parameters* at INFO; uvicorn's access log
#: repeats our own ``request`` line (core/web.py) with the query string added; httpx logs every URL it calls.
QUIET_LOGGERS = ("sqlalchemy", "uvicorn.access", "httpx", "httpcore")

_to_dicts = ExceptionDictTransformer(show_locals=False, use_rich=False)


def _redact_processor(_logger, _name, event_dict):
    event_dict = redact(event_dict)
    if isinstance(event_dict.get("path"), str):  # a request's path (core/web.py's access line): client-chosen
        event_dict["path"] = redact_path(event_dict["path"])
    return event_dict


def _exc_info(value: Any):
    if value is None or value is False:
        return None
    if isinstance(value, BaseException):
        return type(value), value, value.__traceback__
    if isinstance(value, tuple):
        return value if value[0] is not None else None
    info = sys.exc_info()
    return info if info[0] is not None else None


def _redact_stacks(stacks: list[dict]) -> list[dict]:
    for stack in stacks:
        stack["exc_value"] = redact_text(stack.get("exc_value", ""), first_line=True)
        stack["exc_notes"] = [redact_text(note, first_line=True) for note in stack.get("exc_notes") or ()]
        if stack.get("syntax_error"):
            stack["syntax_error"]["line"] = redact_text(stack["syntax_error"].get("line", ""), first_line=True)
            stack["syntax_error"]["msg"] = redact_text(stack["syntax_error"].get("msg", ""), first_line=True)
        for trace in stack.get("exceptions") or ():
            _redact_stacks(trace.get("stacks", []))
    return stacks


def exception_stacks(exc_info) -> list[dict]:
    """The traceback of ``exc_info`` as structlog's dict tracebacks (the chain of causes, each with its frames),
    exception messages redacted to their first line."""
    return _redact_stacks(_to_dicts(exc_info))


def _render_stacks(stacks: list[dict], indent: str = "") -> str:
    lines: list[str] = []
    for stack in reversed(stacks):  # as Python prints it: the cause first
        lines.append(f"{indent}Traceback (most recent call last):")
        for frame in stack.get("frames", []):
            lines.append(f'{indent}  File "{frame["filename"]}", line {frame["lineno"]}, in {frame["name"]}')
        lines.append(f"{indent}{stack['exc_type']}: {stack['exc_value']}")
        lines += [f"{indent}{note}" for note in stack.get("exc_notes") or ()]
        for trace in stack.get("exceptions") or ():
            lines.append(_render_stacks(trace.get("stacks", []), indent + "  | "))
        if stack.get("is_cause"):
            lines.append(f"\n{indent}The above exception was the direct cause of the following exception:\n")
    return "\n".join(lines)


def _exception_processor(json: bool):
    """Replaces ``exc_info`` by a redacted ``exception``: the dict tracebacks (JSON), or their plain-text
    rendering (console)."""

    def processor(_logger, _name, event_dict):
        info = _exc_info(event_dict.pop("exc_info", None))
        if info is not None:
            stacks = exception_stacks(info)
            event_dict["exception"] = stacks if json else _render_stacks(stacks)
        return event_dict

    return processor


def _foreign_event(_logger, _name, event_dict):
    """A standard-library record: its logger's name; at WARNING and above its message with the values masked
    (a library's warnings and errors are where it formats what it was given; its info lines, such as uvicorn's
    start-up, stay readable)."""
    record = event_dict.get("_record")
    if record is not None:
        event_dict.setdefault("logger", record.name)
        if record.levelno >= logging.WARNING:
            event_dict["event"] = redact_text(event_dict.get("event", ""))
    return event_dict


def _shared_processors(json: bool) -> list:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_processor,
        structlog.processors.StackInfoRenderer(),
        _exception_processor(json),
    ]


def _renderer(json: bool):
    return structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()


def stdlib_formatter(json: bool = True) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the standard library's records: the same processors and renderer as our own lines."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[_foreign_event, *_shared_processors(json)],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, _renderer(json)],
    )


class StderrHandler(logging.StreamHandler):
    """Writes to the *current* ``sys.stderr`` (not the one at configuration time, which a test runner or
    daemoniser may have replaced and closed since)."""

    def __init__(self, level: int = logging.NOTSET):
        logging.Handler.__init__(self, level)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


_WRITE_LOCK = threading.Lock()


class _StderrLogger:
    """structlog's output: each rendered line to the current ``sys.stderr``, in one write under a lock (request
    threads log at the same time; ``print`` writes the text and the newline separately, which interleaves lines)."""

    def msg(self, message: str) -> None:
        stream = sys.stderr
        with _WRITE_LOCK:
            stream.write(message + "\n")
            stream.flush()

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def _level(settings) -> int:
    level = getattr(logging, str(settings.log_level).upper(), logging.INFO)
    return level if isinstance(level, int) else logging.INFO


def stdlib_config(settings) -> dict:
    """A ``logging.config.dictConfig`` for the standard library's loggers: one handler on the root logger through
    :func:`stdlib_formatter`, every other logger propagating to it. ``surety serve`` hands it to uvicorn, which
    applies it in every worker process before loading the application."""
    quiet = max(_level(settings), logging.WARNING)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"surety": {"()": "surety.core.logging.stdlib_formatter", "json": bool(settings.log_json)}},
        "handlers": {"stderr": {"()": "surety.core.logging.StderrHandler", "formatter": "surety"}},
        "root": {"level": logging.getLevelName(_level(settings)), "handlers": ["stderr"]},
        "loggers": {
            **{name: {"level": logging.getLevelName(quiet), "handlers": [], "propagate": True}
               for name in QUIET_LOGGERS},
            # uvicorn's own handlers (from its default config) would print plain text next to ours.
            **{name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error")},
        },
    }


def configure_logging(settings) -> None:
    json = bool(settings.log_json)
    level = _level(settings)
    structlog.configure(
        processors=[*_shared_processors(json), _renderer(json)],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=lambda *args: _StderrLogger(),
        # A cached logger keeps the configuration of its first use: a server configures once, while the test
        # suite builds apps in several modes (development, production, JSON or console) in one process and needs
        # each to take effect, whatever env the settings of a test name.
        cache_logger_on_first_use=settings.env != "test" and "pytest" not in sys.modules,
    )
    # The root handler is replaced, not added to again (the application factory runs once per test app); handlers
    # others installed (pytest's capture) stay.
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(handler)
    handler = StderrHandler()
    handler.setFormatter(stdlib_formatter(json))
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "strawberry.execution"):
        logger = logging.getLogger(name)
        for h in list(logger.handlers):
            logger.removeHandler(h)
        logger.propagate = True
    # In JSON mode Python warnings become log lines (printed plainly otherwise). Off then on, so a ``showwarning``
    # replaced since the last call (a test runner does) is replaced again.
    logging.captureWarnings(False)
    if json:
        logging.captureWarnings(True)
