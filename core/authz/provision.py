"""Provisioning of role templates and default grants, and role assignment of subjects.

Default grants are applied once each: to a role when provisioning creates it (every enabled plugin's grants), to
existing roles when a plugin is enabled for the tenant for the first time (that plugin's grants), and to existing
roles when a new release of an enabled plugin adds a default grant (``surety tenant sync``). Each default already
applied is kept in ``AuthzState.granted_defaults`` (and the plugins in ``granted_plugins``), so a grant an admin
removed is never re-added by provisioning again, not even when a plugin is disabled and re-enabled. A tenant
provisioned before that bookkeeping existed has none recorded: its first provisioning afterwards applies every
default of its enabled plugins once (and records those of plugins applied before but disabled now, without granting
them, so re-enabling one later re-adds nothing).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz import rules
from surety.core.authz.catalog import check_grants, grants_by_plugin, role_templates, split_permission
from surety.core.authz.models import Role
from surety.core.errors import ValidationFailed

SUBJECT_RE = re.compile(r"^(user|apikey):[0-9a-fA-F-]{32,36}$")
_ENTITY_TYPES = {"user": "user", "apikey": "api_key"}


def provision_roles(session: Session) -> None:
    """Create missing template roles and apply default grants of newly enabled plugins (idempotent)."""
    enabled = rules.enabled_keys(session)
    check_grants(enabled)
    templates = role_templates(enabled)
    by_plugin = grants_by_plugin(enabled)
    state = rules.get_state(session)
    applied = set(state.granted_plugins or [])

    existing = {r.key for r in session.scalars(select(Role))}
    created = set()
    for t in templates:
        if t.key not in existing:
            session.add(Role(key=t.key, name=t.name, data_scope=t.data_scope, description=t.description))
            created.add(t.key)

    current = rules.grants(session)
    recorded = set(state.granted_defaults or [])
    entries = set(recorded)
    changed = False
    for plugin, grants in by_plugin.items():
        for role_key, perm_keys in grants.items():
            have = current.setdefault(role_key, set())
            for key in perm_keys:
                entry = f"{role_key} {key}"
                entries.add(entry)
                new = role_key in created or plugin not in applied or entry not in recorded
                if new and key not in have:
                    rules.add_grant(session, role_key, *split_permission(key))
                    have.add(key)
                    changed = True

    if not recorded and applied - set(enabled):
        # A tenant provisioned before per-grant bookkeeping: the defaults of plugins applied once but disabled now
        # count as applied too (recorded, not granted), so re-enabling such a plugin re-adds nothing.
        for grants in grants_by_plugin(sorted(applied - set(enabled))).values():
            entries.update(f"{role_key} {key}" for role_key, keys in grants.items() for key in keys)
    if not applied.issuperset(enabled):
        state.granted_plugins = sorted(applied | set(enabled))
    if entries != recorded:
        state.granted_defaults = sorted(entries)
    if changed or created:
        rules.policy_changed(session)
    else:
        session.flush()


def roles_of(session: Session, subject: str) -> list[str]:
    """Role keys directly assigned to ``subject`` (``user:<id>`` or ``apikey:<id>``), sorted."""
    return rules.subject_roles(session, subject)


def assign_roles(session: Session, subject: str, role_keys: list[str]) -> None:
    """Replace the role set of ``subject``; every role must exist in the tenant. The change is audited."""
    if not SUBJECT_RE.match(subject or ""):
        raise ValidationFailed("Not a subject: {subject!r} (expected user:<id> or apikey:<id>).", field="subject",
                               subject=subject)
    wanted = sorted(set(role_keys))
    known = set(session.scalars(select(Role.key).where(Role.key.in_(wanted)))) if wanted else set()
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ValidationFailed("Unknown role: {unknown}." if len(unknown) == 1 else "Unknown roles: {unknown}.",
                               field="roles", unknown=", ".join(unknown))
    before = rules.subject_roles(session, subject)
    if before == wanted:
        return
    rules.replace_subject_roles(session, subject, wanted)
    rules.policy_changed(session)

    kind, _, ident = subject.partition(":")
    audit(session, "authz.roles_assigned", entity_type=_ENTITY_TYPES[kind], entity_id=ident,
          before={"roles": before}, after={"roles": wanted})
