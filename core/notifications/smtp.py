"""Email delivery of notifications over SMTP, configured by ``SURETY_SMTP_*`` environment variables
(docs/notifications-email.md).

The channel is off unless ``SURETY_SMTP_HOST`` is set. ``send`` raises on any failure so the delivery is retried
later. Neither the password nor the recipient's address (personal data) is ever logged or put into an exception
message (the caller stores that message); only the notification id and kind are logged.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

import structlog

from surety.core.errors import ConfigurationError
from surety.core.hookspecs import NotificationChannel, OutgoingNotification

__all__ = [
    "EmailDeliveryError",
    "NoEmailAddress",
    "SmtpChannel",
    "SmtpConfig",
    "smtp_channel",
]

log = structlog.get_logger(__name__)

IMPLICIT_TLS_PORT = 465
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EmailDeliveryError(RuntimeError):
    """The mail server could not be reached or refused the message (retry later). The message names the failure
    (exception class, SMTP reply code), never the recipient's address."""


class NoEmailAddress(EmailDeliveryError):
    """The recipient has no email address: nothing was sent."""


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")


def _secret(environ: Mapping[str, str], name: str) -> str | None:
    if value := environ.get(name):
        return value
    if path := environ.get(f"{name}_FILE"):
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigurationError(f"{name}_FILE cannot be read: {type(exc).__name__}.") from None
    return None


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    from_addr: str
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0

    @property
    def implicit_tls(self) -> bool:
        """Port 465: TLS from the first byte (SMTPS)."""
        return self.port == IMPLICIT_TLS_PORT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SmtpConfig | None:
        """The configuration from ``SURETY_SMTP_*``; ``None`` when ``SURETY_SMTP_HOST`` is unset (channel off).
        Raises ConfigurationError for unusable settings."""
        host = (environ.get("SURETY_SMTP_HOST") or "").strip()
        if not host:
            return None
        raw_port = (environ.get("SURETY_SMTP_PORT") or "25").strip()
        try:
            port = int(raw_port)
        except ValueError:
            raise ConfigurationError(f"SURETY_SMTP_PORT must be a port number, not {raw_port!r}.") from None
        if not 0 < port < 65536:
            raise ConfigurationError(f"SURETY_SMTP_PORT must be between 1 and 65535, not {port}.")
        from_addr = (environ.get("SURETY_SMTP_FROM") or "").strip()
        if not from_addr:
            raise ConfigurationError("SURETY_SMTP_FROM is required when SURETY_SMTP_HOST is set "
                                     "(the sender address, e.g. 'Surety <noreply@example.com>').")
        if "@" not in parseaddr(from_addr)[1]:
            raise ConfigurationError(f"SURETY_SMTP_FROM is not an email address: {from_addr!r}.")
        username = (environ.get("SURETY_SMTP_USERNAME") or "").strip() or None
        password = _secret(environ, "SURETY_SMTP_PASSWORD")
        if username and not password:
            raise ConfigurationError("SURETY_SMTP_USERNAME is set without SURETY_SMTP_PASSWORD "
                                     "(or SURETY_SMTP_PASSWORD_FILE).")
        if password and not username:
            raise ConfigurationError("SURETY_SMTP_PASSWORD is set without SURETY_SMTP_USERNAME.")
        for name, value in (("SURETY_SMTP_USERNAME", username), ("SURETY_SMTP_PASSWORD", password)):
            if value and not value.isascii():
                raise ConfigurationError(f"{name} must be ASCII (Python's SMTP client sends credentials as ASCII).")
        starttls = _flag(environ, "SURETY_SMTP_STARTTLS", False)
        if starttls and port == IMPLICIT_TLS_PORT:
            raise ConfigurationError("SURETY_SMTP_STARTTLS cannot be used with port 465, which is TLS already.")
        raw_timeout = (environ.get("SURETY_SMTP_TIMEOUT") or "10").strip()
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise ConfigurationError(f"SURETY_SMTP_TIMEOUT must be a number of seconds, not {raw_timeout!r}.") \
                from None
        if not 0 < timeout <= 600:
            raise ConfigurationError("SURETY_SMTP_TIMEOUT must be more than 0 and at most 600 seconds.")
        return cls(host=host, from_addr=from_addr, port=port, username=username, password=password,
                   starttls=starttls, timeout=timeout)


class SmtpChannel:
    """Sends one notification as one email (a connection per message)."""

    def __init__(self, config: SmtpConfig):
        self.config = config

    def build_message(self, message: OutgoingNotification) -> EmailMessage:
        if not message.email or not message.email.strip():
            raise NoEmailAddress(f"The recipient {message.recipient_id} has no email address; notification "
                                 f"{message.notification_id} was not sent by email.")
        addr = message.email.strip()
        if "@" not in addr or any(c in addr for c in "\r\n<>,;\"") or " " in addr:
            raise EmailDeliveryError(f"The recipient {message.recipient_id} has an invalid email address.")
        email = EmailMessage()
        try:
            email["From"] = self.config.from_addr
            email["To"] = Address(display_name=(message.recipient_name or "").strip(), addr_spec=addr)
        except (ValueError, IndexError, TypeError):
            raise EmailDeliveryError(f"The recipient {message.recipient_id} has an invalid email address.") \
                from None
        email["Subject"] = " ".join((message.title or "").split())  # one line: no header injection
        email["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        domain = parseaddr(self.config.from_addr)[1].rpartition("@")[2] or None
        email["Message-ID"] = make_msgid(domain=domain)
        email["X-Surety-Notification"] = str(message.notification_id)
        email["X-Surety-Kind"] = message.kind
        email.set_content(message.body or "", charset="utf-8", cte="base64")
        return email

    def send(self, message: OutgoingNotification) -> None:
        """Send ``message`` to its recipient's email address. Raises NoEmailAddress when there is none, and
        EmailDeliveryError when the server cannot be reached or refuses (the caller retries later)."""
        email = self.build_message(message)
        cfg = self.config
        envelope_from = parseaddr(cfg.from_addr)[1]
        recipient = message.email.strip()
        try:
            if cfg.implicit_tls:
                client = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            with client:
                if cfg.starttls:
                    client.starttls(context=ssl.create_default_context())
                if cfg.username:
                    client.login(cfg.username, cfg.password or "")
                client.send_message(email, from_addr=envelope_from, to_addrs=[recipient])
        except smtplib.SMTPResponseException as exc:
            raise EmailDeliveryError(
                f"SMTP server refused notification {message.notification_id}: {type(exc).__name__} "
                f"(reply {exc.smtp_code})") from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise EmailDeliveryError(
                f"SMTP server refused the recipient of notification {message.notification_id} "
                f"(reply {', '.join(map(str, codes))})") from None
        except (smtplib.SMTPException, OSError, UnicodeError) as exc:  # OSError: refused, unreachable, timeout, TLS
            raise EmailDeliveryError(
                f"Email for notification {message.notification_id} not sent through "
                f"{cfg.host}:{cfg.port}: {type(exc).__name__}") from None
        log.info("notification_email_sent", notification_id=str(message.notification_id), kind=message.kind)

    def __repr__(self) -> str:
        return f"SmtpChannel({self.config.host}:{self.config.port})"


def smtp_channel(environ: Mapping[str, str] | None = None) -> NotificationChannel | None:
    """The ``email`` channel from the environment, or ``None`` when ``SURETY_SMTP_HOST`` is unset."""
    config = SmtpConfig.from_env(os.environ if environ is None else environ)
    if config is None:
        return None
    channel = SmtpChannel(config)
    security = "TLS" if config.implicit_tls else "STARTTLS" if config.starttls else "no TLS"
    return NotificationChannel(key="email", send=channel.send,
                               description=f"Email via SMTP server {config.host}:{config.port} ({security}).")
