"""Logs: JSON lines only in production, whoever logs (our structlog loggers, uvicorn, SQLAlchemy, Python warnings),
tracebacks inside the JSON; values embedded in messages and exception texts masked; SQL parameters never logged."""

from __future__ import annotations

import dataclasses
import json
import logging
import logging.config
import sys
import threading
import time
import warnings

import pytest
import structlog
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from surety.core import logging as surety_logging
from surety.core.cli.main import app
from surety.core.logging import configure_logging, stdlib_config
from surety.core.redaction import redact_text
from surety.core.settings import get_settings

ID_NUMBER = "110101199003077777"
PHONE = "13800138000"
ACCOUNT = "6222020200112233445"


@pytest.fixture
def json_logs():
    configure_logging(dataclasses.replace(get_settings(), log_json=True, log_level="DEBUG"))
    yield
    configure_logging(get_settings())


def _json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # fails on any line that is not one JSON object


def _driver_error() -> Exception:
    """What a PostgreSQL unique violation looks like through SQLAlchemy: the row values on the DETAIL line, the
    statement's parameters after it."""

    orig = Exception(f'duplicate key value violates unique constraint "uq_customers_id_number"\n'
                     f"DETAIL:  Key (tenant_id, id_number)=(1, {ID_NUMBER}) already exists.")
    return IntegrityError("INSERT INTO customers (id_number, phone) VALUES (%(a)s, %(b)s)",
                          {"a": ID_NUMBER, "b": PHONE}, orig)


def test_redact_text_masks_values_and_keeps_names():
    masked = redact_text(
        f"Expected value of type 'CustomerCreateInput' not to include unknown field 'bogus', found: "
        f"{{'name': '张三', 'idNumber': '{ID_NUMBER}', 'phone': \"+86 138-0013-8000\", 'mail': 'a@b.cn', "
        f"'bankAccount': {ACCOUNT}}}.")
    for value in (ID_NUMBER, "张三", "138", "0013-8000", "a@b.cn", ACCOUNT):
        assert value not in masked
    assert "'CustomerCreateInput'" in masked and "'bogus'" in masked and "'idNumber'" in masked
    assert redact_text(f"zhang.san@example.com called {PHONE}") == "*** called ***"
    driver = redact_text(str(_driver_error()), first_line=True)
    assert driver == '(builtins.Exception) duplicate key value violates unique constraint "uq_customers_id_number"'
    assert redact_text("Syntax Error: Expected Name, found '{'.") == "Syntax Error: Expected Name, found '{'."
    assert redact_text("Unknown type '[String!]!' in '$input'") == "Unknown type '[String!]!' in '$input'"


def test_production_writes_only_json_lines_tracebacks_included(json_logs, capsys):
    structlog.contextvars.bind_contextvars(request_id="rid-logs")
    try:
        try:
            raise _driver_error()
        except Exception as exc:
            raise RuntimeError(f"could not store customer {ID_NUMBER}") from exc
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
        structlog.get_logger("surety.test").exception("graphql.commit_failed")
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 4242)
    logging.getLogger("alembic.runtime.migration").info("Running upgrade 0004 -> 0005")
    logging.getLogger("surety.plugins.some").warning("customer %s has phone %s", "'张三'", PHONE)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"phone {PHONE} looks odd", UserWarning, stacklevel=1)
    structlog.contextvars.clear_contextvars()

    out = capsys.readouterr()
    assert out.out == ""
    lines = _json_lines(out.err)
    assert len(lines) == 6
    text = out.err
    for value in (ID_NUMBER, PHONE, "张三", "\\u5f20\\u4e09"):
        assert value not in text
    stdlib_error, own_error = lines[0], lines[1]
    assert stdlib_error["logger"] == "uvicorn.error" and stdlib_error["level"] == "error"
    assert stdlib_error["request_id"] == "rid-logs"
    for line in (stdlib_error, own_error):
        causes = line["exception"]
        assert [c["exc_type"] for c in causes] == ["RuntimeError", "IntegrityError"]
        assert causes[0]["exc_value"] == "could not store customer ***"
        assert causes[1]["exc_value"].endswith('violates unique constraint "uq_customers_id_number"')
        assert all(frame["lineno"] for c in causes for frame in c["frames"])
        assert causes[0]["frames"][-1]["name"] == "test_production_writes_only_json_lines_tracebacks_included"
    assert lines[2]["event"] == "Started server process [4242]" and lines[2]["level"] == "info"
    assert lines[3]["logger"] == "alembic.runtime.migration"
    assert lines[4]["event"] == "customer '***' has phone ***"
    assert lines[5]["logger"] == "py.warnings" and "phone *** looks odd" in lines[5]["event"]


def test_sql_statements_and_parameters_are_never_logged(json_logs, capsys):
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT :phone"), {"phone": PHONE}).scalar() == PHONE
    engine.dispose()
    assert PHONE not in capsys.readouterr().err


def test_development_console_shows_the_traceback_with_values_masked(capsys):
    configure_logging(dataclasses.replace(get_settings(), log_json=False))
    try:
        raise ValueError(f"bad id '{ID_NUMBER}'\nDETAIL: {PHONE}")
    except ValueError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err and "ValueError: bad id '***'" in err
    assert ID_NUMBER not in err and PHONE not in err


def test_the_serve_config_routes_uvicorn_through_the_json_formatter(capsys):
    settings = dataclasses.replace(get_settings(), log_json=True)
    try:
        logging.config.dictConfig(stdlib_config(settings))
        logging.getLogger("uvicorn.error").error("Invalid HTTP request received: %r", f"/x?phone={PHONE}")
        line, = _json_lines(capsys.readouterr().err)
        assert line["logger"] == "uvicorn.error" and PHONE not in json.dumps(line)
    finally:
        configure_logging(get_settings())


def test_serve_hands_uvicorn_the_logging_config(monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("SURETY_LOG_JSON", "1")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    finally:
        get_settings.cache_clear()
        configure_logging(get_settings())
    assert result.exit_code == 0, result.output
    assert seen["access_log"] is False
    assert seen["log_config"]["formatters"]["surety"]["json"] is True
    assert seen["log_config"]["disable_existing_loggers"] is False
    lines = _json_lines(result.output + capsys.readouterr().err)
    assert [(line["event"], line["port"]) for line in lines] == [("serve", 8123)]


def test_lines_logged_from_many_threads_at_once_are_written_whole(monkeypatch):
    """Request threads log concurrently: each line must reach stderr in one write (``print`` wrote the text and the
    newline separately, so lines of two threads could merge)."""
    writes: list[str] = []

    class Unbuffered:
        def write(self, text):
            writes.append(text)
            time.sleep(0)  # let another thread in between writes, as an unbuffered stream would

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stderr", Unbuffered())
    logger = surety_logging._StderrLogger()

    def burst(n):
        for i in range(200):
            logger.msg(f'{{"thread": {n}, "i": {i}}}')

    workers = [threading.Thread(target=burst, args=(n,)) for n in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(writes) == 1600
    assert all(w.endswith("}\n") and w.count("\n") == 1 for w in writes)
