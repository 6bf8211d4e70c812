"""GraphQL of the filing channel (机构通道): thin resolvers over ``channel.services`` (root fields
``reguaranteeChannels``, ``reguaranteeOutboundFilings``, ``reguaranteeChannelOffer``, ``reguaranteeChannelAccept``,
``reguaranteeChannelClose``, ``reguaranteeChannelSend``, ``reguaranteeChannelRefresh``). Channels and outbound
filings are plain lists, not connections: a tenant has a few channels, and the outbound list takes a ``limit``.

The mutations that cross to the other tenant (offer, accept, close, send, refresh) run their service without the usual
mutation savepoint (``run_mutation``): on SQLite a savepoint opened before the crossing holds a read snapshot that
the other tenant's commit makes stale, and the caller's own write then fails ("database is locked"). Each service
reads, crosses, then writes, and raises its DomainErrors before it writes (docs/reguarantee/channel.md,
"Crossing")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from surety.core.errors import DomainError, Unauthenticated, ValidationFailed
from surety.graphql.auth import actor, decode_node_id
from surety.graphql.errors import UserError
from surety.graphql.nodes import global_id, load_nodes
from surety.plugins.reguarantee.channel import services
from surety.plugins.reguarantee.channel.models import CHANNEL_SIDES, CHANNEL_STATUSES, OUTBOUND_STATUSES
from surety.plugins.reguarantee.channel.models import ReguaranteeChannel as ChannelRow
from surety.plugins.reguarantee.channel.models import ReguaranteeOutboundFiling as OutboundRow
from surety.plugins.reguarantee.channel.permissions import CHANNEL

_STATUSES = "，".join(f"{k}（{v}）" for k, v in CHANNEL_STATUSES.items())
_SIDES = "，".join(f"{k}（{v}）" for k, v in CHANNEL_SIDES.items())
_OUT = "，".join(f"{k}（{v}）" for k, v in OUTBOUND_STATUSES.items())


@strawberry.type(description="机构通道（本机构一侧）：再担保机构（接收方）与担保机构（报送方）之间经双方确认、留痕的备案报送通道。")
class ReguaranteeChannel(relay.Node):
    id: relay.NodeID[str]
    side: str = strawberry.field(description=f"本机构在通道中的角色：{_SIDES}")
    side_label: str = strawberry.field(description="角色名称")
    peer_name: str = strawberry.field(description="对方机构名称（发起时）")
    partner_id: strawberry.ID | None = strawberry.field(description="合作机构 id（仅接收方）")
    agreement_id: strawberry.ID | None = strawberry.field(description="合作协议 id（仅接收方）")
    agreement_no: str = strawberry.field(description="合作协议编号")
    status: str = strawberry.field(description=f"通道状态：{_STATUSES}")
    status_label: str = strawberry.field(description="状态名称")
    offered_at: dt.datetime = strawberry.field(description="发起时间（UTC）")
    accepted_at: dt.datetime | None = strawberry.field(description="接受时间（UTC）")
    closed_at: dt.datetime | None = strawberry.field(description="关闭时间（UTC）")
    closed_side: str | None = strawberry.field(description="关闭方：receiver 或 sender")
    close_reason: str = strawberry.field(description="关闭原因")

    @classmethod
    def of(cls, r: ChannelRow) -> ReguaranteeChannel:
        return cls(id=str(r.id), side=r.side, side_label=CHANNEL_SIDES[r.side], peer_name=r.peer_name,
                   partner_id=global_id("ReguaranteePartner", r.partner_id),
                   agreement_id=global_id("ReguaranteeAgreement", r.agreement_id), agreement_no=r.agreement_no,
                   status=r.status, status_label=CHANNEL_STATUSES[r.status], offered_at=r.offered_at,
                   accepted_at=r.accepted_at, closed_at=r.closed_at, closed_side=r.closed_side,
                   close_reason=r.close_reason)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, ChannelRow, cls.of, node_ids, f"{CHANNEL}:read")


@strawberry.type(description="通过机构通道报送的一笔备案（报送方）：再担保机构的受理结果与回传状态。")
class ReguaranteeOutboundFiling(relay.Node):
    id: relay.NodeID[str]
    channel_id: strawberry.ID = strawberry.field(description="机构通道 id")
    project_id: strawberry.ID = strawberry.field(description="本机构的担保项目 id")
    project_ref: str = strawberry.field(description="项目编号")
    guarantee_amount: Decimal = strawberry.field(description="担保金额（元）")
    receiver_filing_no: str = strawberry.field(description="再担保机构的备案编号（未通过时为空）")
    receiver_batch_no: str = strawberry.field(description="再担保机构的批次号")
    status: str = strawberry.field(description=f"状态：{_OUT}")
    status_label: str = strawberry.field(description="状态名称")
    reasons: list[str] = strawberry.field(description="未通过或退回的原因（中文）")
    status_on: dt.date | None = strawberry.field(description="状态日期（业务日期）")
    sent_at: dt.datetime = strawberry.field(description="报送时间（UTC）")

    @classmethod
    def of(cls, r: OutboundRow) -> ReguaranteeOutboundFiling:
        return cls(id=str(r.id), channel_id=global_id("ReguaranteeChannel", r.channel_id),
                   project_id=global_id("GuaranteeProject", r.project_id), project_ref=r.project_ref,
                   guarantee_amount=r.guarantee_amount, receiver_filing_no=r.receiver_filing_no,
                   receiver_batch_no=r.receiver_batch_no, status=r.status, status_label=OUTBOUND_STATUSES[r.status],
                   reasons=list(r.reasons or []), status_on=r.status_on, sent_at=r.sent_at)

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        return load_nodes(info, OutboundRow, cls.of, node_ids, f"{CHANNEL}:read")


@strawberry.input(description="发起机构通道（再担保机构）：为合作中的合作机构及其生效协议，指定对方机构的租户代码。")
class ReguaranteeChannelOfferInput:
    partner_id: strawberry.ID = strawberry.field(description="合作机构 id")
    agreement_id: strawberry.ID = strawberry.field(description="该合作机构的生效协议 id")
    sender_code: str = strawberry.field(description="对方机构（担保机构）在本平台的租户代码")


@strawberry.input(description="关闭机构通道。")
class ReguaranteeChannelCloseInput:
    id: strawberry.ID = strawberry.field(description="机构通道 id")
    reason: str = strawberry.field(description="关闭原因")


@strawberry.input(description="报送一个担保项目：备案数据取自项目，以下字段补充或覆盖。")
class ReguaranteeChannelProjectInput:
    project_id: strawberry.ID = strawberry.field(description="担保项目 id")
    customer_id_number: str | None = strawberry.field(default=None,
                                                      description="客户证件号码（统一社会信用代码或身份证号）")
    scope: str | None = strawberry.field(default=None, description="服务对象，如 小微、三农")
    cover_ratio: Decimal | None = strawberry.field(default=None, description="保障比例（小数，(0, 1]）")
    values: JSON | None = strawberry.field(default=None,
                                           description="其他备案字段（如 {\"fields\": {\"debt_ratio\": \"0.65\"}}）")


@strawberry.input(description="通过机构通道报送担保项目（整批受理或整批退回）。")
class ReguaranteeChannelSendInput:
    channel_id: strawberry.ID = strawberry.field(description="机构通道 id")
    projects: list[ReguaranteeChannelProjectInput] = strawberry.field(description="报送的担保项目")


@strawberry.type(description="机构通道操作的结果：成功时为通道，否则为 errors。")
class ReguaranteeChannelPayload:
    channel: ReguaranteeChannel | None = strawberry.field(default=None, description="机构通道（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="报送的结果：每个项目一条报送记录（已备案或未通过及原因）；请求本身有误时为 errors。")
class ReguaranteeChannelSendPayload:
    filings: list[ReguaranteeOutboundFiling] = strawberry.field(default_factory=list, description="报送记录")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _cid(value, field: str = "id"):
    return decode_node_id(value, "ReguaranteeChannel", field=field)


def _crossing_mutation(payload_cls, run):
    """A mutation that crosses to the other tenant: no savepoint (module docstring). The services raise their
    DomainErrors before they write, so an error leaves nothing of theirs in the request's transaction."""
    try:
        return run()
    except Unauthenticated:
        raise
    except DomainError as exc:
        return payload_cls(errors=[UserError.of(exc)])


def _channel_mutation(info, run) -> ReguaranteeChannelPayload:
    return _crossing_mutation(ReguaranteeChannelPayload,
                              lambda: ReguaranteeChannelPayload(channel=ReguaranteeChannel.of(run())))


def _item(p: ReguaranteeChannelProjectInput) -> dict:
    item = dict(p.values) if isinstance(p.values, dict) else {}
    if p.values is not None and not isinstance(p.values, dict):
        raise ValidationFailed("values is an object of field name -> value.", field="values")
    for name in ("customer_id_number", "scope", "cover_ratio"):
        if getattr(p, name) is not None:
            item[name] = getattr(p, name)
    item["project_id"] = decode_node_id(p.project_id, "GuaranteeProject", field="projectId")
    return item


@strawberry.type
class ReguaranteeChannelQuery:
    @strawberry.field(description="本机构的机构通道（作为接收方或报送方），按发起时间倒序"
                                  "（需 reguarantee:channel:read）。")
    def reguarantee_channels(self, info: strawberry.Info, side: str | None = None,
                             status: str | None = None) -> list[ReguaranteeChannel]:
        return [ReguaranteeChannel.of(r) for r in services.list_channels(info.context.session, actor(info),
                                                                         side=side, status=status)]

    @strawberry.field(description="本机构通过机构通道报送的备案及回传状态，按报送时间倒序，最多 limit 条"
                                  "（需 reguarantee:channel:read）。")
    def reguarantee_outbound_filings(self, info: strawberry.Info, channel_id: strawberry.ID | None = None,
                                     status: str | None = None, limit: int = 100) -> list[ReguaranteeOutboundFiling]:
        rows = services.list_outbound(info.context.session, actor(info),
                                      channel_id=_cid(channel_id, "channelId") if channel_id else None,
                                      status=status, limit=limit)
        return [ReguaranteeOutboundFiling.of(r) for r in rows]


@strawberry.type
class ReguaranteeChannelMutation:
    @strawberry.mutation(description="再担保机构发起机构通道（需 reguarantee:channel:manage），待对方接受。")
    def reguarantee_channel_offer(self, info: strawberry.Info,
                                  input: ReguaranteeChannelOfferInput) -> ReguaranteeChannelPayload:
        return _channel_mutation(info, lambda: services.offer_channel(
            info.context.session, actor(info),
            decode_node_id(input.partner_id, "ReguaranteePartner", field="partnerId"),
            decode_node_id(input.agreement_id, "ReguaranteeAgreement", field="agreementId"), input.sender_code))

    @strawberry.mutation(description="担保机构接受机构通道（需 reguarantee:channel:manage），双方通道开通。")
    def reguarantee_channel_accept(self, info: strawberry.Info, id: strawberry.ID) -> ReguaranteeChannelPayload:
        return _channel_mutation(info, lambda: services.accept_channel(info.context.session, actor(info), _cid(id)))

    @strawberry.mutation(description="任一方关闭机构通道（需 reguarantee:channel:manage），此后不能再报送。")
    def reguarantee_channel_close(self, info: strawberry.Info,
                                  input: ReguaranteeChannelCloseInput) -> ReguaranteeChannelPayload:
        return _channel_mutation(info, lambda: services.close_channel(info.context.session, actor(info),
                                                                      _cid(input.id), input.reason))

    @strawberry.mutation(description="通过开通的机构通道报送担保项目（需 reguarantee:channel:send）：再担保机构整批受理"
                                     "（全部备案）或整批退回（逐项原因）。")
    def reguarantee_channel_send(self, info: strawberry.Info,
                                 input: ReguaranteeChannelSendInput) -> ReguaranteeChannelSendPayload:
        def run() -> ReguaranteeChannelSendPayload:
            rows = services.send(info.context.session, actor(info), _cid(input.channel_id, "channelId"),
                                 [_item(p) for p in input.projects])
            return ReguaranteeChannelSendPayload(filings=[ReguaranteeOutboundFiling.of(r) for r in rows])

        return _crossing_mutation(ReguaranteeChannelSendPayload, run)

    @strawberry.mutation(description="向再担保机构查询通过该通道报送的备案的最新状态并更新本机构的报送记录"
                                     "（需 reguarantee:channel:send），返回状态有变化的记录。")
    def reguarantee_channel_refresh(self, info: strawberry.Info, id: strawberry.ID) -> ReguaranteeChannelSendPayload:
        def run() -> ReguaranteeChannelSendPayload:
            rows = services.refresh_outbound(info.context.session, actor(info), _cid(id))
            return ReguaranteeChannelSendPayload(filings=[ReguaranteeOutboundFiling.of(r) for r in rows])

        return _crossing_mutation(ReguaranteeChannelSendPayload, run)


QUERIES: tuple = (ReguaranteeChannelQuery,)
MUTATIONS: tuple = (ReguaranteeChannelMutation,)
TYPES: tuple = (ReguaranteeChannel, ReguaranteeOutboundFiling)
