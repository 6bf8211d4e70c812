"""Storage backends: the local one (per tenant, safe keys, atomic writes), one supplied through the
``surety_attachment_storages`` hook and chosen by SURETY_ATTACHMENT_BACKEND, and the attachment settings."""

from __future__ import annotations

import os
import uuid

import pytest

from surety.core.attachments import service
from surety.core.attachments.storage import AttachmentStorage, LocalStorage, get_storage
from surety.core.errors import ConfigurationError
from surety.core.hookspecs import PluginManifest
from surety.core.plugins import PluginRegistry, build_plugin_manager, hookimpl, reset_registry
from surety.core.settings import get_settings, load_settings

T1, T2 = uuid.uuid4(), uuid.uuid4()


def test_local_storage_keeps_tenants_apart_and_refuses_unsafe_keys(tmp_path):
    store = LocalStorage(tmp_path)
    assert isinstance(store, AttachmentStorage)
    store.put(T1, "ab/one", b"first")
    store.put(T2, "ab/one", b"second")
    assert store.get(T1, "ab/one") == b"first" and store.get(T2, "ab/one") == b"second"
    assert (tmp_path / str(T1) / "ab" / "one").read_bytes() == b"first"
    store.put(T1, "ab/one", b"replaced")
    assert store.get(T1, "ab/one") == b"replaced"
    assert sorted(p.name for p in (tmp_path / str(T1) / "ab").iterdir()) == ["one"]  # no temporary file left
    store.delete(T1, "ab/one")
    store.delete(T1, "ab/one")  # deleting a missing key is not an error
    with pytest.raises(FileNotFoundError):
        store.get(T1, "ab/one")
    assert store.get(T2, "ab/one") == b"second"

    for bad in ("../x", "ab/../../x", "/etc/passwd", ".hidden", "ab/.tmp-1", "a b", "", "ab//c", "a\\b"):
        with pytest.raises(ValueError):
            store.put(T1, bad, b"x")
    with pytest.raises(ValueError):
        store.get("../other", "ab/one")
    assert not (tmp_path / "x").exists() and not (tmp_path.parent / "x").exists()


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    store = LocalStorage(tmp_path)

    def broken_replace(*_a):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.put(T1, "ab/one", b"data")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


class MemoryStorage:
    """A blob store in a dict, standing in for an S3-compatible backend."""

    def __init__(self):
        self.objects: dict[tuple[uuid.UUID, str], bytes] = {}

    def put(self, tenant_id, key, data):
        self.objects[(tenant_id, key)] = bytes(data)

    def get(self, tenant_id, key):
        try:
            return self.objects[(tenant_id, key)]
        except KeyError:
            raise FileNotFoundError(key) from None

    def delete(self, tenant_id, key):
        self.objects.pop((tenant_id, key), None)


class MemoryStoragePlugin:
    def __init__(self):
        self.store = MemoryStorage()

    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key="memstore", version="1")

    @hookimpl
    def surety_attachment_storages(self):
        return {"memory": lambda: self.store}


@pytest.fixture
def memory_backend(monkeypatch):
    plugin = MemoryStoragePlugin()
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("memstore", plugin)])))
    monkeypatch.setenv("SURETY_ATTACHMENT_BACKEND", "memory")
    get_settings.cache_clear()
    yield plugin.store
    monkeypatch.delenv("SURETY_ATTACHMENT_BACKEND")
    get_settings.cache_clear()
    reset_registry(None)


def test_backend_from_the_hook_is_used_when_the_setting_names_it(team, sample, memory_backend):
    assert get_settings().attachment_backend == "memory"
    png = sample("png")
    clerk = team.actor("clerk")
    with team.session() as s:
        row = service.upload(s, clerk, "test:document", "c-1", "scan.png", png)
    assert row.storage_backend == "memory"
    assert memory_backend.objects == {(team.tenant_id, row.storage_key): png}
    assert team.blobs() == []  # nothing on local disk
    with team.session() as s:
        assert service.download(s, clerk, row.id)[1] == png

    with pytest.raises(RuntimeError):  # orphan cleanup goes through the same backend
        with team.session() as s:
            service.upload(s, clerk, "test:document", "c-1", "more.pdf", sample("pdf"))
            assert len(memory_backend.objects) == 2
            raise RuntimeError("rollback")
    assert list(memory_backend.objects) == [(team.tenant_id, row.storage_key)]


def test_rows_remember_their_backend(team, sample, memory_backend, monkeypatch):
    clerk = team.actor("clerk")
    with team.session() as s:
        in_memory = service.upload(s, clerk, "test:document", "c-1", "a.png", sample("png"))
    monkeypatch.setenv("SURETY_ATTACHMENT_BACKEND", "local")
    get_settings.cache_clear()
    with team.session() as s:
        on_disk = service.upload(s, clerk, "test:document", "c-1", "b.pdf", sample("pdf"))
        assert on_disk.storage_backend == "local"
        # Switching the default backend keeps older files readable from where they were written.
        assert service.download(s, clerk, in_memory.id)[1] == sample("png")
        assert service.download(s, clerk, on_disk.id)[1] == sample("pdf")
    assert len(team.blobs()) == 1 and len(memory_backend.objects) == 1


def test_unknown_backend_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match=r"Unknown attachment storage backend 's3'.*Installed: local"):
        get_storage("s3")
    assert isinstance(get_storage(), LocalStorage)
    assert get_storage().root == (get_settings().var_dir / "attachments").resolve()


def test_attachment_settings(tmp_path):
    base = {"SURETY_VAR_DIR": str(tmp_path), "SURETY_KEK": "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=",
            "SURETY_JWT_SECRET": "s" * 40, "SURETY_AUDIT_KEY": "YXVkaXRhdWRpdGF1ZGl0YXVkaXRhdWRpdGF1ZGl0YXU="}
    s = load_settings(base)
    assert s.attachment_backend == "local" and s.attachment_max_bytes == 20 * 1024 * 1024
    s = load_settings({**base, "SURETY_ATTACHMENT_BACKEND": "s3", "SURETY_ATTACHMENT_MAX_BYTES": "5242880"})
    assert s.attachment_backend == "s3" and s.attachment_max_bytes == 5 * 1024 * 1024
    for bad in ("0", "-1", "20MB"):
        with pytest.raises(ConfigurationError, match="SURETY_ATTACHMENT_MAX_BYTES must be a positive"):
            load_settings({**base, "SURETY_ATTACHMENT_MAX_BYTES": bad})
