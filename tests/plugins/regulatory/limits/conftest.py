"""The made-up reporting plugin of indicators/testing.py answers the ``finance.*`` figures under its own key: the
limit check asks it for figures too (book.BASE_PLUGINS names the plugins whose figures the net-asset base reads)."""

from __future__ import annotations

import pytest

from surety.plugins.regulatory.indicators import testing
from surety.plugins.regulatory.limits import book


@pytest.fixture(autouse=True)
def _made_up_plugin_reports_finance(monkeypatch):
    monkeypatch.setattr(book, "BASE_PLUGINS", book.BASE_PLUGINS | {testing.KEY})
