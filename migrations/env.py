"""One Alembic environment for core and every plugin (each plugin has its own version folder and branch label)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from surety.core.crypto.fields import EncryptedString
from surety.core.db.base import Base
from surety.core.db.session import make_engine
from surety.core.plugins import load_all_models
from surety.core.settings import get_settings

config = context.config
load_all_models()
target_metadata = Base.metadata


def render_item(type_, obj, autogen_context):
    """Encrypted columns are plain text to the database: render them as ``sa.Text()`` in revisions."""

    if type_ == "type" and isinstance(obj, EncryptedString):
        return "sa.Text()"
    return False


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url

    return get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=_url().startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
