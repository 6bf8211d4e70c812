"""Settings from environment variables, with safe development defaults.

Development keys are generated into ``var/keys/`` on first run (with a warning); production mode refuses to start
without configured keys.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import limits
from limits.storage import SCHEMES
from limits.strategies import STRATEGIES

from surety.core.errors import ConfigurationError

#: The ``surety`` package folder: the repository root in a checkout (editable install), ``site-packages/surety``
#: when installed from the wheel. Code finds its own files from here (migrations, the SDL).
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
#: The source checkout (the package folder holding pyproject.toml), or None when running from an installed wheel.
REPO_ROOT: Path | None = PACKAGE_ROOT if (PACKAGE_ROOT / "pyproject.toml").is_file() else None
ENVIRONMENTS = ("development", "test", "production")


def default_var_dir() -> Path:
    """``var/`` of the checkout; installed, ``var/`` under the working directory (never inside site-packages).
    Deployments set ``SURETY_VAR_DIR``."""
    return (REPO_ROOT if REPO_ROOT is not None else Path.cwd()) / "var"


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    var_dir: Path = field(default_factory=default_var_dir)
    database_url: str = ""
    #: Connection used by the running application. On PostgreSQL it must be a role that owns no table and has no
    #: BYPASSRLS, so row-level security applies. Defaults to ``database_url``.
    app_database_url: str = ""
    kek: bytes = b""
    kek_id: str = "dev"
    jwt_secret: str = ""
    access_token_minutes: int = 15
    refresh_token_days: int = 14
    password_min_length: int = 10
    #: Failed logins at one account from one client address that lock that pair for ``lockout_minutes``
    #: (core/identity/ratelimit.py; docs/identity.md).
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    #: Where login and token rate limits count: ``memory://`` (per process) or ``redis://host:6379/0`` (shared).
    rate_limit_storage: str = "memory://"
    rate_limit_strategy: str = "moving-window"
    #: Attempts at one account from addresses it has not logged in from, across all of them (``limits`` notation).
    rate_limit_login_account: str = "10 per minute"
    #: Failed logins from one address across all accounts (password spraying).
    rate_limit_login_address: str = "30 per 10 minutes"
    #: Refused refresh tokens and API keys from one address.
    rate_limit_token_address: str = "30 per minute"
    #: An address an account logged in from is exempt from that account's throttle for this many days.
    known_address_days: int = 30
    max_query_depth: int = 12
    max_query_tokens: int = 2000
    max_aliases: int = 30
    max_body_bytes: int = 1_000_000
    #: The application's connection pool per worker process (PostgreSQL): kept connections, extra ones on demand,
    #: and how long a checkout may wait before failing (a backstop; the admission gate keeps it from waiting).
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_pool_timeout: float = 10.0
    #: Requests one worker runs at once (0: 2), never more than its pool serves (core/admission.py). Beyond it up to
    #: ``request_queue`` requests wait (0: 16) for at most ``request_queue_seconds``, the rest get 503.
    max_concurrent_requests: int = 0
    request_queue: int = 0
    request_queue_seconds: float = 2.0
    #: Attachment storage backend: ``local`` (files under ``var_dir/attachments``) or a name from the
    #: ``surety_attachment_storages`` hook (docs/attachments.md).
    attachment_backend: str = "local"
    #: Largest attachment accepted, in bytes (the upload route's body limit follows it).
    attachment_max_bytes: int = 20 * 1024 * 1024
    log_json: bool = False
    log_level: str = "INFO"
    smtp: dict = field(default_factory=dict)
    #: HMAC key of the audit chain and its checkpoints (docs/audit.md), with its id, and the retired keys older
    #: records and checkpoints still name (id -> key).
    audit_key: bytes = b""
    audit_key_id: str = "dev"
    audit_retired_keys: dict = field(default_factory=dict)
    #: Where ``surety audit checkpoint`` and the day-end batch write the signed chain checkpoints (outside the
    #: database); ``None`` means ``var_dir/audit-checkpoints``.
    audit_checkpoint_dir: Path | None = None

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def development(self) -> bool:
        return self.env == "development"


def _read_secret(env_vars, name: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    if value := env_vars.get(name):
        return value.strip()
    if path := env_vars.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return None


def _dev_secret(var_dir: Path, filename: str, make) -> str:
    path = var_dir / "keys" / filename
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    warnings.warn(
        f"Generated a development key at {path}. Never use development keys in production.", stacklevel=3
    )
    return value


def _number(env_vars, name: str, default, kind, minimum, what: str):
    raw = env_vars.get(name)
    if raw is None or not str(raw).strip():
        return default
    try:
        value = kind(str(raw).strip())
    except ValueError:
        value = None
    if value is None or value != value or value < minimum or value == float("inf"):
        raise ConfigurationError(f"{name} must be {what}, not {raw!r}.")
    return value


def _positive_int(env_vars, name: str, default: int) -> int:
    return _number(env_vars, name, default, int, 1, "a positive whole number")


def _non_negative_int(env_vars, name: str, default: int) -> int:
    return _number(env_vars, name, default, int, 0, "a whole number, 0 or more")


def _positive_float(env_vars, name: str, default: float) -> float:
    return _number(env_vars, name, default, float, 1e-3, "a positive number of seconds")


_AUDIT_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


def _key32(name: str, b64: str) -> bytes:
    try:
        key = base64.b64decode(b64, validate=True)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be base64 of 32 random bytes.") from exc
    if len(key) != 32:
        raise ConfigurationError(f"{name} must decode to exactly 32 bytes.")
    return key


def _audit_key_id(name: str, value: str) -> str:
    """An audit key id: 1-32 letters, digits, ``.``, ``_`` or ``-`` (the empty id marks unkeyed legacy records)."""
    if not _AUDIT_KEY_ID.fullmatch(value):
        raise ConfigurationError(f"{name} must be 1-32 letters, digits, '.', '_' or '-', not {value!r}.")
    return value


def _audit_retired_keys(raw: str, active_id: str) -> dict[str, bytes]:
    """``SURETY_AUDIT_RETIRED_KEYS``: ``id:base64`` pairs separated by commas or whitespace."""
    keys: dict[str, bytes] = {}
    for item in raw.replace(",", " ").split():
        key_id, sep, b64 = item.partition(":")
        if not sep:
            raise ConfigurationError("SURETY_AUDIT_RETIRED_KEYS holds id:base64 pairs separated by commas.")
        key_id = _audit_key_id("A retired audit key id", key_id)
        if key_id == active_id or key_id in keys:
            raise ConfigurationError(f"Audit key id {key_id!r} is given twice.")
        keys[key_id] = _key32(f"Retired audit key {key_id!r}", b64)
    return keys


def _rate_limits(env_vars) -> dict:
    """The ``SURETY_RATE_LIMIT_*`` settings, checked with the ``limits`` library (a typo refuses to start)."""
    days = str(env_vars.get("SURETY_LOGIN_KNOWN_ADDRESS_DAYS") or "30").strip()
    if not days.isdigit() or int(days) == 0:
        raise ConfigurationError(f"SURETY_LOGIN_KNOWN_ADDRESS_DAYS must be a positive whole number, not {days!r}.")
    out = {"known_address_days": int(days)}
    for name, default in (("account", "10 per minute"), ("address", "30 per 10 minutes")):
        out[f"rate_limit_login_{name}"] = env_vars.get(f"SURETY_RATE_LIMIT_LOGIN_{name.upper()}") or default
    out["rate_limit_token_address"] = env_vars.get("SURETY_RATE_LIMIT_TOKEN_ADDRESS") or "30 per minute"
    for key, value in out.items():
        if key.startswith("rate_limit_"):
            try:
                limits.parse(value)
            except ValueError as exc:
                raise ConfigurationError(f"SURETY_{key.upper()} must read like '5 per minute', not {value!r}.") from exc
    out["rate_limit_storage"] = env_vars.get("SURETY_RATE_LIMIT_STORAGE") or "memory://"
    scheme = out["rate_limit_storage"].partition("://")[0]
    if scheme not in SCHEMES or scheme.startswith("async+"):
        raise ConfigurationError("SURETY_RATE_LIMIT_STORAGE must be a storage URI such as memory:// or "
                                 f"redis://127.0.0.1:6379/0, not {out['rate_limit_storage']!r}.")
    out["rate_limit_strategy"] = env_vars.get("SURETY_RATE_LIMIT_STRATEGY") or "moving-window"
    if out["rate_limit_strategy"] not in STRATEGIES:
        raise ConfigurationError(f"SURETY_RATE_LIMIT_STRATEGY must be one of {', '.join(sorted(STRATEGIES))}.")
    return out


def load_settings(environ: dict | None = None) -> Settings:
    env_vars = os.environ if environ is None else environ
    env = env_vars.get("SURETY_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigurationError(f"SURETY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    var_dir = Path(env_vars.get("SURETY_VAR_DIR") or default_var_dir())
    database_url = env_vars.get("SURETY_DATABASE_URL") or f"sqlite:///{var_dir / 'surety.db'}"
    app_database_url = env_vars.get("SURETY_APP_DATABASE_URL") or database_url

    kek_b64 = _read_secret(env_vars, "SURETY_KEK")
    jwt_secret = _read_secret(env_vars, "SURETY_JWT_SECRET")
    audit_key_b64 = _read_secret(env_vars, "SURETY_AUDIT_KEY")

    if env == "production":
        missing = [n for n, v in (("SURETY_KEK", kek_b64), ("SURETY_JWT_SECRET", jwt_secret),
                                  ("SURETY_AUDIT_KEY", audit_key_b64)) if not v]
        if missing:
            raise ConfigurationError(
                "Production mode refuses to start without configured keys: set "
                + ", ".join(f"{n} (or {n}_FILE)" for n in missing)
                + "."
            )
    else:
        var_dir.mkdir(parents=True, exist_ok=True)
        kek_b64 = kek_b64 or _dev_secret(var_dir, "kek.b64", lambda: base64.b64encode(secrets.token_bytes(32)).decode())
        jwt_secret = jwt_secret or _dev_secret(var_dir, "jwt.secret", lambda: secrets.token_urlsafe(48))
        audit_key_b64 = audit_key_b64 or _dev_secret(var_dir, "audit.key.b64",
                                                     lambda: base64.b64encode(secrets.token_bytes(32)).decode())

    try:
        kek = base64.b64decode(kek_b64, validate=True)
    except ValueError as exc:
        raise ConfigurationError("SURETY_KEK must be base64 of 32 random bytes.") from exc
    if len(kek) != 32:
        raise ConfigurationError("SURETY_KEK must decode to exactly 32 bytes (AES-256).")
    if len(jwt_secret) < 32:
        raise ConfigurationError("SURETY_JWT_SECRET must be at least 32 characters.")
    audit_key_id = _audit_key_id("SURETY_AUDIT_KEY_ID",
                                 env_vars.get("SURETY_AUDIT_KEY_ID", "dev" if env != "production" else "a1").strip())
    audit_key = _key32("SURETY_AUDIT_KEY", audit_key_b64)
    audit_retired_keys = _audit_retired_keys(_read_secret(env_vars, "SURETY_AUDIT_RETIRED_KEYS") or "",
                                             audit_key_id)

    return Settings(
        env=env,
        var_dir=var_dir,
        database_url=database_url,
        app_database_url=app_database_url,
        kek=kek,
        kek_id=env_vars.get("SURETY_KEK_ID", "dev" if env != "production" else "k1"),
        jwt_secret=jwt_secret,
        access_token_minutes=int(env_vars.get("SURETY_ACCESS_TOKEN_MINUTES", 15)),
        refresh_token_days=int(env_vars.get("SURETY_REFRESH_TOKEN_DAYS", 14)),
        lockout_threshold=int(env_vars.get("SURETY_LOCKOUT_THRESHOLD", 5)),
        lockout_minutes=int(env_vars.get("SURETY_LOCKOUT_MINUTES", 15)),
        **_rate_limits(env_vars),
        max_body_bytes=int(env_vars.get("SURETY_MAX_BODY_BYTES", 1_000_000)),
        db_pool_size=_positive_int(env_vars, "SURETY_DB_POOL_SIZE", 10),
        db_max_overflow=_non_negative_int(env_vars, "SURETY_DB_MAX_OVERFLOW", 20),
        db_pool_timeout=_positive_float(env_vars, "SURETY_DB_POOL_TIMEOUT", 10.0),
        max_concurrent_requests=_non_negative_int(env_vars, "SURETY_MAX_CONCURRENT_REQUESTS", 0),
        request_queue=_non_negative_int(env_vars, "SURETY_REQUEST_QUEUE", 0),
        request_queue_seconds=_positive_float(env_vars, "SURETY_REQUEST_QUEUE_SECONDS", 2.0),
        attachment_backend=env_vars.get("SURETY_ATTACHMENT_BACKEND", "").strip() or "local",
        attachment_max_bytes=_positive_int(env_vars, "SURETY_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024),
        log_json=env_vars.get("SURETY_LOG_JSON", "1" if env == "production" else "0") == "1",
        log_level=env_vars.get("SURETY_LOG_LEVEL", "INFO"),
        smtp={k[len("SURETY_SMTP_"):].lower(): v for k, v in env_vars.items() if k.startswith("SURETY_SMTP_")},
        audit_key=audit_key,
        audit_key_id=audit_key_id,
        audit_retired_keys=audit_retired_keys,
        audit_checkpoint_dir=Path(env_vars.get("SURETY_AUDIT_CHECKPOINT_DIR") or var_dir / "audit-checkpoints"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
