"""GraphQL of the limits area, thin over ``check.read_check``: ``regulatoryLimitCheck(subjectType, subjectId,
unit)``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from surety.graphql.auth import actor
from surety.graphql.nodes import global_id
from surety.graphql.units import AmountUnit, shown
from surety.plugins.regulatory.indicators.graphql import RegulatoryLimit
from surety.plugins.regulatory.limits import check as checks
from surety.plugins.regulatory.limits.check import LimitCheck


@strawberry.type(description="审批对象的客户（及其关联方）。")
class RegulatoryCheckedCustomer:
    customer_id: strawberry.ID = strawberry.field(description="客户的全局 id")
    name: str | None = strawberry.field(description="客户名称（有客户查看权限时）")
    related_ids: list[strawberry.ID] = strawberry.field(description="一度关联方")


@strawberry.type(description="审批前限额检查：批准前后的放大倍数、单一客户与关联方集中度。")
class RegulatoryLimitCheck:
    subject_type: str
    subject_id: str
    as_of: dt.date
    amount_unit: AmountUnit
    known: bool = strawberry.field(description="是否有业务插件能给出批准该对象将新增的在保责任；否则其余为空")
    proposed_amount: Decimal = strawberry.field(description="批准将新增的在保余额（未扣除）")
    liability_before: Decimal
    liability_after: Decimal
    net_asset_base: Decimal
    before: list[RegulatoryLimit]
    after: list[RegulatoryLimit]
    breaches: list[str] = strawberry.field(description="批准后不达标的限额：leverage、single_party、related_group")
    new_breaches: list[str] = strawberry.field(description="批准前达标、批准后不达标的限额")
    customers: list[RegulatoryCheckedCustomer]

    @classmethod
    def of(cls, c: LimitCheck, unit: AmountUnit) -> RegulatoryLimitCheck:
        return cls(subject_type=c.subject_type, subject_id=c.subject_id, as_of=c.as_of, amount_unit=unit,
                   known=c.known, proposed_amount=shown(sum((e.gross for e in c.proposed), Decimal(0)), unit),
                   liability_before=shown(c.liability_before, unit), liability_after=shown(c.liability_after, unit),
                   net_asset_base=shown(c.base, unit), before=[RegulatoryLimit.of(x, unit) for x in c.before],
                   after=[RegulatoryLimit.of(x, unit) for x in c.after], breaches=c.breaches,
                   new_breaches=c.new_breaches,
                   customers=[RegulatoryCheckedCustomer(customer_id=global_id("Customer", cid), name=c.names.get(cid),
                                                        related_ids=[global_id("Customer", r)
                                                                     for r in c.related.get(cid, ())])
                              for cid in c.customers])


@strawberry.type
class RegulatoryLimitsQuery:
    @strawberry.field(description="审批前限额检查（需 regulatory:limit:read）：批准该审批对象（如 "
                                  "guarantee:project 及其 id）后是否突破放大倍数、单一客户或关联方集中度上限，"
                                  "及批准前后的数据；客户名称需客户查看权限。")
    def regulatory_limit_check(self, info: strawberry.Info, subject_type: str, subject_id: str,
                               unit: AmountUnit = AmountUnit.YUAN) -> RegulatoryLimitCheck:
        found = checks.read_check(info.context.session, actor(info), subject_type, subject_id)
        return RegulatoryLimitCheck.of(found, unit)


QUERIES: tuple = (RegulatoryLimitsQuery,)
MUTATIONS: tuple = ()
TYPES: tuple = ()
