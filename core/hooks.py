"""Calling hooks for the session's tenant: core and the plugins the tenant has enabled answer, no other.

Every service that calls a hook (core's own or one a plugin declares, e.g. ``customers_summaries``) goes through
:func:`tenant_hook` instead of spelling ``get_registry().hook_for(name, enabled_plugins(session, tenant))`` out.
docs/core-helpers.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from surety.core.db.session import session_tenant
from surety.core.events import enabled_plugins
from surety.core.plugins import CORE_KEY, get_registry


def tenant_plugins(session: Session) -> list[str]:
    """The plugin keys enabled for the session's tenant (cached on the session; core is always on besides)."""
    return enabled_plugins(session, session_tenant(session))


def declared(name: str) -> bool:
    """Whether hook ``name`` is declared (core's hooks always are; a plugin's once that plugin is installed)."""
    return hasattr(get_registry().pm.hook, name)


def tenant_hook(session: Session, name: str) -> Any:
    """The caller of hook ``name`` restricted to core and the plugins enabled for the session's tenant; call it with
    keyword arguments. A plain hook returns the list of answers, a ``firstresult`` one the first answer (None when
    nobody answers). AttributeError when no installed plugin declares ``name`` (see :func:`declared`)."""
    return get_registry().hook_for(name, tenant_plugins(session))


def tenant_hook_each(session: Session, name: str) -> Iterator[tuple[str, Any]]:
    """``(plugin key, caller)`` for each plugin enabled for the tenant (core left out), in the tenant's order, the
    caller restricted to that plugin alone: to tell the answers apart (e.g. exposure per plugin)."""
    registry = get_registry()
    for key in tenant_plugins(session):
        if key != CORE_KEY:
            yield key, registry.hook_for(name, [key])
