"""This plugin's answers to the regulatory plugin's hooks (core/ports/regulatory.py; docs/regulatory/figures.md): the
guarantee figures (在保余额/笔数/户数, 新增, 解除, 代偿, 回收, 损失, 代偿余额) by business type and customer type, and the
in-force exposures per customer, both rebuilt for any past business date from the ledger entries (台账) dated up to
it, as :mod:`finance_figures` rebuilds the in-force balance.

One statement per answer, never a loop per project. The stocks: per project at ``as_of`` (balance, full releases,
loan entries; a materialised CTE on PostgreSQL, so parallel workers do not each recompute it) read from the
month-end balances when ``as_of`` is a month end the day-end wrote (:mod:`month_end`), else the entries dated up to
``as_of`` grouped per project; joined to the project, its product, its credit line and the customer, grouped per
customer, type and line ratio. The flows add up, so they are summed straight from the period's entries (and the
compensation, recovery and write-off entries since inception) joined to the projects, per type. The figures
statement returns both and the per-customer in-force rows (UNION ALL); those are kept in the session for
:func:`exposures` at the same date until the session writes; without them exposures take one statement of their own.

* A project is **in force** at ``as_of`` when its loan (or letter) entry is dated on or before ``as_of``, no full
  release is dated by then and its rebuilt balance is above 0 (so a project released after ``as_of`` still counts).
* **business_type** from the product kind (:data:`BUSINESS_TYPE_OF_KIND`), a loan guarantee of the ``housing`` loan
  category being ``housing``; **customer_type** from the project's loan category (``small_micro``, ``farmer``), else
  the customer's kind at entry (``individual``), else the customer's size (small or micro: ``small_micro``), else
  ``other_enterprise``.
* The bank's share of an exposure: the balance x its credit line's ``risk_share_ratio`` (taken once per customer,
  type and ratio on the sum, rounded half-up to the fen, as ``project.exposure`` does); no line: 0. The project
  records no re-guaranteed share or bond rating: ``reguaranteed`` is 0 and ``rating`` None.
* A ledger entry dated earlier but entered later (a backdated correction) counts in every later call: dates are the
  entries' business dates, never when they were written."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    BigInteger,
    Numeric,
    Uuid,
    and_,
    case,
    cast,
    event,
    func,
    literal,
    null,
    or_,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from surety.core.db.types import Money, Rate
from surety.core.ports import customers as door
from surety.core.ports.regulatory import Exposure, Figure, figure
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.finance.banks import line_covering
from surety.plugins.guarantee.ledger import month_end
from surety.plugins.guarantee.ledger.models import (
    KIND_COMPENSATION,
    KIND_LOAN,
    KIND_RECOVERY,
    KIND_RELEASE,
    KIND_REPAYMENT,
    KIND_WRITE_OFF,
    GuaranteeLedgerEntry,
)
from surety.plugins.guarantee.project.models import (
    CATEGORY_FINANCING,
    GuaranteeCreditLine,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.release.models import RELEASE_FULL

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
#: The workflow subject type :func:`proposed_exposures` knows.
SUBJECT_PROJECT = "guarantee:project"

#: Product kind -> business type of the regulator (core.ports.regulatory.BUSINESS_TYPES); a ``loan`` of the
#: ``housing`` loan category is ``housing``. No product kind is a fund/trust/ABS guarantee yet (``fund_trust``).
BUSINESS_TYPE_OF_KIND = {
    "loan": "loan", "bond": "bond", "other_financing": "other_financing",
    "bid": "bid", "performance": "performance", "litigation": "litigation",
    "advance_payment": "other_non_financing", "other_non_financing": "other_non_financing",
}
#: Loan categories that name the customer type themselves.
CUSTOMER_TYPE_OF_CATEGORY = {"small_micro": "small_micro", "farmer": "farmer"}
#: Customer sizes (customers plugin) counted as small and micro enterprises.
SMALL_MICRO_SIZES = ("small", "micro")

#: The ledger kinds the balance reads, the kinds with a flow, and those summed since inception.
STOCK_KINDS = (KIND_LOAN, KIND_REPAYMENT, KIND_RELEASE, KIND_COMPENSATION)
_FLOW_KINDS = (KIND_LOAN, KIND_RELEASE, KIND_COMPENSATION, KIND_RECOVERY, KIND_WRITE_OFF)
_CUMULATIVE_KINDS = (KIND_COMPENSATION, KIND_RECOVERY, KIND_WRITE_OFF)
#: The kinds a month-end row is rebuilt from (a backdated entry of one rewrites the rows).
MONTH_END_KINDS = tuple(dict.fromkeys((*STOCK_KINDS, *_FLOW_KINDS, *_CUMULATIVE_KINDS)))


def business_type(product_kind: str, loan_category: str | None) -> str:
    """The regulator's business type of a project (module docstring)."""
    if product_kind == "loan" and loan_category == "housing":
        return "housing"
    return BUSINESS_TYPE_OF_KIND.get(product_kind, "other_non_financing")


def customer_type(loan_category: str | None, customer_kind: str | None, size: str | None) -> str:
    """The regulator's customer type of a project (module docstring)."""
    if loan_category in CUSTOMER_TYPE_OF_CATEGORY:
        return CUSTOMER_TYPE_OF_CATEGORY[loan_category]
    if customer_kind == "individual":
        return "individual"
    return "small_micro" if size in SMALL_MICRO_SIZES else "other_enterprise"


def _business_type_column(product_kind, loan_category):
    """:func:`business_type` as a SQL expression (built from the same tables)."""
    whens = [(and_(product_kind == "loan", loan_category == "housing"), literal("housing"))]
    whens += [(product_kind == kind, literal(btype)) for kind, btype in BUSINESS_TYPE_OF_KIND.items()]
    return case(*whens, else_=literal("other_non_financing"))


def _customer_type_column(loan_category, customer_kind, size):
    """:func:`customer_type` as a SQL expression."""
    whens = [(loan_category == cat, literal(ctype)) for cat, ctype in CUSTOMER_TYPE_OF_CATEGORY.items()]
    whens += [(customer_kind == "individual", literal("individual")),
              (size.in_(SMALL_MICRO_SIZES), literal("small_micro"))]
    return case(*whens, else_=literal("other_enterprise"))


def ledger_per_project(as_of: dt.date, *, tenant=None, project_ids=None, flows_from: dt.date | None = None):
    """The entries dated up to ``as_of`` grouped per project: ``project_id``, ``balance`` (finance_figures'
    movement), ``released`` (full releases) and ``effective`` (loan entries); a SELECT (also what
    :mod:`month_end` stores). ``tenant`` filters explicitly (for an INSERT ... SELECT, which the session does not
    filter); ``project_ids`` limits it to those projects (a collection or a SELECT of ids). With ``flows_from``, also
    every project with a flow entry, and the flows of ``flows_from`` .. ``as_of`` (``issued``, ``issued_n``,
    ``released_amount``, ``compensation``, ``recovery``, ``loss``) and since inception (``compensation_cum``,
    ``recovery_cum``, ``loss_cum``), as :func:`_flows` sums them."""
    e = GuaranteeLedgerEntry
    full = and_(e.kind == KIND_RELEASE, e.detail == RELEASE_FULL)
    movement = case((e.kind == KIND_LOAN, e.amount),
                    (e.kind == KIND_REPAYMENT, -e.amount),
                    (and_(e.kind == KIND_RELEASE, e.detail != RELEASE_FULL), -e.amount),
                    (e.kind == KIND_COMPENSATION, -func.coalesce(e.principal, e.amount)),
                    else_=0)
    columns = [e.project_id.label("project_id"), func.sum(movement).label("balance"),
               func.sum(case((full, 1), else_=0)).label("released"),
               func.sum(case((e.kind == KIND_LOAN, 1), else_=0)).label("effective")]
    kinds = STOCK_KINDS
    if flows_from is not None:
        within = e.entry_date >= flows_from

        def flow(kind: str, value=None):
            return func.sum(case((and_(within, e.kind == kind), e.amount if value is None else value), else_=0))

        def cumulative(kind: str):
            return func.sum(case((e.kind == kind, e.amount), else_=0))

        columns += [flow(KIND_LOAN).label("issued"), flow(KIND_LOAN, 1).label("issued_n"),
                    flow(KIND_RELEASE).label("released_amount"), flow(KIND_COMPENSATION).label("compensation"),
                    flow(KIND_RECOVERY).label("recovery"), flow(KIND_WRITE_OFF).label("loss"),
                    cumulative(KIND_COMPENSATION).label("compensation_cum"),
                    cumulative(KIND_RECOVERY).label("recovery_cum"), cumulative(KIND_WRITE_OFF).label("loss_cum")]
        kinds = MONTH_END_KINDS
    stmt = select(*columns).where(e.entry_date <= as_of, e.kind.in_(kinds)).group_by(e.project_id)
    if tenant is not None:
        stmt = stmt.where(e.tenant_id == tenant)
    if project_ids is not None:
        stmt = stmt.where(e.project_id.in_(project_ids))
    return stmt


def _per_project(session: Session, as_of: dt.date, from_ledger: bool = False):
    """Per project at the end of ``as_of`` (:func:`ledger_per_project`'s columns): the month-end rows when ``as_of``
    is a month end the day-end wrote (:mod:`month_end`), else (or with ``from_ledger``) rebuilt from the ledger. A
    materialised CTE on PostgreSQL: computed once, not again in each parallel worker under a join."""
    m = month_end.GuaranteeMonthEndBalance
    if not from_ledger and month_end.is_month_end(as_of) and month_end.written(session, as_of):
        stmt = select(m.project_id, m.balance, m.released, m.effective).where(m.month_end == as_of)
    else:
        stmt = ledger_per_project(as_of)
    return stmt.cte("guarantee_per_project").prefix_with("MATERIALIZED", dialect="postgresql")


def typed(session: Session, stmt):
    """``stmt`` (which joins the projects) joined to each project's product, credit line and customer; returns it
    with the business type and customer type expressions."""
    p, product, line = GuaranteeProject, GuaranteeProduct, GuaranteeCreditLine
    c = door.columns(session)
    stmt = (stmt.join(product, and_(product.tenant_id == p.tenant_id, product.id == p.product_id))
            .outerjoin(line, and_(line.tenant_id == p.tenant_id, line.id == p.credit_line_id))
            .outerjoin(c.entity, and_(c.tenant_id == p.tenant_id, c.id == p.customer_id)))
    return stmt, _business_type_column(product.kind, p.loan_category), \
        _customer_type_column(p.loan_category, p.customer_kind, c.size)


def _per_customer(session: Session, as_of: dt.date, *, in_force_only: bool = False, from_ledger: bool = False):
    """The projects with entries up to ``as_of`` per customer, business type, customer type and credit-line ratio:
    ``in_force_balance`` and ``in_force_n`` of the in-force ones (only those rows with ``in_force_only``)."""
    sub, p, line = _per_project(session, as_of, from_ledger), GuaranteeProject, GuaranteeCreditLine
    plain = _plain(session)
    in_force = and_(sub.c.effective > 0, sub.c.released == 0, sub.c.balance > 0)
    stmt, btype, ctype = typed(session, select().select_from(sub).join(p, p.id == sub.c.project_id))
    stmt = stmt.add_columns(p.customer_id.label("customer_id"), btype.label("business_type"),
                            ctype.label("customer_type"), plain(line.risk_share_ratio).label("ratio"),
                            plain(func.sum(case((in_force, sub.c.balance), else_=0))).label("in_force_balance"),
                            func.sum(case((in_force, 1), else_=0)).label("in_force_n"))
    stmt = stmt.group_by(p.customer_id, btype, ctype, line.risk_share_ratio)
    # The in-force test after the grouping (HAVING), not on the per-project rows: a WHERE there makes PostgreSQL
    # guess a few dozen projects and join a million by nested loops (2.8 s instead of 1.3 s at 100,000).
    return stmt.having(func.sum(case((in_force, 1), else_=0)) > 0) if in_force_only else stmt


def _flows(session: Session, as_of: dt.date, period_start: dt.date):
    """The flows over ``period_start`` .. ``as_of`` and the cumulative compensation figures up to ``as_of`` per
    business and customer type, summed straight from the entries (flows add up: no per-project step); only the
    period's entries and the compensation, recovery and write-off entries are read."""
    e, p = GuaranteeLedgerEntry, GuaranteeProject
    within = e.entry_date >= period_start

    def flow(kind: str, value=None):
        return func.sum(case((and_(within, e.kind == kind), e.amount if value is None else value), else_=0))

    def cumulative(kind: str):
        return func.sum(case((e.kind == kind, e.amount), else_=0))

    stmt, btype, ctype = typed(session, select().select_from(e).join(
        p, and_(p.tenant_id == e.tenant_id, p.id == e.project_id)))
    issued = and_(within, e.kind == KIND_LOAN)
    stmt = stmt.add_columns(
        btype, ctype, func.count(func.distinct(case((issued, p.customer_id)))), flow(KIND_LOAN), flow(KIND_LOAN, 1),
        flow(KIND_RELEASE), flow(KIND_COMPENSATION), flow(KIND_RECOVERY), flow(KIND_WRITE_OFF),
        cumulative(KIND_COMPENSATION), cumulative(KIND_RECOVERY), cumulative(KIND_WRITE_OFF))
    return (stmt.where(e.entry_date <= as_of, or_(and_(within, e.kind.in_(_FLOW_KINDS)), e.kind.in_(_CUMULATIVE_KINDS)))
            .group_by(btype, ctype))


#: What a whole-ledger read sets for its own statement on PostgreSQL (restored after): no JIT (compiling the CASEs
#: cost 0.3 s a statement, more than it saved), and memory to hash the per-project groups instead of sorting them
#: on disk or walking the project index.
BIG_READ_SETTINGS = {"jit": "off", "work_mem": "256MB"}
_SET = text("SELECT set_config('jit', :jit, true), set_config('work_mem', :work_mem, true)")
_CURRENT = text("SELECT current_setting('jit'), current_setting('work_mem')")


@contextmanager
def big_read(session: Session) -> Iterator[None]:
    """:data:`BIG_READ_SETTINGS` for the statements run inside, on PostgreSQL (transaction-local, put back as they
    were afterwards); nothing elsewhere."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    jit, work_mem = session.execute(_CURRENT).one()
    session.execute(_SET, BIG_READ_SETTINGS)
    try:
        yield
    finally:
        session.execute(_SET, {"jit": jit, "work_mem": work_mem})


def _plain(session: Session):
    """On PostgreSQL, a wrapper reading a Money or Rate column as the driver's Decimal (numeric(20,2) sums come back
    exact to the fen already), skipping the type's per-value conversion (a million calls at 100,000 guarantees);
    elsewhere (SQLite stores fen as integers) the column as is."""
    if session.get_bind().dialect.name != "postgresql":
        return lambda column: column
    return lambda column: type_coerce(column, Numeric(asdecimal=True)).label(getattr(column, "name", None))


def _money(value) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(FEN)


#: The flow and cumulative values of a type row (:func:`_flows`), in order.
_FLOWS = ("issued", "issued_n", "released_amount", "compensation", "recovery", "loss", "compensation_cum",
          "recovery_cum", "loss_cum")
#: Measure -> the label of its value in a pair's row of :func:`report_figures`.
_FIGURE_COLUMNS = {
    "guarantee.in_force_balance": "in_force_balance", "guarantee.in_force_count": "in_force_n",
    "guarantee.in_force_households": "in_force_households", "guarantee.issued_amount": "issued",
    "guarantee.issued_count": "issued_n", "guarantee.issued_households": "issued_households",
    "guarantee.released_amount": "released_amount", "guarantee.compensation_amount": "compensation",
    "guarantee.recovery_amount": "recovery", "guarantee.loss_amount": "loss",
    "guarantee.compensation_balance": "compensation_balance",
}
_COUNTS = {"in_force_n", "in_force_households", "issued_n", "issued_households"}

# The exposures a figures call read on the way, per session and date (exposures() at the same date reuses them);
# dropped whenever the session flushes, commits or rolls back.
_MEMO = "surety.guarantee.regulatory_exposures"


def _forget(session: Session, *_args) -> None:
    session.info.pop(_MEMO, None)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, _forget)


def report_figures(session: Session, as_of: dt.date, period_start: dt.date, *, from_ledger: bool = False
                   ) -> list[Figure]:
    """Every ``guarantee.*`` measure by ``business_type`` and ``customer_type`` (the pairs with any record up to
    ``as_of``): stocks at the end of ``as_of``, flows over ``period_start`` .. ``as_of`` (module docstring). Households
    count distinct customers within each pair, so they do not add up across pairs (a customer may be in two).

    One statement, three kinds of row (UNION ALL): ``c`` the per-customer in-force rows (:func:`_per_customer`, a
    CTE; kept for :func:`exposures` at the same date), ``t`` the same CTE summed per type (the stocks and in-force
    households), ``f`` the flows per type (:func:`_flows`)."""
    per = _per_customer(session, as_of, from_ledger=from_ledger).cte("guarantee_per_customer")
    # Typed NULLs (CAST: PostgreSQL matches the UNION's column types pairwise).
    money = lambda: cast(null(), Money)  # noqa: E731
    number = lambda: cast(null(), BigInteger)  # noqa: E731
    plain = _plain(session)
    held = per.c.in_force_n > 0
    customers = (select(literal("c").label("row"), per.c.customer_id, per.c.business_type, per.c.customer_type,
                        plain(per.c.ratio), plain(per.c.in_force_balance), per.c.in_force_n,
                        number().label("in_force_households"), number().label("issued_households"),
                        *[(number() if name == "issued_n" else plain(money())).label(name) for name in _FLOWS])
                 .where(held))
    types = (select(literal("t"), cast(null(), Uuid), per.c.business_type, per.c.customer_type,
                    cast(null(), Rate), func.sum(per.c.in_force_balance), func.sum(per.c.in_force_n),
                    func.count(func.distinct(case((held, per.c.customer_id)))), number(),
                    *[number() if name == "issued_n" else money() for name in _FLOWS])
             .group_by(per.c.business_type, per.c.customer_type))
    flows = _flows(session, as_of, period_start).subquery()
    flow_rows = select(literal("f"), cast(null(), Uuid), *list(flows.c)[:2], cast(null(), Rate),
                       money(), number(), number(), *list(flows.c)[2:])
    pairs: dict[tuple[str, str], dict] = {}
    held_rows = []
    keep = held_rows.append
    with big_read(session):
        rows = session.execute(union_all(customers, types, flow_rows)).all()
    for row in rows:
        if row[0] == "c":
            keep(row[1:7])  # customer id, business type, customer type, ratio, gross, count
            continue
        values = pairs.setdefault((row[2], row[3]), {})
        for label, value in row._asdict().items():
            if value is not None and label not in ("row", "business_type", "customer_type"):
                values[label] = value
    session.info.setdefault(_MEMO, {})[as_of] = held_rows
    return figures_of_pairs(pairs)


def figures_of_pairs(pairs: dict[tuple[str, str], dict]) -> list[Figure]:
    """Every ``guarantee.*`` figure of each (business type, customer type) pair from its summed values (labels of
    :data:`_FIGURE_COLUMNS` and the cumulative compensation figures; a missing value is 0), pairs in order."""
    out: list[Figure] = []
    for (btype, ctype), values in sorted(pairs.items()):
        values["compensation_balance"] = (_money(values.get("compensation_cum")) - _money(values.get("loss_cum"))
                                          - _money(values.get("recovery_cum")))
        for measure, label in _FIGURE_COLUMNS.items():
            value = int(values.get(label) or 0) if label in _COUNTS else _money(values.get(label))
            out.append(figure(measure, value, business_type=btype, customer_type=ctype))
    return out


def bank_share(amount: Decimal, ratio: Decimal | None) -> Decimal:
    """The bank's share ``amount x ratio`` rounded half-up to the fen (0 without a ratio)."""
    return (Decimal(amount) * (ratio or Decimal(0))).quantize(FEN, rounding=ROUND_HALF_UP)


def merge_exposures(rows: Iterable) -> list[Exposure]:
    """Exposures from (customer id, business type, customer type, ratio, gross, count) rows, the shares of each
    ratio added per customer and type."""
    merged: dict[tuple, list] = {}
    for cid, btype, ctype, ratio, gross, count in rows:
        share = (gross * ratio).quantize(FEN, rounding=ROUND_HALF_UP) if ratio else ZERO
        acc = merged.get((cid, btype, ctype))
        if acc is None:
            merged[(cid, btype, ctype)] = [gross, share, count]
        else:
            acc[0] += gross
            acc[1] += share
            acc[2] += count
    # Money columns come back as Decimals of the fen already: no re-rounding per customer.
    return [Exposure(cid, btype, ctype, gross, share, ZERO, None, count)
            for (cid, btype, ctype), (gross, share, count) in merged.items()]


def exposures(session: Session, as_of: dt.date, *, from_ledger: bool = False) -> list[Exposure]:
    """The in-force guarantees at the end of ``as_of`` per customer, business type and customer type: gross
    balance, the banks' shares, count (module docstring). Reuses the rows a :func:`report_figures` call for the same
    date read in this session (nothing written since); else one statement."""
    rows = None if from_ledger else session.info.get(_MEMO, {}).get(as_of)
    if rows is None:
        with big_read(session):
            rows = session.execute(_per_customer(session, as_of, in_force_only=True, from_ledger=from_ledger)).all()
    return merge_exposures(rows)


def proposed_exposures(session: Session, subject_type: str, subject_id: str) -> list[Exposure] | None:
    """What approving a ``guarantee:project`` subject adds: the project's amount as a new exposure of its customer,
    with the bank's share of its credit line (the line approval reserves on when none is held yet; no line: 0); None for another subject type or an unknown project."""
    if subject_type != SUBJECT_PROJECT:
        return None
    try:
        project_id = uuid.UUID(str(subject_id))
    except ValueError:
        return None
    p, product, line = GuaranteeProject, GuaranteeProduct, GuaranteeCreditLine
    row = session.execute(
        select(p.customer_id, p.customer_kind, p.loan_category, p.amount, p.bank_id, product.kind, product.category,
               line.risk_share_ratio)
        .join(product, and_(product.tenant_id == p.tenant_id, product.id == p.product_id))
        .outerjoin(line, and_(line.tenant_id == p.tenant_id, line.id == p.credit_line_id))
        .where(p.id == project_id)).first()
    if row is None:
        return None
    ratio = row.risk_share_ratio
    if ratio is None and row.bank_id is not None and row.category == CATEGORY_FINANCING:
        found = line_covering(session, row.bank_id, business_today())  # the line approval will reserve on
        ratio = found.risk_share_ratio if found is not None else None
    size = (door.summary(session, row.customer_id) or {}).get("size")
    return merge_exposures([(row.customer_id, business_type(row.kind, row.loan_category),
                    customer_type(row.loan_category, row.customer_kind, size), ratio, row.amount, 1)])
