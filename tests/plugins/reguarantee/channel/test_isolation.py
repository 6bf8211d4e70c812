"""Tenant isolation of the filing channel: every statement runs in a session bound to the tenant whose table it
touches (the receiver never selects the sender's outbound rows, the sender never the receiver's filings); a third
tenant sees nothing of either; on PostgreSQL, row-level security hides the other tenants' rows from the application's
non-owner role even to a plain SQL statement that bypasses the ORM's tenant filter."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from surety.core.db.session import session_tenant
from surety.core.errors import NotFound
from surety.plugins.reguarantee.channel import crossing
from surety.plugins.reguarantee.channel import services as channel
from surety.plugins.reguarantee.channel.models import ReguaranteeChannel, ReguaranteeOutboundFiling
from surety.plugins.reguarantee.filing import services as filings
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling, ReguaranteeFilingBatch

TABLES = ("reguarantee_channels", "reguarantee_outbound_filings", "reguarantee_filings",
          "reguarantee_filing_batches")


@contextlib.contextmanager
def statements():
    """Every ORM statement run meanwhile: (the session's tenant, the tables it names)."""
    seen: list[tuple[uuid.UUID, set[str]]] = []

    def record(state):
        names = {t.name for t in state.statement.get_final_froms()} if hasattr(state.statement, "get_final_froms") \
            else set()
        table = getattr(state.statement, "table", None)
        if table is not None:
            names.add(table.name)
        seen.append((session_tenant(state.session), names))

    event.listen(Session, "do_orm_execute", record)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", record)


def flow(ch):
    """Offer, accept, send two projects, confirm one on the receiver (its status goes back)."""
    with ch.receiver.acting("admin") as (s, a):
        cid = channel.offer_channel(s, a, ch.partner_id, ch.agreement_id, ch.sender.tenant.slug).id
    with ch.sender.acting("admin") as (s, a):
        channel.accept_channel(s, a, cid)
    p1, p2 = ch.new_project(1), ch.new_project(2)
    with ch.sender.acting("mgr") as (s, a):
        channel.send(s, a, cid, [ch.item(p1), ch.item(p2)])
    with ch.receiver.session() as s:
        first = s.scalars(select(ReguaranteeFiling.id).order_by(ReguaranteeFiling.filing_no)).first()
    with ch.receiver.acting("head") as (s, a):
        filings.confirm_filing(s, a, first)
    return cid


def test_each_statement_touches_only_its_own_tenants_tables(ch):
    with statements() as seen:
        flow(ch)
    receiver, sender = ch.receiver.tenant.id, ch.sender.tenant.id
    touching = {name: {tenant for tenant, names in seen if name in names} for name in TABLES}
    assert touching["reguarantee_outbound_filings"] == {sender}
    assert touching["reguarantee_filings"] == {receiver}
    assert touching["reguarantee_filing_batches"] <= {receiver}
    assert touching["reguarantee_channels"] == {receiver, sender}  # each side reads its own row
    assert ch.third.tenant.id not in {tenant for tenant, _names in seen}
    with ch.sender.session() as s:
        assert [o.status for o in s.scalars(select(ReguaranteeOutboundFiling)
                                            .order_by(ReguaranteeOutboundFiling.receiver_filing_no))] == \
            ["confirmed", "filed"]


def test_a_third_tenant_sees_nothing(ch):
    flow(ch)
    for model in (ReguaranteeChannel, ReguaranteeOutboundFiling, ReguaranteeFiling, ReguaranteeFilingBatch):
        with ch.third.session() as s:
            assert list(s.scalars(select(model))) == []
    with ch.receiver.session() as s:
        assert list(s.scalars(select(ReguaranteeOutboundFiling))) == []
    with ch.sender.session() as s:
        assert list(s.scalars(select(ReguaranteeFiling))) == []
    with ch.third.acting("admin") as (s, a):
        assert channel.list_channels(s, a) == [] and channel.list_outbound(s, a) == []


@pytest.mark.postgres
def test_row_level_security_hides_the_other_sides_rows_from_plain_sql(ch):
    """text() bypasses the ORM criteria: only RLS (the app role owns no table, has no BYPASSRLS) stands between."""
    flow(ch)
    counts = {}
    for name, world in (("receiver", ch.receiver), ("sender", ch.sender), ("third", ch.third)):
        with world.session() as s:
            counts[name] = {t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}  # noqa: S608
    assert counts["receiver"] == {"reguarantee_channels": 1, "reguarantee_outbound_filings": 0,
                                  "reguarantee_filings": 2, "reguarantee_filing_batches": 1}
    assert counts["sender"] == {"reguarantee_channels": 1, "reguarantee_outbound_filings": 2,
                                "reguarantee_filings": 0, "reguarantee_filing_batches": 0}
    assert counts["third"] == dict.fromkeys(TABLES, 0)
    with ch.receiver.session() as s:  # nor can the receiver write a row for the sender
        with pytest.raises(Exception, match="row-level security"):
            s.execute(text("INSERT INTO reguarantee_outbound_filings (tenant_id, id, channel_id, receiver_tenant_id, "
                           "project_id, project_ref, guarantee_amount, receiver_filing_no, receiver_batch_no, status, "
                           "reasons, sent_at, updated_at) VALUES (:t, :i, :i, :i, :i, '', 0, '', '', 'filed', '[]', "
                           "now(), now())"), {"t": ch.sender.tenant.id, "i": uuid.uuid4()})


def test_the_crossing_serves_only_the_tenant_the_receivers_row_names(ch):
    """A third tenant that knows the channel's id (even with a forged row of its own) gets nothing from the
    receiver: the receiver's row names the sender as its peer, so the crossing finds no channel for anyone else."""
    cid = flow(ch)
    with ch.third.session() as s:
        s.add(ReguaranteeChannel(id=cid, side="sender", peer_tenant_id=ch.receiver.tenant.id, status="active"))
    with ch.third.acting("admin") as (s, _a):
        answer = crossing.deliver(s, cid, ch.receiver.tenant.id, [{"project_ref": "X-1"}])
        assert (answer.filed, answer.general) == (False, "找不到该机构通道。")
        with pytest.raises(NotFound):
            crossing.fetch_statuses(s, cid, ch.receiver.tenant.id, [uuid.uuid4()])
        with pytest.raises(NotFound):
            crossing.close(s, cid, ch.receiver.tenant.id, peer_side="receiver", by=None, closed_side="sender",
                           reason="forged")
    with ch.receiver.session() as s:
        assert [r.status for r in s.scalars(select(ReguaranteeChannel))] == ["active"]
        assert len(list(s.scalars(select(ReguaranteeFilingBatch)))) == 1
