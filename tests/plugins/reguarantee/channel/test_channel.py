"""The filing channel's services without HTTP: a channel offered by the receiver, accepted by the sender, closed by
either; projects sent, filed on the receiver as one batch (all or nothing) and recorded on the sender; the
receiver's status changes reported back; refusals (no accepted channel, a closed one, a refused row)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.plugins.reguarantee.channel import services as channel
from surety.plugins.reguarantee.channel.models import ReguaranteeChannel, ReguaranteeOutboundFiling
from surety.plugins.reguarantee.filing import services as filings
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling, ReguaranteeFilingBatch


def offer(ch, slug=None):
    with ch.receiver.acting("admin") as (s, a):
        return channel.offer_channel(s, a, ch.partner_id, ch.agreement_id, slug or ch.sender.tenant.slug).id


def open_channel(ch):
    cid = offer(ch)
    with ch.sender.acting("admin") as (s, a):
        channel.accept_channel(s, a, cid)
    return cid


def rows(world, model, **where):
    with world.session() as s:
        stmt = select(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return list(s.scalars(stmt))


def actions(world, prefix="reguarantee.channel."):
    with world.session() as s:
        return [r.action for r in s.scalars(select(AuditRecord).where(AuditRecord.action.like(f"{prefix}%"))
                                            .order_by(AuditRecord.seq))]


def test_offer_writes_both_sides_with_the_same_id_and_accept_opens_both(ch):
    cid = offer(ch)
    (mine,) = rows(ch.receiver, ReguaranteeChannel)
    (theirs,) = rows(ch.sender, ReguaranteeChannel)
    assert mine.id == theirs.id == cid
    assert (mine.side, mine.status, mine.peer_tenant_id, mine.agreement_id) == \
        ("receiver", "offered", ch.sender.tenant.id, ch.agreement_id)
    assert (theirs.side, theirs.status, theirs.peer_tenant_id, theirs.agreement_no, theirs.agreement_id) == \
        ("sender", "offered", ch.receiver.tenant.id, ch.agreement_no, None)
    with ch.sender.acting("admin") as (s, a):
        channel.accept_channel(s, a, cid)
    assert [r.status for r in rows(ch.receiver, ReguaranteeChannel)] == ["active"]
    assert [r.status for r in rows(ch.sender, ReguaranteeChannel)] == ["active"]
    assert rows(ch.receiver, ReguaranteeChannel)[0].accepted_by == ch.sender.uid("admin")
    # audited on both sides: the own side's action by the person, the other side's by the channel
    assert actions(ch.receiver) == ["reguarantee.channel.offered", "reguarantee.channel.accepted"]
    assert actions(ch.sender) == ["reguarantee.channel.offered", "reguarantee.channel.accepted"]
    with ch.sender.session() as s:
        who = [(r.actor_type, r.actor_id) for r in s.scalars(select(AuditRecord).where(
            AuditRecord.action.like("reguarantee.channel.%")).order_by(AuditRecord.seq))]
    assert who == [("system", f"reguarantee-channel:{cid}"), ("user", str(ch.sender.uid("admin")))]


def test_offer_refuses_an_unknown_tenant_one_without_guarantee_and_a_second_open_channel(ch):
    with pytest.raises(NotFound):
        offer(ch, "no-such-tenant")
    with pytest.raises(Conflict, match="has not enabled guarantee"):
        offer(ch, ch.third.tenant.slug)
    with pytest.raises(NotFound):
        offer(ch, ch.receiver.tenant.slug)
    offer(ch)
    with pytest.raises(Conflict, match="already open"):
        offer(ch)
    assert len(rows(ch.sender, ReguaranteeChannel)) == 1


def test_only_the_admin_manages_and_the_sender_accepts(ch):
    with ch.receiver.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        channel.offer_channel(s, a, ch.partner_id, ch.agreement_id, ch.sender.tenant.slug)
    cid = offer(ch)
    # the receiver cannot accept its own offer: its row is the receiver's side
    with ch.receiver.acting("admin") as (s, a), pytest.raises(NotFound):
        channel.accept_channel(s, a, cid)


def test_send_files_a_batch_on_the_receiver_and_records_it_on_the_sender(ch):
    cid = open_channel(ch)
    p1, p2 = ch.new_project(1), ch.new_project(2, amount="5000000.00")
    with ch.sender.acting("mgr") as (s, a):
        out = channel.send(s, a, cid, [ch.item(p1), ch.item(p2, scope="三农")])
        assert [o.status for o in out] == ["filed", "filed"], [o.reasons for o in out]
    received = sorted(rows(ch.receiver, ReguaranteeFiling), key=lambda f: f.guarantee_amount)
    assert [(f.channel_id, f.status, str(f.guarantee_amount)) for f in received] == \
        [(cid, "filed", "3000000.00"), (cid, "filed", "5000000.00")]
    assert received[1].scope == "三农" and received[0].scope == "小微"  # the hook's row, overridden by the item
    assert received[0].loan_contract_no == "JK-1" and received[0].partner_id == ch.partner_id
    # the receiver's terms: standard split 0.4/0.2/0.2/0.2, 0.3 % a year up to 500万 inclusive, 364 days
    assert [(str(f.share_reguarantor), str(f.fee_rate), str(f.fee_amount)) for f in received] == \
        [("600000.00", "0.00300000", "1795.07"), ("1000000.00", "0.00300000", "2991.78")]
    (batch,) = rows(ch.receiver, ReguaranteeFilingBatch)
    assert batch.source == "channel" and batch.row_count == 2
    sent = {o.project_id: o for o in rows(ch.sender, ReguaranteeOutboundFiling)}
    assert {sent[p1].receiver_filing_id, sent[p2].receiver_filing_id} == {f.id for f in received}
    assert {o.receiver_filing_no for o in sent.values()} == {f.filing_no for f in received}
    assert {o.receiver_batch_no for o in sent.values()} == {batch.batch_no}
    assert "reguarantee.channel.received" in actions(ch.receiver)
    assert "reguarantee.channel.sent" in actions(ch.sender)


def test_a_refused_row_refuses_the_whole_send_and_the_reasons_come_back(ch):
    cid = open_channel(ch)
    p1, p2 = ch.new_project(1), ch.new_project(2)
    with ch.sender.acting("mgr") as (s, a):
        out = channel.send(s, a, cid, [ch.item(p1), ch.item(p2, end_date=dt.date(2026, 5, 1))])
        assert [o.status for o in out] == ["refused", "refused"]
        assert out[0].reasons == [] and out[1].receiver_filing_id is None
        assert any("到期日" in r or "起始日" in r for r in out[1].reasons), out[1].reasons
    assert rows(ch.receiver, ReguaranteeFiling) == [] and rows(ch.receiver, ReguaranteeFilingBatch) == []
    assert "reguarantee.channel.refused" in actions(ch.receiver)


def test_a_sender_without_an_accepted_channel_is_refused(ch):
    cid = offer(ch)
    p1 = ch.new_project(1)
    with ch.sender.acting("mgr") as (s, a), pytest.raises(Conflict, match="not open"):
        channel.send(s, a, cid, [ch.item(p1)])
    with ch.third.acting("admin") as (s, a), pytest.raises(NotFound):
        channel.send(s, a, cid, [{"project_id": p1}])
    assert rows(ch.receiver, ReguaranteeFiling) == []


def test_a_closed_channel_refuses_whichever_side_closed_it(ch):
    cid = open_channel(ch)
    p1 = ch.new_project(1)
    with ch.receiver.acting("admin") as (s, a):
        channel.close_channel(s, a, cid, "合作协议终止")
    assert [(r.status, r.closed_side, r.close_reason) for r in rows(ch.sender, ReguaranteeChannel)] == \
        [("closed", "receiver", "合作协议终止")]
    with ch.sender.acting("mgr") as (s, a), pytest.raises(Conflict, match="not open"):
        channel.send(s, a, cid, [ch.item(p1)])
    with ch.sender.acting("admin") as (s, a), pytest.raises(Conflict, match="already closed"):
        channel.close_channel(s, a, cid, "again")
    assert rows(ch.receiver, ReguaranteeFiling) == []


def test_a_sender_whose_row_is_stale_is_refused_by_the_receiver(ch):
    """The receiver closed the channel but the sender's row still says active (a crossing lost): the receiver's
    own row decides, and the refusal is recorded."""
    cid = open_channel(ch)
    p1 = ch.new_project(1)
    with ch.receiver.session() as s:
        s.scalar(select(ReguaranteeChannel).where(ReguaranteeChannel.id == cid)).status = "closed"
    with ch.sender.acting("mgr") as (s, a):
        (out,) = channel.send(s, a, cid, [ch.item(p1)])
    assert (out.status, out.receiver_filing_id) == ("refused", None)
    assert out.reasons == ["机构通道未开通（当前为“已关闭”）。"]
    assert rows(ch.receiver, ReguaranteeFiling) == []


def test_status_changes_on_the_receiver_come_back_to_the_sender(ch):
    cid = open_channel(ch)
    p1 = ch.new_project(1)
    with ch.sender.acting("mgr") as (s, a):
        channel.send(s, a, cid, [ch.item(p1)])
    (filing,) = rows(ch.receiver, ReguaranteeFiling)
    with ch.receiver.acting("head") as (s, a):
        filings.confirm_filing(s, a, filing.id)
    (out,) = rows(ch.sender, ReguaranteeOutboundFiling)
    assert out.status == "confirmed"
    with ch.receiver.acting("mgr") as (s, a):
        filings.release_filing(s, a, filing.id, kind="normal", on=dt.date(2026, 12, 1))
    (out,) = rows(ch.sender, ReguaranteeOutboundFiling)
    assert (out.status, out.status_on is not None) == ("released", True)
    assert actions(ch.sender).count("reguarantee.channel.status_reported") == 2


def test_a_status_change_rolled_back_is_not_reported(ch):
    cid = open_channel(ch)
    p1 = ch.new_project(1)
    with ch.sender.acting("mgr") as (s, a):
        channel.send(s, a, cid, [ch.item(p1)])
    (filing,) = rows(ch.receiver, ReguaranteeFiling)
    with pytest.raises(RuntimeError), ch.receiver.acting("head") as (s, a):
        filings.confirm_filing(s, a, filing.id)
        raise RuntimeError("the request failed after the change")
    (out,) = rows(ch.sender, ReguaranteeOutboundFiling)
    assert out.status == "filed"


def test_send_refuses_a_project_not_in_force_before_crossing(ch):
    cid = open_channel(ch)
    draft = ch.new_project(1, status="draft")
    with ch.sender.acting("mgr") as (s, a), pytest.raises(ValidationFailed, match="not a guarantee in force"):
        channel.send(s, a, cid, [ch.item(draft)])
    with ch.sender.acting("mgr") as (s, a), pytest.raises(ValidationFailed, match="unknown filing field"):
        channel.send(s, a, cid, [ch.item(draft, colour="red")])
    with ch.receiver.session() as s:
        assert s.scalar(select(func.count()).select_from(ReguaranteeFiling)) == 0


def test_lists_show_each_side_its_own_rows(ch):
    cid = open_channel(ch)
    p1 = ch.new_project(1)
    with ch.sender.acting("mgr") as (s, a):
        channel.send(s, a, cid, [ch.item(p1)])
    with ch.sender.acting("viewer") as (s, a):
        assert [(r.id, r.side) for r in channel.list_channels(s, a)] == [(cid, "sender")]
        assert [o.project_id for o in channel.list_outbound(s, a, channel_id=cid, status="filed")] == [p1]
        assert channel.list_outbound(s, a, status="refused") == []
    with ch.receiver.acting("viewer") as (s, a):
        assert [(r.id, r.side) for r in channel.list_channels(s, a, side="receiver")] == [(cid, "receiver")]
        assert channel.list_outbound(s, a) == []
    with ch.third.acting("admin") as (s, a):
        assert channel.list_channels(s, a) == [] and channel.list_outbound(s, a) == []


def test_a_lost_report_is_caught_up_by_a_refresh(ch, monkeypatch):
    """A report that fails after the receiver's commit leaves the change committed (logged); the sender's refresh
    reads the current statuses of its filings from the receiver and takes the changed ones."""
    cid = open_channel(ch)
    p1, p2 = ch.new_project(1), ch.new_project(2)
    with ch.sender.acting("mgr") as (s, a):
        channel.send(s, a, cid, [ch.item(p1), ch.item(p2)])
    first, second = sorted(rows(ch.receiver, ReguaranteeFiling), key=lambda f: f.filing_no)

    def lost(*_args, **_kw):
        raise ConnectionError("the sender's database went away")

    monkeypatch.setattr(channel.crossing, "report_status", lost)
    with ch.receiver.acting("head") as (s, a):
        filings.reject_filing(s, a, first.id, ["项目资料不全"])
    assert rows(ch.receiver, ReguaranteeFiling, id=first.id)[0].status == "rejected"
    assert {o.status for o in rows(ch.sender, ReguaranteeOutboundFiling)} == {"filed"}
    with ch.receiver.acting("admin") as (s, a):  # closing does not stop the statuses coming back
        channel.close_channel(s, a, cid, "暂停合作")
    with ch.sender.acting("mgr") as (s, a):
        changed = channel.refresh_outbound(s, a, cid)
        assert [(o.receiver_filing_id, o.status, o.reasons) for o in changed] == \
            [(first.id, "rejected", ["项目资料不全"])]
    assert {o.receiver_filing_id: o.status for o in rows(ch.sender, ReguaranteeOutboundFiling)} == \
        {first.id: "rejected", second.id: "filed"}
    assert "reguarantee.channel.statuses_read" in actions(ch.receiver)
    assert "reguarantee.channel.refreshed" in actions(ch.sender)


def test_a_value_the_receiver_refuses_is_recorded_with_its_reason(ch):
    """The sender's own override is checked by the receiver alone: a guaranteed amount that is no amount is refused
    there, and the outbound row keeps 0.00 with the receiver's reason."""
    cid = open_channel(ch)
    p1 = ch.new_project(1)
    with ch.sender.acting("mgr") as (s, a):
        (out,) = channel.send(s, a, cid, [ch.item(p1, guarantee_amount="三百万")])
        assert (out.status, str(out.guarantee_amount)) == ("refused", "0.00")
        assert out.reasons and any("担保金额" in r for r in out.reasons), out.reasons
    assert rows(ch.receiver, ReguaranteeFiling) == []


def test_only_the_channels_system_actor_files_without_the_filing_permission(ch):
    """file_batch skips reguarantee:filing:manage for source "channel" with a system actor only: a person who says
    "channel" is still checked."""
    with ch.receiver.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        filings.file_batch(s, a, ch.agreement_id, [{"project_ref": "X-1"}], source="channel")
