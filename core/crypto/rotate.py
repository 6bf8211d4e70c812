"""Data-key rotation and KEK rewrapping.

:func:`rotate_tenant_keys` adds a new data-key version (it becomes the one new ciphertexts use), re-encrypts every
``EncryptedString`` column of the tenant's rows in batches, each batch its own transaction (no downtime: old and new
versions both decrypt meanwhile), then marks the older versions retired. Rows already on the new version are
skipped, so an interrupted rotation resumes where it stopped when run again (it reuses the pending version).
Retired keys still decrypt (a process with a stale keyring may write one for up to the keyring TTL);
:func:`purge_retired_keys` deletes them once no row uses them. Re-encryption is an ORM update, so ``onupdate``
column defaults of those rows fire.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from sqlalchemy import MetaData, Table, Text, and_, delete, func, or_, select, type_coerce
from sqlalchemy.orm import Mapper
from sqlalchemy.orm import registry as Registry
from sqlalchemy.orm.attributes import flag_modified

from surety.core.crypto.envelope import add_kek, kek_for, unwrap_key, wrap_key
from surety.core.crypto.errors import CryptoError, KeyUnavailable
from surety.core.crypto.fields import FORMAT, EncryptedString
from surety.core.crypto.keyring import STATUS_ACTIVE, STATUS_RETIRED, keyring
from surety.core.crypto.keys import add_key
from surety.core.crypto.models import KEY_DATA, TenantKey
from surety.core.db.base import Base
from surety.core.db.session import Database
from surety.core.plugins import load_all_models

Progress = Callable[[int, int], None]


def encrypted_columns(metadata: MetaData | None = None) -> dict[str, list[str]]:
    """``{table: [column, ...]}`` of every EncryptedString column (default: ``Base.metadata``, all models loaded)."""
    if metadata is None:
        load_all_models()
        metadata = Base.metadata
    out = {}
    for table in metadata.sorted_tables:
        cols = [c.name for c in table.columns if isinstance(c.type, EncryptedString)]
        if cols:
            out[table.name] = cols
    return out


def _owns_table(mapper: Mapper) -> bool:
    return isinstance(mapper.local_table, Table) and (
        mapper.inherits is None or mapper.inherits.local_table is not mapper.local_table
    )


def encrypted_models(registry: Registry | None = None) -> list[type]:
    """Mapped classes whose own table has EncryptedString columns (default: every model on ``Base``)."""

    tables = encrypted_columns(None if registry is None else registry.metadata)
    registry = registry or Base.registry
    found = [m.class_ for m in registry.mappers if _owns_table(m) and m.local_table.name in tables]
    return sorted(found, key=lambda cls: cls.__table__.name)


def _encrypted_attrs(model: type) -> list[str]:
    mapper: Mapper = model.__mapper__
    return [mapper.get_property_by_column(c).key for c in mapper.local_table.columns
            if isinstance(c.type, EncryptedString)]


def _not_on(model: type, attrs: list[str], prefix: str):
    """Rows with an encrypted value not made with the key version of ``prefix``."""
    raws = [type_coerce(getattr(model, a), Text) for a in attrs]
    return or_(*[and_(raw.is_not(None), ~raw.startswith(prefix, autoescape=True)) for raw in raws])


def _data_keys(session) -> list[TenantKey]:
    return list(session.scalars(select(TenantKey).where(TenantKey.purpose == KEY_DATA)))


def _start_rotation(db: Database, tenant_id: uuid.UUID) -> int:
    """The version to rotate to: the pending one of an interrupted rotation, or a new one."""
    with db.tenant_session(tenant_id) as s:
        rows = _data_keys(s)
        active = [r.version for r in rows if r.status == STATUS_ACTIVE]
        if not active:
            raise KeyUnavailable(f"tenant {tenant_id} has no active data key to rotate")
        if len(active) > 1:
            return max(active)
        target = max(r.version for r in rows) + 1
        add_key(s, KEY_DATA, target)
    return target


def count_stale_rows(db: Database, tenant_id: uuid.UUID, version: int, models: Iterable[type]) -> int:
    """Rows of ``tenant_id`` with an encrypted value not on data-key ``version``."""
    prefix = f"{FORMAT}.{version}."
    total = 0
    with db.tenant_session(tenant_id) as s:
        for model in models:
            total += s.scalar(select(func.count()).select_from(model).where(
                _not_on(model, _encrypted_attrs(model), prefix)))
    return total


def rotate_tenant_keys(
    db: Database,
    tenant_id: uuid.UUID,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
    models: Iterable[type] | None = None,
) -> int:
    """Rotate the tenant's data key and re-encrypt its rows; returns the number of rows re-encrypted.

    ``models`` defaults to :func:`encrypted_models`; ``progress(done, total)`` is called after each batch.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    models = encrypted_models() if models is None else list(models)
    target = _start_rotation(db, tenant_id)
    keyring.invalidate(tenant_id)
    prefix = f"{FORMAT}.{target}."
    total = count_stale_rows(db, tenant_id, target, models)
    done = 0
    for model in models:
        attrs = _encrypted_attrs(model)
        last_id = None
        while True:
            with db.tenant_session(tenant_id) as s:
                query = select(model).where(_not_on(model, attrs, prefix)).order_by(model.id).limit(batch_size)
                if last_id is not None:
                    query = query.where(model.id > last_id)
                rows = list(s.scalars(query))
                if not rows:
                    break
                for row in rows:  # loading decrypted with the old version; the flush encrypts with the new one
                    for attr in attrs:
                        if getattr(row, attr) is not None:
                            flag_modified(row, attr)
                last_id = rows[-1].id
            done += len(rows)
            if progress is not None:
                progress(done, max(total, done))
    with db.tenant_session(tenant_id) as s:
        for row in _data_keys(s):
            if row.version != target and row.status == STATUS_ACTIVE:
                row.status = STATUS_RETIRED
    keyring.invalidate(tenant_id)
    return done


def purge_retired_keys(db: Database, tenant_id: uuid.UUID, *, models: Iterable[type] | None = None) -> int:
    """Delete the tenant's retired data keys once no row uses them; returns keys deleted."""
    models = encrypted_models() if models is None else list(models)
    with db.tenant_session(tenant_id) as s:
        active = [r.version for r in _data_keys(s) if r.status == STATUS_ACTIVE]
    if len(active) != 1:
        raise CryptoError(f"tenant {tenant_id} has a rotation in progress or no data key; finish rotating first")
    stale = count_stale_rows(db, tenant_id, active[0], models)
    if stale:
        raise CryptoError(f"{stale} rows of tenant {tenant_id} still use retired keys; rotate again first")
    with db.tenant_session(tenant_id) as s:
        count = s.execute(delete(TenantKey).where(TenantKey.purpose == KEY_DATA,
                                                  TenantKey.status == STATUS_RETIRED)).rowcount
    keyring.invalidate(tenant_id)
    return count


def rewrap_tenant_keys(db: Database, tenant_id: uuid.UUID, new_kek: bytes, new_kek_id: str) -> int:
    """Re-wrap every key of the tenant with a new KEK (KEK rotation); returns keys rewrapped. The new KEK is made
    known to this process; configure it (``SURETY_KEK``/``SURETY_KEK_ID``) before other processes restart."""
    add_kek(new_kek_id, new_kek)
    count = 0
    with db.tenant_session(tenant_id) as s:
        for row in s.scalars(select(TenantKey)):
            if row.kek_id == new_kek_id:
                continue
            meta = {"tenant_id": tenant_id, "purpose": row.purpose, "version": row.version}
            key = unwrap_key(kek_for(row.kek_id), row.wrapped_key, **meta)
            row.wrapped_key = wrap_key(new_kek, key, **meta)
            row.kek_id = new_kek_id
            count += 1
    keyring.invalidate(tenant_id)
    return count
