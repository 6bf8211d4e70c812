"""Fixtures of the claim tests: the plugin's world (``rw``) with two more people, ``boss`` (executive: approves
claims) and ``fin`` (finance: pays claims and settles recoveries)."""

from __future__ import annotations

import pytest

from surety.core.identity.auth import user_actor
from surety.core.identity.service import create_user
from surety.core.testing import TEST_PASSWORD

MORE = {"boss": "executive", "fin": "finance"}


@pytest.fixture
def cw(rw):
    with rw.session() as s:
        for name, role in MORE.items():
            user = create_user(s, username=name, password=TEST_PASSWORD, display_name=name.title(), roles=[role],
                               email=f"{name}@example.com")
            rw.actors[name] = user_actor(user)
    return rw
