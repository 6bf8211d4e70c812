"""`surety demo`: a ready-to-use demo tenant and platform operator for development (idempotent)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from surety.core.db.session import Database
from surety.core.identity.operators import create_operator
from surety.core.plugins import get_registry
from surety.core.settings import get_settings
from surety.tenants.models import PlatformOperator, Tenant
from surety.tenants.service import create_tenant

DEMO_SLUG = "demo"
CREDENTIALS_FILE = "demo-credentials.txt"


def password() -> str:
    """A fresh demo password (every demo account gets one: the admin, the operator, each plugin's demo staff); it
    meets the policy: upper, lower, digit, symbol, length 16. Tests that need a known one patch this name."""
    return f"Demo-{secrets.token_hex(4)}-{secrets.token_hex(2).upper()}x"


def keep_credentials(*lines: str, echo: bool = True) -> Path:
    """Append demo credentials to var/demo-credentials.txt (owner-only, 0600) and print them unless ``echo`` is
    False; every demo (`surety demo` and each plugin's ``surety_demo_data``) keeps its accounts here. The file."""
    creds = get_settings().var_dir / CREDENTIALS_FILE
    creds.parent.mkdir(parents=True, exist_ok=True)
    with creds.open("a") as fh:
        fh.write("".join(line + "\n" for line in lines))
    creds.chmod(0o600)
    if echo:
        for line in lines:
            print(line)
    return creds


def ensure_demo(db: Database) -> Iterator[str]:
    """Create the demo tenant (every installed plugin enabled, in dependency order), its admin, a platform operator
    and each plugin's demo data. Credentials are printed once and kept in var/demo-credentials.txt."""

    settings = get_settings()
    if settings.production:
        raise RuntimeError("`surety demo` is for development and test installations only.")
    creds = settings.var_dir / CREDENTIALS_FILE
    with db.platform_session() as s:
        tenant = s.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
        has_operator = s.scalar(select(PlatformOperator.id).where(PlatformOperator.username == "operator"))
    if tenant is not None and has_operator:
        yield f"demo tenant exists; credentials in {creds}"
        if creds.exists():
            yield from creds.read_text().splitlines()
        return
    lines = []
    if tenant is None:
        admin_pw = password()
        tenant = create_tenant(db, slug=DEMO_SLUG, name="Demo Guarantee Co.", plugins=_dependency_order(),
                               admin_username="admin", admin_password=admin_pw)
        lines.append(f"tenant: {DEMO_SLUG}  username: admin  password: {admin_pw}")
        with db.tenant_session(tenant.id) as s:
            add_demo_data(s, tenant)
    if not has_operator:
        op_pw = password()
        create_operator(db, "operator", op_pw)
        lines.append(f"platform operator: operator  password: {op_pw}")
    keep_credentials(*lines, echo=False)
    yield "demo ready (development credentials, also kept in var/demo-credentials.txt):"
    yield from lines


def add_demo_data(session, tenant) -> None:
    """Each enabled plugin's ``surety_demo_data``, plugin by plugin, every plugin after those it depends on
    (pluggy alone would call the last registered first)."""
    registry = get_registry()
    enabled = set(tenant.enabled_plugins)
    for key in ["core", *(k for k in _dependency_order() if k in enabled)]:
        registry.hook_of("surety_demo_data", key)(session=session, tenant=tenant)


def _dependency_order() -> list[str]:
    """Installed plugin keys ordered so each comes after its dependencies."""
    registry = get_registry()
    ordered: list[str] = []

    def visit(key: str, stack: tuple[str, ...] = ()) -> None:
        if key in ordered or key == "core":
            return
        if key in stack:
            raise RuntimeError(f"plugin dependency cycle: {' -> '.join(stack + (key,))}")
        for dep in registry.manifests[key].depends_on:
            if dep in registry.manifests:
                visit(dep, stack + (key,))
        ordered.append(key)

    for key in registry.keys():
        visit(key)
    return ordered
