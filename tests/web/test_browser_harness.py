"""The browser tests FAIL, never skip, where they cannot run: a pytest run of one of them (`-m browser`, as
`make test-web` does) without chromium, or without a built console, ends in an error (exit status 1) naming the
fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from surety.core.settings import REPO_ROOT

ROOT = REPO_ROOT or Path.cwd()
ONE_TEST = "tests/web/test_console_e2e.py::test_log_in_and_see_the_inbox_with_the_tenant_in_the_header"


def run_one(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-m", "browser", "-p", "no:cacheprovider", "-q", ONE_TEST],
                          cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_without_chromium_the_browser_tests_fail_saying_how_to_install_it(tmp_path):
    result = run_one(SURETY_CHROMIUM=str(tmp_path / "no-chromium"))
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 error" in result.stdout and "skipped" not in result.stdout  # the fixture fails: an error, not a skip
    assert "apt-get install -y chromium" in result.stdout


@pytest.mark.slow
def test_without_a_build_the_browser_tests_fail_saying_make_web(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")  # present, never started: the missing build fails first
    result = run_one(SURETY_CHROMIUM=str(chromium), SURETY_WEB_DIST=str(tmp_path / "empty"))
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 error" in result.stdout and "skipped" not in result.stdout  # the fixture fails: an error, not a skip
    assert "The web console is not built" in result.stdout and "make web" in result.stdout
