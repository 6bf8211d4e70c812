"""Where attachment bytes live: the :class:`AttachmentStorage` protocol, the default :class:`LocalStorage`, and the
choice of backend (``SURETY_ATTACHMENT_BACKEND``: ``local`` or a name from the ``surety_attachment_storages`` hook).

Keys are chosen by the service (``<2 hex>/<attachment uuid>``), never by the client; every backend keeps each
tenant's blobs apart by ``tenant_id``.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

from surety.core.errors import ConfigurationError
from surety.core.plugins import get_registry
from surety.core.settings import get_settings

LOCAL = "local"
#: A storage key: path segments of letters, digits, ``.``, ``_`` and ``-``, none starting with a dot.
_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,7}$")


@runtime_checkable
class AttachmentStorage(Protocol):
    """A blob store for attachments. Implementations must keep tenants apart (e.g. a prefix per tenant).

    * ``put`` stores ``data`` under ``key`` for the tenant, replacing what was there; it must not leave a partial
      object visible under ``key`` when it fails.
    * ``get`` returns the bytes; it raises ``FileNotFoundError`` when there is no object under ``key``.
    * ``delete`` removes the object; deleting a missing key is not an error.
    """

    def put(self, tenant_id: uuid.UUID, key: str, data: bytes) -> None: ...

    def get(self, tenant_id: uuid.UUID, key: str) -> bytes: ...

    def delete(self, tenant_id: uuid.UUID, key: str) -> None: ...


def check_key(key: str) -> str:
    """``key`` when it is a safe relative key (no ``..``, no absolute path, no hidden segment); ValueError else."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"unsafe attachment storage key {key!r}")
    return key


def _tenant_dir(tenant_id: uuid.UUID | str) -> str:
    return str(uuid.UUID(str(tenant_id)))  # canonical form; anything else raises ValueError


class LocalStorage:
    """Files under ``root/<tenant_id>/<key>`` (``root`` defaults to ``<SURETY_VAR_DIR>/attachments``).

    Writes go to a temporary file in the target folder, are flushed to disk, then renamed over the target
    (atomic on POSIX), so a reader never sees half a file and a crash leaves at most a ``.tmp-*`` file behind.
    """

    name = LOCAL

    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()

    def path(self, tenant_id: uuid.UUID, key: str) -> Path:
        base = (self.root / _tenant_dir(tenant_id)).resolve()
        target = (base / check_key(key)).resolve()
        if base not in target.parents:  # belt and braces: the key check already refuses traversal
            raise ValueError(f"attachment storage key {key!r} escapes the tenant folder")
        return target

    def put(self, tenant_id: uuid.UUID, key: str, data: bytes) -> None:
        target = self.path(tenant_id, key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def get(self, tenant_id: uuid.UUID, key: str) -> bytes:
        return self.path(tenant_id, key).read_bytes()

    def delete(self, tenant_id: uuid.UUID, key: str) -> None:
        try:
            self.path(tenant_id, key).unlink()
        except FileNotFoundError:
            pass

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"


def backend_factories() -> dict[str, Callable[[], AttachmentStorage]]:
    """Every storage backend by name: ``local`` plus those of the ``surety_attachment_storages`` hook."""

    factories: dict[str, Callable[[], AttachmentStorage]] = {}
    for result in get_registry().hook.surety_attachment_storages():
        if not isinstance(result, Mapping):
            continue
        for name, factory in result.items():
            factories.setdefault(str(name), factory)
    factories[LOCAL] = lambda: LocalStorage(get_settings().var_dir / "attachments")
    return factories


def default_backend() -> str:
    """The backend new uploads go to: ``SURETY_ATTACHMENT_BACKEND`` (``local`` unless set)."""

    return get_settings().attachment_backend


def get_storage(name: str | None = None) -> AttachmentStorage:
    """The storage backend ``name`` (default: :func:`default_backend`). The factory is called on each use, so a
    backend with an expensive client should cache it itself. An unknown name is a ConfigurationError listing the
    installed backends."""
    name = name or default_backend()
    factories = backend_factories()
    factory = factories.get(name)
    if factory is None:
        raise ConfigurationError(
            f"Unknown attachment storage backend {name!r} (SURETY_ATTACHMENT_BACKEND). "
            f"Installed: {', '.join(sorted(factories))}."
        )
    storage = factory()
    for method in ("put", "get", "delete"):
        if not callable(getattr(storage, method, None)):
            raise ConfigurationError(f"Attachment storage backend {name!r} has no {method}() method.")
    return storage
