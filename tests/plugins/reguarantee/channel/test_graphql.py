"""GraphQL of the filing channel, over HTTP with each tenant's own token: the receiver offers, the sender accepts,
sends two projects (filed) and lists them with the status the receiver reports back after confirming; the lists
show each tenant its own side; a send on a closed channel is a typed error, a refused batch an answer with reasons;
the reguarantee_filing_row hook is what guarantee answers for a project."""

from __future__ import annotations

from sqlalchemy import select
from strawberry import relay

from surety.core.hooks import tenant_hook
from surety.core.testing import mutation_ok
from surety.plugins.reguarantee.filing import services as filings
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling

CHANNEL = "id side sideLabel peerName agreementNo status statusLabel closedSide closeReason"
OFFER = ("mutation($i: ReguaranteeChannelOfferInput!) { reguaranteeChannelOffer(input: $i) { channel { "
         + CHANNEL + " } errors { code field message } } }")
ACCEPT = ("mutation($id: ID!) { reguaranteeChannelAccept(id: $id) { channel { " + CHANNEL
          + " } errors { code message } } }")
CLOSE = ("mutation($i: ReguaranteeChannelCloseInput!) { reguaranteeChannelClose(input: $i) { channel { " + CHANNEL
         + " } errors { code message } } }")
SEND = ("mutation($i: ReguaranteeChannelSendInput!) { reguaranteeChannelSend(input: $i) { filings { projectRef "
        "guaranteeAmount receiverFilingNo status statusLabel reasons } errors { code field message } } }")
CHANNELS = "query($s: String) { reguaranteeChannels(side: $s) { " + CHANNEL + " } }"
OUTBOUND = ("query($c: ID) { reguaranteeOutboundFilings(channelId: $c) { projectId projectRef receiverFilingNo "
            "status statusLabel reasons statusOn } }")


def _gid(type_name: str, value) -> str:
    return relay.to_base64(type_name, str(value))


def test_offer_accept_send_and_status_over_graphql(api, ch):
    rtoken, stoken = api.login(ch.receiver.tenant.slug), api.login(ch.sender.tenant.slug)
    offered = mutation_ok(api(OFFER, {"i": {"partnerId": _gid("ReguaranteePartner", ch.partner_id),
                                            "agreementId": _gid("ReguaranteeAgreement", ch.agreement_id),
                                            "senderCode": ch.sender.tenant.slug}}, rtoken), "reguaranteeChannelOffer")
    channel = offered["channel"]
    assert (channel["side"], channel["status"], channel["statusLabel"], channel["peerName"]) == \
        ("receiver", "offered", "待对方接受", ch.sender.tenant.name)
    (theirs,) = api(CHANNELS, {"s": "sender"}, stoken)["data"]["reguaranteeChannels"]
    assert theirs["id"] == channel["id"] and theirs["agreementNo"] == ch.agreement_no
    accepted = mutation_ok(api(ACCEPT, {"id": theirs["id"]}, stoken), "reguaranteeChannelAccept")
    assert accepted["channel"]["status"] == "active"
    assert [c["status"] for c in api(CHANNELS, {}, rtoken)["data"]["reguaranteeChannels"]] == ["active"]

    p1, p2 = ch.new_project(1), ch.new_project(2, amount="5000000.00")
    projects = [{"projectId": _gid("GuaranteeProject", p), "customerIdNumber": ch.projects[p]} for p in (p1, p2)]
    projects[1]["values"] = {"fields": {"debt_ratio": "0.55"}}
    sent = mutation_ok(api(SEND, {"i": {"channelId": channel["id"], "projects": projects}}, stoken),
                       "reguaranteeChannelSend")
    assert [(f["guaranteeAmount"], f["status"], f["statusLabel"]) for f in sent["filings"]] == \
        [("3000000.00", "filed", "已备案待确认"), ("5000000.00", "filed", "已备案待确认")]
    assert all(f["receiverFilingNo"] for f in sent["filings"])

    with ch.receiver.session() as s:
        filing = s.scalars(select(ReguaranteeFiling).where(ReguaranteeFiling.guarantee_amount == 5000000)).one()
        assert filing.fields == {"debt_ratio": "0.55"}
    with ch.receiver.acting("head") as (s, a):
        filings.reject_filing(s, a, filing.id, ["借款合同与项目不一致"])
    outbound = api(OUTBOUND, {"c": channel["id"]}, stoken)["data"]["reguaranteeOutboundFilings"]
    by_status = {o["status"]: o for o in outbound}
    assert set(by_status) == {"filed", "rejected"}
    assert by_status["rejected"]["reasons"] == ["借款合同与项目不一致"]
    assert by_status["rejected"]["receiverFilingNo"] == filing.filing_no
    assert api(OUTBOUND, {}, rtoken)["data"]["reguaranteeOutboundFilings"] == []

    closed = mutation_ok(api(CLOSE, {"i": {"id": channel["id"], "reason": "协议到期"}}, stoken),
                         "reguaranteeChannelClose")
    assert (closed["channel"]["status"], closed["channel"]["closedSide"]) == ("closed", "sender")
    (mine,) = api(CHANNELS, {}, rtoken)["data"]["reguaranteeChannels"]
    assert (mine["status"], mine["closedSide"], mine["closeReason"]) == ("closed", "sender", "协议到期")
    again = api(SEND, {"i": {"channelId": channel["id"], "projects": projects[:1]}}, stoken)
    assert again["data"]["reguaranteeChannelSend"]["errors"][0]["code"] == "CONFLICT"


def test_a_refused_send_answers_with_the_reasons(api, ch):
    stoken = api.login(ch.sender.tenant.slug)
    with ch.receiver.acting("admin") as (s, a):
        from surety.plugins.reguarantee.channel import services  # noqa: PLC0415 - only this test acts directly

        cid = services.offer_channel(s, a, ch.partner_id, ch.agreement_id, ch.sender.tenant.slug).id
    with ch.sender.acting("admin") as (s, a):
        services.accept_channel(s, a, cid)
    p1 = ch.new_project(1)
    body = api(SEND, {"i": {"channelId": _gid("ReguaranteeChannel", cid),
                            "projects": [{"projectId": _gid("GuaranteeProject", p1), "customerIdNumber": "123"}]}},
               stoken)
    (row,) = mutation_ok(body, "reguaranteeChannelSend")["filings"]
    assert row["status"] == "refused" and row["receiverFilingNo"] == "" and row["reasons"]


def test_guarantee_answers_reguarantee_filing_row_for_an_effective_project(ch):
    p1, draft = ch.new_project(1), ch.new_project(2, status="draft")
    with ch.sender.acting("mgr") as (s, a):
        row = tenant_hook(s, "reguarantee_filing_row")(session=s, actor=a, project_id=p1)
        assert tenant_hook(s, "reguarantee_filing_row")(session=s, actor=a, project_id=draft) is None
    assert {k: str(v) for k, v in row.items() if k not in ("fields", "project_ref")} == {
        "loan_contract_no": "JK-1", "customer_name": "南京测试制造有限公司1", "customer_kind": "enterprise",
        "scope": "小微", "region": "320100", "industry": "C13", "bank_name": "南京银行", "loan_amount": "3000000.00",
        "guarantee_amount": "3000000.00", "loan_rate": "0.03850000", "start_date": "2026-06-01",
        "end_date": "2027-05-31", "cover_ratio": "1"}
    assert row["project_ref"].startswith("T-")
    with ch.receiver.session() as s:  # the receiver has no guarantee plugin: nobody answers
        assert tenant_hook(s, "reguarantee_filing_row")(session=s, actor=ch.receiver.actors["admin"],
                                                        project_id=p1) is None
