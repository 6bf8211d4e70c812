"""PostgreSQL row-level security and the non-owner application role.

Migrations run as the table owner and call :func:`enable_rls` for each tenant table. The application connects as a
role that owns nothing and has no BYPASSRLS; :func:`grant_app_role` gives it exactly the privileges it needs (and
none to UPDATE or DELETE the audit log).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

POLICY = "tenant_isolation"
#: Tables the application may only read and append to.
APPEND_ONLY = ("audit_log",)


def _q(conn_or_dialect, name: str) -> str:
    dialect = getattr(conn_or_dialect, "dialect", conn_or_dialect)
    return dialect.identifier_preparer.quote(name)


def enable_rls(conn: Connection, table: str) -> None:
    """ENABLE and FORCE row-level security on ``table`` with the transaction-local tenant policy."""
    if conn.dialect.name != "postgresql":
        return
    t = _q(conn, table)
    # Identifiers cannot be bound parameters; they come from our own metadata and are quoted by the dialect.
    conn.execute(text(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"))
    conn.execute(text(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY"))
    conn.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {t}"))
    conn.execute(
        text(
            f"CREATE POLICY {POLICY} ON {t} "
            "USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid) "
            "WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
        )
    )


def disable_rls(conn: Connection, table: str) -> None:
    if conn.dialect.name != "postgresql":
        return
    t = _q(conn, table)
    conn.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {t}"))
    conn.execute(text(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY"))
    conn.execute(text(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY"))


def forbid_update_delete(conn: Connection, table: str) -> None:
    """A trigger that refuses UPDATE and DELETE on ``table`` for every role, the owner included."""
    if conn.dialect.name != "postgresql":
        return
    t = _q(conn, table)
    conn.execute(
        text(
            "CREATE OR REPLACE FUNCTION surety_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
    )
    trig = _q(conn, f"{table}_append_only")
    conn.execute(text(f"DROP TRIGGER IF EXISTS {trig} ON {t}"))
    conn.execute(
        text(f"CREATE TRIGGER {trig} BEFORE UPDATE OR DELETE OR TRUNCATE ON {t} "
             "FOR EACH STATEMENT EXECUTE FUNCTION surety_refuse_change()")
    )


def allow_update_delete(conn: Connection, table: str) -> None:
    """Undo :func:`forbid_update_delete` (migration downgrades)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(f"DROP TRIGGER IF EXISTS {_q(conn, f'{table}_append_only')} ON {_q(conn, table)}"))
    conn.execute(text("DROP FUNCTION IF EXISTS surety_refuse_change()"))


def grant_app_role(conn: Connection, role: str) -> None:
    """Grant ``role`` the privileges the running application needs, and no more."""
    if conn.dialect.name != "postgresql":
        return
    r = _q(conn, role)
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {r}"))
    conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}"))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}"))
    for table in APPEND_ONLY:
        exists = conn.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": f"public.{table}"}).scalar()
        if exists:
            conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {_q(conn, table)} FROM {r}"))
    if conn.execute(text("SELECT to_regclass('public.alembic_version') IS NOT NULL")).scalar():
        conn.execute(text(f"REVOKE ALL ON alembic_version FROM {r}"))


def rls_status(conn: Connection) -> dict[str, tuple[bool, bool]]:
    """``{table: (rls_enabled, rls_forced)}`` for every table in the public schema."""
    rows = conn.execute(
        text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
    )
    return {name: (bool(enabled), bool(forced)) for name, enabled, forced in rows}
