"""The in-app inbox (read/unread per user) and delivery through channels, with retries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surety.core.errors import NotFound
from surety.core.hookspecs import NotificationChannel, PluginManifest
from surety.core.notifications import service
from surety.core.notifications.models import NotificationDelivery
from surety.core.plugins import PluginRegistry, build_plugin_manager, hookimpl, reset_registry
from surety.tenants.models import Tenant


class Pager:
    """A test plugin with a channel that records what it sends, or fails while ``broken``."""

    def __init__(self):
        self.sent = []
        self.broken = False

    @hookimpl
    def surety_manifest(self):
        return PluginManifest(key="pager", version="1")

    @hookimpl
    def surety_notification_channels(self):
        return [NotificationChannel("pager", self.send, kinds=("task_assigned",))]

    def send(self, message):
        if self.broken:
            raise ConnectionError("pager gateway down")
        self.sent.append(message)


@pytest.fixture
def pager(db, org):
    plugin = Pager()
    reset_registry(PluginRegistry(build_plugin_manager(extra=[("pager", plugin)])))
    with db.platform_session() as s:
        tenant = s.get(Tenant, org.tenant_id)
        tenant.enabled_plugins = [*tenant.enabled_plugins, "pager"]
    yield plugin
    reset_registry(None)


def test_inbox_read_and_unread(org):
    with org.session() as s:
        rows = service.notify(s, [org.id("bob"), org.id("bob"), org.id("carol")], "task_assigned", "Review P-1",
                              entity_type="workflow_task", entity_id="t1")
        assert len(rows) == 2  # one per distinct recipient
    with org.session() as s:
        assert service.unread_count(s, org.actor("bob")) == 1
        mine = s.scalars(service.inbox(s, org.actor("bob"))).all()
        assert [n.title for n in mine] == ["Review P-1"]
        with pytest.raises(NotFound):  # carol's notification is not bob's to mark
            service.mark_read(s, org.actor("bob"), [rows[1].id])
        assert service.mark_read(s, org.actor("bob"), [mine[0].id]) == 1
        assert service.unread_count(s, org.actor("bob")) == 0
        assert s.scalars(service.inbox(s, org.actor("bob"), unread_only=True)).all() == []
        assert service.unread_count(s, org.actor("carol")) == 1
        assert service.mark_read(s, org.actor("carol")) == 1


def test_channel_delivery_with_retries(org, pager):
    with org.session() as s:
        service.notify(s, [org.id("bob")], "task_assigned", "Review P-2")
        service.notify(s, [org.id("bob")], "instance_decided", "P-2 approved")  # not a kind the pager takes
    pager.broken = True
    for attempt in range(1, service.MAX_ATTEMPTS):
        with org.session() as s:
            assert service.deliver_pending(s) == (0, 1)
            delivery = s.scalar(select(NotificationDelivery).where(NotificationDelivery.channel == "pager"))
            assert (delivery.status, delivery.attempts) == ("pending", attempt)
            assert delivery.last_error == "ConnectionError: pager gateway down"
    pager.broken = False
    with org.session() as s:
        assert service.deliver_pending(s) == (1, 0)
        assert service.deliver_pending(s) == (0, 0)  # nothing left
    assert [(m.kind, m.title, m.email) for m in pager.sent] == [("task_assigned", "Review P-2", "bob@example.com")]


def test_a_delivery_gives_up_after_the_last_attempt(org, pager):
    with org.session() as s:
        service.notify(s, [org.id("carol")], "task_assigned", "Review P-3")
    pager.broken = True
    for _ in range(service.MAX_ATTEMPTS):
        with org.session() as s:
            service.deliver_pending(s)
    with org.session() as s:
        delivery = s.scalar(select(NotificationDelivery).where(NotificationDelivery.channel == "pager"))
        assert (delivery.status, delivery.attempts) == ("failed", service.MAX_ATTEMPTS)
        assert service.deliver_pending(s) == (0, 0)
