"""Failure bookkeeping on the account row, shared by tenant users and platform operators.

The lockout itself is per account *and client address*, kept by :mod:`surety.core.identity.ratelimit`, so a
stranger cannot lock anyone else out. The row keeps ``failed_logins``, the failures since the last good login from
any address (what an administrator sees to tell that someone is guessing). ``locked_until`` is no longer set: a
lock on the row would lock the account for every address. It is cleared with the counter.
"""

from __future__ import annotations

import datetime as dt


def register_failure(account) -> None:
    """Count a failed password on the row."""
    account.failed_logins = (account.failed_logins or 0) + 1


def register_success(account, now: dt.datetime) -> None:
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now


def clear_failures(account) -> None:
    """What an administrator's unlock, a re-enable or a new password does to the row."""
    account.failed_logins = 0
    account.locked_until = None
