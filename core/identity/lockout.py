"""Lockout bookkeeping shared by tenant users and platform operators (``failed_logins`` / ``locked_until``)."""

from __future__ import annotations

import datetime as dt

from surety.core.settings import get_settings


def is_locked(account, now: dt.datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


def register_failure(account, now: dt.datetime) -> bool:
    """Count a failed password; lock the account when the threshold is reached. True when it was just locked.

    The counter restarts at zero when the lock is set, so an expired lock gives a fresh set of attempts.
    """
    settings = get_settings()
    account.failed_logins = (account.failed_logins or 0) + 1
    if account.failed_logins >= settings.lockout_threshold:
        account.failed_logins = 0
        account.locked_until = now + dt.timedelta(minutes=settings.lockout_minutes)
        return True
    return False


def register_success(account, now: dt.datetime) -> None:
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now
