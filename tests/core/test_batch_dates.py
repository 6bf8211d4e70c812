"""The day-end batch runs for today's business date (Beijing) or an earlier one (catch-up), never a later one: the
service refuses it before any job runs, and ``surety batch run --date`` reports the refusal (zh-CN)."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from typer.testing import CliRunner

from surety.core import batch
from surety.core.cli.main import app
from surety.core.errors import ValidationFailed
from surety.core.hookspecs import ScheduledJob

TODAY = dt.date(2026, 6, 15)
runner = CliRunner()


@pytest.fixture
def probe(monkeypatch):
    """Today is TODAY; the batch's only job records the dates it ran for."""
    seen: list[dt.date] = []
    job = ScheduledJob(name="probe", run=lambda session, day: seen.append(day))
    monkeypatch.setattr(batch, "business_today", lambda: TODAY)
    monkeypatch.setattr(batch, "day_end_jobs", lambda enabled: [("core", job)])
    return seen


@pytest.fixture
def slug(db):
    s = f"bd-{secrets.token_hex(3)}"
    r = runner.invoke(app, ["tenant", "create", s, "--name", "Batch Dates", "--admin-password", "Correct-Horse-9"])
    assert r.exit_code == 0, r.output
    return s


def test_check_business_date_keeps_today_and_the_past_and_refuses_the_future():
    assert batch.check_business_date(TODAY, today=TODAY) == TODAY
    assert batch.check_business_date(dt.date(2025, 1, 2), today=TODAY) == dt.date(2025, 1, 2)
    with pytest.raises(ValidationFailed) as err:
        batch.check_business_date(TODAY + dt.timedelta(days=1), today=TODAY)
    assert err.value.field == "date"
    assert err.value.message == ("日终批处理的业务日期 2026-06-16 晚于今天（北京时间 2026-06-15），不能提前运行；"
                                 "补跑今天或以前的日期可以。")
    with pytest.raises(ValidationFailed, match="须为日期"):
        batch.check_business_date(dt.datetime(2026, 6, 1, 8), today=TODAY)  # type: ignore[arg-type]


def test_check_business_date_defaults_to_the_beijing_date(monkeypatch):
    monkeypatch.setattr(batch, "business_today", lambda: TODAY)
    assert batch.check_business_date(TODAY) == TODAY
    with pytest.raises(ValidationFailed, match="晚于今天"):
        batch.check_business_date(dt.date(2026, 6, 16))


def test_run_day_end_refuses_a_future_date_before_any_job_runs(db, slug, probe):
    with pytest.raises(ValidationFailed, match="2026-06-20 晚于今天"):
        batch.run_day_end(db, dt.date(2026, 6, 20), tenant_slug=slug)  # refused at the call, not on iteration
    assert probe == []


def test_run_day_end_runs_today_and_catches_up_past_dates(db, slug, probe):
    assert f"{slug}: core.probe done for 2026-06-15" in list(batch.run_day_end(db, TODAY, tenant_slug=slug))
    list(batch.run_day_end(db, dt.date(2026, 6, 1), tenant_slug=slug))
    assert probe == [TODAY, dt.date(2026, 6, 1)]


def test_cli_reports_the_refusal_and_runs_nothing(db, slug, probe):
    r = runner.invoke(app, ["batch", "run", "--date", "2026-06-16", "--tenant", slug])
    assert r.exit_code == 2
    assert "日终批处理的业务日期 2026-06-16 晚于今天（北京时间 2026-06-15）" in " ".join(r.output.split())
    assert probe == []
    ok = runner.invoke(app, ["batch", "run", "--date", "2026-06-14", "--tenant", slug])
    assert ok.exit_code == 0 and "core.probe done for 2026-06-14" in ok.output
    assert probe == [dt.date(2026, 6, 14)]
