"""GraphQL of the leaders' dashboard (thin: the figures are computed in ``dashboard``). ``QUERIES`` joins the
schema's Query; ``TYPES`` are registered too. Money is ``Decimal`` (a string such as ``"2800000.00"``), rates are
``Decimal`` with six places or null when undefined."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from surety.graphql.auth import actor
from surety.graphql.nodes import global_id as _gid
from surety.plugins.guarantee.dashboard import figures as service


@strawberry.type(description="Effective guarantees now.")
class GuaranteeDashboardInForce:
    count: int
    balance: Decimal = strawberry.field(description="Sum of the in-force balances (yuan), gross: as the banks "
                                                    "report them (在保余额).")
    net_balance: Decimal = strawberry.field(description="The in-force balances net of the banks' risk shares: the "
                                                        "company's own risk (本公司承担的在保余额).")


@strawberry.type(description="Projects that took effect in the period (whatever their status now).")
class GuaranteeDashboardNewBusiness:
    count: int
    loan_amount: Decimal


@strawberry.type(description="Releases (解保) in the period and the guarantee liability that ended in it.")
class GuaranteeDashboardReleases:
    full_count: int
    partial_count: int
    released_amount: Decimal = strawberry.field(description="Sum of the amounts of the period's release rows.")
    repaid_amount: Decimal = strawberry.field(description="Repayments the bank reported in the period.")
    compensated_amount: Decimal = strawberry.field(description="The principal of the compensation claims paid in "
                                                               "the period (the in-force balance those ended).")
    guarantee_released: Decimal = strawberry.field(
        description="Guarantees released in the period (解除担保额): released + repaid + compensated.")


@strawberry.type(description="Compensation (代偿) paid in the period.")
class GuaranteeDashboardCompensation:
    count: int
    paid_amount: Decimal = strawberry.field(description="What the company paid: the claims less the banks' shares.")
    rate: Decimal | None = strawberry.field(
        description="代偿率: paid in the period / guarantees released in the period; null when nothing was released.")
    claimed_amount: Decimal = strawberry.field(description="The claims paid in the period, gross (principal + "
                                                           "interest + penalty).")
    bank_share: Decimal = strawberry.field(description="The banks' risk share of those claims.")


@strawberry.type(description="Recovery (追偿) and losses.")
class GuaranteeDashboardRecovery:
    recovered: Decimal = strawberry.field(description="Recovered in the period.")
    cumulative_recovered: Decimal = strawberry.field(description="Recovered up to the end of the period.")
    cumulative_compensation: Decimal = strawberry.field(description="Compensation paid up to the end of the period.")
    rate: Decimal | None = strawberry.field(
        description="cumulativeRecovered / cumulativeCompensation; null when no compensation was paid.")
    written_off: Decimal = strawberry.field(description="Losses written off in the period.")


@strawberry.type(description="Days from submission to effect, for projects that took effect in the period.")
class GuaranteeDashboardCycleTime:
    projects: int
    average_days: Decimal | None


@strawberry.type(description="One person's workload.")
class GuaranteeDashboardPerson:
    user_id: strawberry.ID = strawberry.field(description="Global id of the user.")
    name: str
    in_approval: int = strawberry.field(description="Projects in approval led (A角) by the person.")
    effective: int = strawberry.field(description="Effective projects led by the person.")
    in_force_balance: Decimal
    open_tasks: int = strawberry.field(description="Open guarantee workflow tasks assigned to the person.")
    claimable_tasks: int = strawberry.field(description="Open unclaimed tasks the person may claim.")
    overdue_tasks: int = strawberry.field(description="Open tasks assigned to the person due before asOf.")


@strawberry.type(description="One org unit's workload (the project's org unit; tasks of the unit's people).")
class GuaranteeDashboardUnit:
    org_unit_id: strawberry.ID | None
    name: str
    in_approval: int
    effective: int
    in_force_balance: Decimal
    open_tasks: int


@strawberry.type(description="One value of a breakdown.")
class GuaranteeDashboardSlice:
    key: str | None = strawberry.field(description="Industry code, region code, customer kind or the bank's global "
                                                   "id; null when not recorded.")
    label: str
    in_force_count: int
    in_force_balance: Decimal
    in_force_net_balance: Decimal = strawberry.field(description="The in-force balance net of the banks' risk "
                                                                 "shares.")
    new_count: int
    new_amount: Decimal


@strawberry.type(description="Breakdowns: effective projects now and new business in the period.")
class GuaranteeDashboardBreakdowns:
    industry: list[GuaranteeDashboardSlice]
    region: list[GuaranteeDashboardSlice]
    customer_kind: list[GuaranteeDashboardSlice]
    bank: list[GuaranteeDashboardSlice]


@strawberry.type(description="The leaders' dashboard of the guarantee business over a period.")
class GuaranteeDashboard:
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    in_force: GuaranteeDashboardInForce
    new_business: GuaranteeDashboardNewBusiness
    releases: GuaranteeDashboardReleases
    compensation: GuaranteeDashboardCompensation
    recovery: GuaranteeDashboardRecovery
    cycle_time: GuaranteeDashboardCycleTime
    people: list[GuaranteeDashboardPerson]
    units: list[GuaranteeDashboardUnit]
    breakdowns: GuaranteeDashboardBreakdowns

    @classmethod
    def of(cls, d: service.Dashboard) -> "GuaranteeDashboard":
        def slices(dimension: str) -> list[GuaranteeDashboardSlice]:
            return [GuaranteeDashboardSlice(
                key=_gid("GuaranteeBank", s.key) if dimension == "bank" and s.key else s.key, label=s.label,
                in_force_count=s.in_force_count, in_force_balance=s.in_force_balance,
                in_force_net_balance=s.in_force_net_balance, new_count=s.new_count,
                new_amount=s.new_amount) for s in d.breakdowns[dimension]]

        r = d.releases
        return cls(
            date_from=d.date_from, date_to=d.date_to, as_of=d.as_of,
            in_force=GuaranteeDashboardInForce(count=d.in_force.count, balance=d.in_force.balance,
                                               net_balance=d.in_force.net_balance),
            new_business=GuaranteeDashboardNewBusiness(count=d.new_business.count,
                                                       loan_amount=d.new_business.loan_amount),
            releases=GuaranteeDashboardReleases(
                full_count=r.full_count, partial_count=r.partial_count, released_amount=r.released_amount,
                repaid_amount=r.repaid_amount, compensated_amount=r.compensated_amount,
                guarantee_released=r.guarantee_released),
            compensation=GuaranteeDashboardCompensation(count=d.compensation.count,
                                                        paid_amount=d.compensation.paid_amount,
                                                        rate=d.compensation.rate,
                                                        claimed_amount=d.compensation.claimed_amount,
                                                        bank_share=d.compensation.bank_share),
            recovery=GuaranteeDashboardRecovery(
                recovered=d.recovery.recovered, cumulative_recovered=d.recovery.cumulative_recovered,
                cumulative_compensation=d.recovery.cumulative_compensation, rate=d.recovery.rate,
                written_off=d.recovery.written_off),
            cycle_time=GuaranteeDashboardCycleTime(projects=d.cycle_time.projects,
                                                   average_days=d.cycle_time.average_days),
            people=[GuaranteeDashboardPerson(
                user_id=_gid("User", p.user_id), name=p.name, in_approval=p.in_approval, effective=p.effective,
                in_force_balance=p.in_force_balance, open_tasks=p.open_tasks, claimable_tasks=p.claimable_tasks,
                overdue_tasks=p.overdue_tasks) for p in d.people],
            units=[GuaranteeDashboardUnit(
                org_unit_id=_gid("OrgUnit", u.org_unit_id), name=u.name, in_approval=u.in_approval,
                effective=u.effective, in_force_balance=u.in_force_balance, open_tasks=u.open_tasks)
                for u in d.units],
            breakdowns=GuaranteeDashboardBreakdowns(industry=slices("industry"), region=slices("region"),
                                                    customer_kind=slices("customer_kind"), bank=slices("bank")))


@strawberry.type
class GuaranteeDashboardQuery:
    @strawberry.field(description="The leaders' dashboard over [dateFrom, dateTo] (inclusive), within your data "
                                  "scope (needs guarantee:dashboard:read). asOf (default today) dates overdue tasks.")
    def guarantee_dashboard(self, info: strawberry.Info, date_from: dt.date, date_to: dt.date,
                            as_of: dt.date | None = None) -> GuaranteeDashboard:
        return GuaranteeDashboard.of(service.dashboard(info.context.session, actor(info), date_from=date_from,
                                                       date_to=date_to, as_of=as_of))


QUERIES: tuple = (GuaranteeDashboardQuery,)
MUTATIONS: tuple = ()
TYPES: tuple = (GuaranteeDashboard,)
