"""Signed checkpoints of each tenant's audit chain, kept outside the database.

A checkpoint records a tenant's chain at one moment: the last ``seq``, that record's ``hash``, the record count, the
time and the id of the audit key that signed it (HMAC-SHA256 with the tenant's checkpoint key, see
:mod:`surety.core.audit.keys`). Checkpoints are appended as JSON lines to ``<directory>/<tenant id>.jsonl``, the
directory being ``SURETY_AUDIT_CHECKPOINT_DIR`` (default ``var/audit-checkpoints``); copy it off the database host
(object storage with a retention lock). :func:`surety.core.audit.verify.verify_chain` checks the chain against every
checkpoint, so records removed from the end (with the head rewound), a deleted log, or a chain rewritten up to a
checkpoint are detected even by someone who owns the database.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from surety.core.audit.canonical import canonical_json, format_timestamp
from surety.core.audit.keys import AuditKeyUnavailable, active_key_id, checkpoint_key
from surety.core.db.types import utcnow
from surety.core.settings import get_settings

log = structlog.get_logger(__name__)

#: Version of the checkpoint line format.
FORMAT = 1
_FIELDS = ("v", "tenant_id", "seq", "hash", "count", "at", "key_id")


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint (``line``: its line number in the file, 0 before it is written)."""

    tenant_id: uuid.UUID
    seq: int
    hash: str
    count: int
    at: dt.datetime
    key_id: str
    line: int = field(default=0, compare=False)

    def document(self) -> dict:
        """The signed fields as plain JSON."""
        return {"v": FORMAT, "tenant_id": str(self.tenant_id), "seq": self.seq, "hash": self.hash,
                "count": self.count, "at": format_timestamp(self.at), "key_id": self.key_id}

    def signature(self) -> str:
        key = checkpoint_key(self.key_id, self.tenant_id)
        return hmac.digest(key, canonical_json(self.document()).encode("utf-8"), "sha256").hex()

    def describe(self) -> str:
        return f"the checkpoint of {format_timestamp(self.at)} (line {self.line}, record {self.seq})"


class CheckpointInvalid(Exception):
    """A checkpoint line does not parse or its signature does not match: forged, altered or signed with a key this
    process does not hold."""


class AuditChainBroken(Exception):
    """The chain did not verify, so no checkpoint was written; ``result`` is the :class:`VerifyResult`."""

    def __init__(self, result):
        super().__init__(result.reason)
        self.result = result


def checkpoint_dir(directory: str | os.PathLike | None = None) -> Path:
    """``directory``, or the configured checkpoint directory."""
    if directory is not None:
        return Path(directory)

    settings = get_settings()
    return settings.audit_checkpoint_dir or settings.var_dir / "audit-checkpoints"


def checkpoint_path(tenant_id: uuid.UUID, directory: str | os.PathLike | None = None) -> Path:
    return checkpoint_dir(directory) / f"{tenant_id}.jsonl"


def load_checkpoints(tenant_id: uuid.UUID, directory: str | os.PathLike | None = None) -> list[Checkpoint]:
    """Every checkpoint of ``tenant_id``, in file order; none when the file does not exist.

    :class:`CheckpointInvalid` names the first line that does not parse, belongs to another tenant or whose
    signature does not match.
    """
    path = checkpoint_path(tenant_id, directory)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return []
    out = []
    for n, raw in enumerate(text.splitlines(keepends=True), start=1):
        if not raw.strip():
            continue
        out.append(_parse(tenant_id, raw, n, path))
    return out


def _parse(tenant_id: uuid.UUID, raw: str, n: int, path: Path) -> Checkpoint:
    where = f"{path.name} line {n}"
    try:
        doc = json.loads(raw)
        if not raw.endswith("\n") or not isinstance(doc, dict) or set(doc) != {*_FIELDS, "sig"}:
            raise ValueError("unexpected fields")
        if doc["v"] != FORMAT:
            raise ValueError(f"format {doc['v']!r}")
        seq, count = doc["seq"], doc["count"]
        if not (isinstance(seq, int) and isinstance(count, int) and seq >= 0 and count >= 0):
            raise ValueError("seq and count must be whole numbers")
        at = dt.datetime.strptime(doc["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
        cp = Checkpoint(uuid.UUID(doc["tenant_id"]), seq, str(doc["hash"]), count, at, str(doc["key_id"]), line=n)
    except (ValueError, TypeError, KeyError) as exc:
        raise CheckpointInvalid(f"Checkpoint {where} is unreadable ({exc}).") from exc
    if cp.tenant_id != tenant_id:
        raise CheckpointInvalid(f"Checkpoint {where} belongs to another tenant.")
    try:
        good = hmac.compare_digest(cp.signature(), str(doc["sig"]))
    except AuditKeyUnavailable as exc:
        raise CheckpointInvalid(f"Checkpoint {where} cannot be checked: {exc}.") from exc
    if not good or cp.document() != {k: doc[k] for k in _FIELDS}:
        raise CheckpointInvalid(f"Checkpoint {where} has a bad signature: it was forged or altered.")
    return cp


def append_checkpoint(checkpoint: Checkpoint, directory: str | os.PathLike | None = None) -> Path:
    """Sign ``checkpoint`` with its key and append it to the tenant's file (one ``write`` of one line, fsynced)."""
    path = checkpoint_path(checkpoint.tenant_id, directory)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = canonical_json({**checkpoint.document(), "sig": checkpoint.signature()}) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def write_checkpoint(db, tenant_id: uuid.UUID, *, directory: str | os.PathLike | None = None,
                     now: dt.datetime | None = None) -> tuple[Checkpoint, bool]:
    """Check the chain from the latest checkpoint on (everything before it is pinned by that checkpoint's hash)
    and append a checkpoint of its committed end. Return the checkpoint and whether it is new: nothing is written
    when the chain has not moved since the latest one.

    :class:`AuditChainBroken` when the chain does not verify; :class:`CheckpointInvalid` when an existing
    checkpoint does not.
    """
    from surety.core.audit.verify import walk_chain  # noqa: PLC0415 - import cycle: verify reads checkpoints

    existing = load_checkpoints(tenant_id, directory)
    latest = max(existing, key=lambda cp: cp.seq, default=None)
    result = walk_chain(db, tenant_id, existing, start=latest)
    if not result.ok:
        raise AuditChainBroken(result)
    if latest is not None and result.checked == latest.seq:
        return latest, False
    checkpoint = Checkpoint(tenant_id, result.checked, result.last_hash, result.checked, now or utcnow(),
                            active_key_id())
    append_checkpoint(checkpoint, directory)
    return checkpoint, True


def checkpoint_tenant(db, tenant_id: uuid.UUID, *, directory: str | os.PathLike | None = None) -> tuple[bool, str]:
    """:func:`write_checkpoint` for the batch and the CLI: ``(ok, line)``, where a broken chain, an invalid
    checkpoint or an unwritable directory is a line (and an error log), never an exception."""
    try:
        checkpoint, written = write_checkpoint(db, tenant_id, directory=directory)
    except AuditChainBroken as exc:
        r = exc.result
        log.error("audit.checkpoint_refused", tenant_id=str(tenant_id), problem=r.problem, seq=r.broken_seq)
        return False, f"audit checkpoint refused: chain broken at record {r.broken_seq}: {r.reason}"
    except CheckpointInvalid as exc:
        log.error("audit.checkpoint_invalid", tenant_id=str(tenant_id))
        return False, f"audit checkpoint refused: {exc}"
    except OSError as exc:
        log.error("audit.checkpoint_unwritable", tenant_id=str(tenant_id), error=str(exc))
        return False, f"audit checkpoint not written: {exc}"
    if written:
        return True, f"audit checkpoint at record {checkpoint.seq}"
    return True, f"audit checkpoint unchanged at record {checkpoint.seq}"
