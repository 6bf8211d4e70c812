"""The SMTP email channel against a real local SMTP server (aiosmtpd): Chinese text survives, authentication,
failures raise (so the delivery is retried) without leaking the address or the password, configuration checks."""

from __future__ import annotations

import email
import email.policy
import socket
import uuid

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from structlog.testing import capture_logs

from surety.core.errors import ConfigurationError
from surety.core.hookspecs import NotificationChannel, OutgoingNotification
from surety.core.notifications.smtp import (
    EmailDeliveryError,
    NoEmailAddress,
    SmtpChannel,
    SmtpConfig,
    smtp_channel,
)

USERNAME, PASSWORD = "surety-mailer", "s3cret-Pa55-word"
RECIPIENT = "zhang.san@example.cn"

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


class Collector:
    def __init__(self, refuse_rcpt: bool = False):
        self.envelopes = []
        self.refuse_rcpt = refuse_rcpt

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USERNAME.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 on failure


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(handler, **kwargs) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def server():
    handler = Collector()
    controller = start_server(handler)
    yield controller, handler
    controller.stop()


@pytest.fixture
def auth_server():
    handler = Collector()
    controller = start_server(handler, authenticator=authenticator, auth_require_tls=False, auth_required=True)
    yield controller, handler
    controller.stop()


def env_for(controller, **extra) -> dict[str, str]:
    return {"SURETY_SMTP_HOST": controller.hostname, "SURETY_SMTP_PORT": str(controller.port),
            "SURETY_SMTP_FROM": "担保系统 <noreply@surety.example.cn>", "SURETY_SMTP_TIMEOUT": "5", **extra}


def note(**kw) -> OutgoingNotification:
    values = dict(tenant_id=uuid.uuid4(), notification_id=uuid.uuid4(), kind="workflow.task_assigned",
                  title="待办：项目评审 — 北京某某科技有限公司",
                  body="您有一项新的审批任务。\n金额：5,000,000.00 元\n请及时处理。",
                  recipient_id=uuid.uuid4(), recipient_name="张三", email=RECIPIENT)
    values.update(kw)
    return OutgoingNotification(**values)


def parse(envelope):
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


def test_sends_chinese_subject_and_body(server):
    controller, handler = server
    channel = smtp_channel(env_for(controller))
    assert isinstance(channel, NotificationChannel) and channel.key == "email"
    message = note()
    channel.send(message)

    (envelope,) = handler.envelopes
    assert envelope.mail_from == "noreply@surety.example.cn"
    assert envelope.rcpt_tos == [RECIPIENT]
    received = parse(envelope)
    assert received["Subject"] == message.title
    assert received["From"].addresses[0].display_name == "担保系统"
    assert received["From"].addresses[0].addr_spec == "noreply@surety.example.cn"
    assert received["To"].addresses[0].display_name == "张三"
    assert received["To"].addresses[0].addr_spec == RECIPIENT
    assert received["X-Surety-Notification"] == str(message.notification_id)
    assert received["X-Surety-Kind"] == message.kind
    assert received["Message-ID"] and received["Date"]
    assert received.get_content_charset() == "utf-8"
    assert received.get_content().rstrip("\n") == message.body
    # On the wire, headers are ASCII (RFC 2047 encoded words)
    raw_headers = envelope.content.split(b"\r\n\r\n", 1)[0]
    raw_headers.decode("ascii")


def test_subject_is_one_line(server):
    controller, handler = server
    SmtpChannel(SmtpConfig.from_env(env_for(controller))).send(note(title="第一行\r\nBcc: evil@example.com"))
    received = parse(handler.envelopes[0])
    assert received["Subject"] == "第一行 Bcc: evil@example.com"
    assert received["Bcc"] is None
    assert handler.envelopes[0].rcpt_tos == [RECIPIENT]


def test_login_with_username_and_password(auth_server):
    controller, handler = auth_server
    channel = smtp_channel(env_for(controller, SURETY_SMTP_USERNAME=USERNAME, SURETY_SMTP_PASSWORD=PASSWORD))
    channel.send(note())
    assert len(handler.envelopes) == 1


def test_password_from_file(auth_server, tmp_path):
    controller, handler = auth_server
    secret = tmp_path / "smtp.password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    config = SmtpConfig.from_env(env_for(controller, SURETY_SMTP_USERNAME=USERNAME,
                                         SURETY_SMTP_PASSWORD_FILE=str(secret)))
    assert config.password == PASSWORD
    SmtpChannel(config).send(note())
    assert len(handler.envelopes) == 1


def test_wrong_password_raises_without_leaking(auth_server):
    controller, handler = auth_server
    channel = smtp_channel(env_for(controller, SURETY_SMTP_USERNAME=USERNAME, SURETY_SMTP_PASSWORD="wrong-password"))
    with capture_logs() as logs, \
            pytest.raises(EmailDeliveryError, match=r"SMTPAuthenticationError \(reply 535\)") as info:
        channel.send(note())
    assert "wrong-password" not in str(info.value) and RECIPIENT not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert handler.envelopes == [] and logs == []


def test_server_without_auth_but_credentials_configured_raises(server):
    controller, _ = server
    channel = smtp_channel(env_for(controller, SURETY_SMTP_USERNAME=USERNAME, SURETY_SMTP_PASSWORD=PASSWORD))
    with pytest.raises(EmailDeliveryError):
        channel.send(note())


def test_starttls_required_but_not_offered_raises(server):
    """With STARTTLS configured, a server that does not offer it gets nothing in clear text."""
    controller, handler = server
    channel = smtp_channel(env_for(controller, SURETY_SMTP_STARTTLS="true"))
    with pytest.raises(EmailDeliveryError, match="SMTPNotSupportedError"):
        channel.send(note())
    assert handler.envelopes == []


def test_refused_recipient_raises_without_the_address():
    handler = Collector(refuse_rcpt=True)
    controller = start_server(handler)
    try:
        with pytest.raises(EmailDeliveryError, match="reply 550") as info:
            smtp_channel(env_for(controller)).send(note())
    finally:
        controller.stop()
    assert RECIPIENT not in str(info.value)


def test_connection_refused_raises():
    port = free_port()  # nobody listens there any more
    channel = smtp_channel({"SURETY_SMTP_HOST": "127.0.0.1", "SURETY_SMTP_PORT": str(port),
                            "SURETY_SMTP_FROM": "noreply@example.com", "SURETY_SMTP_TIMEOUT": "2"})
    with pytest.raises(EmailDeliveryError, match="ConnectionRefusedError") as info:
        channel.send(note())
    assert f"127.0.0.1:{port}" in str(info.value)


@pytest.mark.parametrize("address", [None, "", "   "])
def test_recipient_without_email_is_refused(server, address):
    controller, handler = server
    message = note(email=address)
    with pytest.raises(NoEmailAddress, match="no email address") as info:
        smtp_channel(env_for(controller)).send(message)
    assert str(message.notification_id) in str(info.value)
    assert handler.envelopes == []


@pytest.mark.parametrize("address", ["not-an-address", "a@b.cn\r\nBcc: x@y.cn", "a@b.cn, c@d.cn", "a b@c.cn"])
def test_invalid_recipient_address_is_refused(server, address):
    controller, handler = server
    with pytest.raises(EmailDeliveryError, match="invalid email address") as info:
        smtp_channel(env_for(controller)).send(note(email=address))
    assert address not in str(info.value)
    assert handler.envelopes == []


def test_logs_id_and_kind_only(auth_server):
    controller, _ = auth_server
    message = note()
    with capture_logs() as logs:
        smtp_channel(env_for(controller, SURETY_SMTP_USERNAME=USERNAME, SURETY_SMTP_PASSWORD=PASSWORD)).send(message)
    assert logs == [{"event": "notification_email_sent", "log_level": "info",
                     "notification_id": str(message.notification_id), "kind": message.kind}]
    assert PASSWORD not in repr(logs) and RECIPIENT not in repr(logs)


# ---------------------------------------------------------------- configuration -------------------------------------


def test_no_host_no_channel():
    assert smtp_channel({}) is None
    assert smtp_channel({"SURETY_SMTP_HOST": "  ", "SURETY_SMTP_FROM": "a@b.cn"}) is None
    assert SmtpConfig.from_env({}) is None


def test_channel_from_process_environment(monkeypatch):
    for name in ("SURETY_SMTP_HOST", "SURETY_SMTP_PORT", "SURETY_SMTP_FROM"):
        monkeypatch.delenv(name, raising=False)
    assert smtp_channel() is None
    monkeypatch.setenv("SURETY_SMTP_HOST", "mail.example.cn")
    monkeypatch.setenv("SURETY_SMTP_FROM", "noreply@example.cn")
    channel = smtp_channel()
    assert channel.key == "email" and "mail.example.cn:25" in channel.description


def test_missing_from_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="SURETY_SMTP_FROM is required"):
        SmtpConfig.from_env({"SURETY_SMTP_HOST": "mail.example.cn"})
    with pytest.raises(ConfigurationError, match="SURETY_SMTP_FROM is required"):
        smtp_channel({"SURETY_SMTP_HOST": "mail.example.cn"})


def test_defaults():
    config = SmtpConfig.from_env({"SURETY_SMTP_HOST": "mail.example.cn", "SURETY_SMTP_FROM": "noreply@example.cn"})
    assert config == SmtpConfig(host="mail.example.cn", from_addr="noreply@example.cn", port=25, username=None,
                                password=None, starttls=False, timeout=10.0)
    assert not config.implicit_tls


def test_port_465_is_implicit_tls_and_password_not_in_repr():
    config = SmtpConfig.from_env({"SURETY_SMTP_HOST": "smtp.exmail.qq.com", "SURETY_SMTP_PORT": "465",
                                  "SURETY_SMTP_FROM": "noreply@example.cn", "SURETY_SMTP_USERNAME": "u",
                                  "SURETY_SMTP_PASSWORD": "hunter2-hunter2"})
    assert config.implicit_tls and config.port == 465
    assert "hunter2" not in repr(config)
    assert "(TLS)" in smtp_channel({"SURETY_SMTP_HOST": "h", "SURETY_SMTP_PORT": "465",
                                    "SURETY_SMTP_FROM": "a@b.cn"}).description


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("Yes", True), ("false", False),
                                                 ("0", False), ("off", False)])
def test_starttls_flag(value, expected):
    config = SmtpConfig.from_env({"SURETY_SMTP_HOST": "h", "SURETY_SMTP_FROM": "a@b.cn",
                                  "SURETY_SMTP_PORT": "587", "SURETY_SMTP_STARTTLS": value})
    assert config.starttls is expected


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"SURETY_SMTP_PORT": "smtp"}, "SURETY_SMTP_PORT must be a port number"),
        ({"SURETY_SMTP_PORT": "70000"}, "between 1 and 65535"),
        ({"SURETY_SMTP_STARTTLS": "maybe"}, "SURETY_SMTP_STARTTLS must be true or false"),
        ({"SURETY_SMTP_PORT": "465", "SURETY_SMTP_STARTTLS": "true"}, "cannot be used with port 465"),
        ({"SURETY_SMTP_TIMEOUT": "soon"}, "SURETY_SMTP_TIMEOUT must be a number"),
        ({"SURETY_SMTP_TIMEOUT": "0"}, "more than 0"),
        ({"SURETY_SMTP_USERNAME": "u"}, "without SURETY_SMTP_PASSWORD"),
        ({"SURETY_SMTP_PASSWORD": "p"}, "without SURETY_SMTP_USERNAME"),
        ({"SURETY_SMTP_USERNAME": "u", "SURETY_SMTP_PASSWORD_FILE": "/nonexistent/pw"}, "cannot be read"),
        ({"SURETY_SMTP_FROM": "just a name"}, "not an email address"),
        ({"SURETY_SMTP_USERNAME": "u", "SURETY_SMTP_PASSWORD": "密码"}, "SURETY_SMTP_PASSWORD must be ASCII"),
    ],
)
def test_bad_configuration(extra, message):
    environ = {"SURETY_SMTP_HOST": "mail.example.cn", "SURETY_SMTP_FROM": "noreply@example.cn", **extra}
    with pytest.raises(ConfigurationError, match=message):
        SmtpConfig.from_env(environ)
