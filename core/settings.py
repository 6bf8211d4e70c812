"""Settings from environment variables, with safe development defaults.

Development keys are generated into ``var/keys/`` on first run (with a warning); production mode refuses to start
without configured keys.
"""

from __future__ import annotations

import base64
import os
import secrets
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    max_query_depth: int = 12
    max_query_tokens: int = 2000
    max_aliases: int = 30
    max_body_bytes: int = 1_000_000
    #: Attachment storage backend: ``local`` (files under ``var_dir/attachments``) or a name from the
    #: ``surety_attachment_storages`` hook (docs/attachments.md).
    attachment_backend: str = "local"
    #: Largest attachment accepted, in bytes (the upload route's body limit follows it).
    attachment_max_bytes: int = 20 * 1024 * 1024
    log_json: bool = False
    log_level: str = "INFO"
    smtp: dict = field(default_factory=dict)

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


def _positive_int(env_vars, name: str, default: int) -> int:
    raw = env_vars.get(name)
    if raw is None or not str(raw).strip():
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigurationError(f"{name} must be a positive whole number of bytes, not {raw!r}.")
    return value


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

    if env == "production":
        missing = [n for n, v in (("SURETY_KEK", kek_b64), ("SURETY_JWT_SECRET", jwt_secret)) if not v]
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

    try:
        kek = base64.b64decode(kek_b64, validate=True)
    except ValueError as exc:
        raise ConfigurationError("SURETY_KEK must be base64 of 32 random bytes.") from exc
    if len(kek) != 32:
        raise ConfigurationError("SURETY_KEK must decode to exactly 32 bytes (AES-256).")
    if len(jwt_secret) < 32:
        raise ConfigurationError("SURETY_JWT_SECRET must be at least 32 characters.")

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
        max_body_bytes=int(env_vars.get("SURETY_MAX_BODY_BYTES", 1_000_000)),
        attachment_backend=env_vars.get("SURETY_ATTACHMENT_BACKEND", "").strip() or "local",
        attachment_max_bytes=_positive_int(env_vars, "SURETY_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024),
        log_json=env_vars.get("SURETY_LOG_JSON", "1" if env == "production" else "0") == "1",
        log_level=env_vars.get("SURETY_LOG_LEVEL", "INFO"),
        smtp={k[len("SURETY_SMTP_"):].lower(): v for k, v in env_vars.items() if k.startswith("SURETY_SMTP_")},
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
