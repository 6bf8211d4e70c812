"""What a plugin's commands (the ``surety_cli`` hook) use: the console, failing with a message and an exit code, the
database, a tenant by slug, a tenant that has the plugin enabled, a user to act as, a progress bar.
docs/core-helpers.md.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import select

from surety.core.db.session import Database, get_database
from surety.core.identity.auth import user_actor
from surety.core.identity.models import USER_ACTIVE, User

#: Where commands report (stderr: stdout stays for data a command writes).
console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` and exit with ``code``."""
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def db() -> Database:
    """The configured database."""
    return get_database()


def progress() -> Progress:
    """A progress bar on the console: ``with progress() as bar: task = bar.add_task(...)``."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=False)


def tenant(slug: str):
    """The tenant with ``slug``; NotFound (a DomainError) when there is none."""
    from surety.tenants.service import get_tenant_by_slug  # noqa: PLC0415 - tenants/ sits above core: reached at call time

    return get_tenant_by_slug(db(), slug)


def tenant_with_plugin(slug: str, key: str):
    """The tenant with ``slug`` that has plugin ``key`` enabled; else :func:`fail` saying why (and how to enable)."""
    try:
        t = tenant(slug)
    except Exception as exc:  # DomainError (unknown slug) and the like
        fail(getattr(exc, "message", str(exc)))
    if key not in t.enabled_plugins:
        fail(f"the {key} plugin is not enabled for {slug} (surety tenant enable-plugin {slug} {key})")
    return t


def as_user(session, username: str):
    """The actor of an active user of the session's tenant, for a command run on someone's behalf (``--as-user``):
    their permissions and data scope apply. An unknown or inactive user is a bad parameter."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise typer.BadParameter(f"no user {username!r} in this tenant", param_hint="--as-user")
    if user.status != USER_ACTIVE:
        raise typer.BadParameter(f"user {username!r} is {user.status}, not active", param_hint="--as-user")
    return user_actor(user)
