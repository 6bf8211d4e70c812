"""Fixtures of the repayment tests: two finance people (``cashier`` posts, ``checker`` reverses: four eyes)."""

from __future__ import annotations

import pytest

from surety.core.identity.auth import user_actor
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD


@pytest.fixture
def rw(mw):
    with mw.session() as s:
        for name in ("cashier", "checker"):
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(), roles=["finance"],
                               email=f"{name}@example.com")
            mw.actors[name] = user_actor(user)
    return mw
