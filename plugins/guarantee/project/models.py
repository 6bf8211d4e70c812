"""Core tables of the ``guarantee`` plugin: settings, number sequences, products, partner banks and credit lines,
projects and their counter-guarantees. Every table is tenant-scoped (primary key ``(tenant_id, id)``, composite
foreign keys that include ``tenant_id``). Other areas keep their tables in their own modules (``rating_models``,
``fee_models``, ``contract_models``, ``meeting_models``). Money is ``Money`` (exact, fen), rates are ``Rate``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate, UTCDateTime, utcnow

# Products ------------------------------------------------------------------------------------------------------------
CATEGORY_FINANCING = "financing"
CATEGORY_NON_FINANCING = "non_financing"
#: Product kind -> category (DOMAIN.md: financing guarantees and non-financing guarantees). Non-financing ones are
#: letters of guarantee (保函: 投标 bid, 履约 performance, 诉讼保全 litigation, 预付款 advance payment, and the
#: regulatory form's "other" non-financing row): they take effect by issuance (finance/issuance.py), not by a loan.
PRODUCT_KINDS = {
    "loan": CATEGORY_FINANCING, "bond": CATEGORY_FINANCING, "other_financing": CATEGORY_FINANCING,
    "bid": CATEGORY_NON_FINANCING, "performance": CATEGORY_NON_FINANCING, "litigation": CATEGORY_NON_FINANCING,
    "advance_payment": CATEGORY_NON_FINANCING, "other_non_financing": CATEGORY_NON_FINANCING,
}
#: The loan category a project carries (regulatory reports weight it later).
LOAN_CATEGORIES = ("small_micro", "farmer", "housing", "other")

# Projects ------------------------------------------------------------------------------------------------------------
#: draft -> in_approval -> approved -> contracted -> effective -> released; or rejected / withdrawn / cancelled; an
#: effective guarantee whose whole in-force principal was compensated (代偿) becomes ``compensated``.
STATUS_DRAFT = "draft"
STATUS_IN_APPROVAL = "in_approval"
STATUS_APPROVED = "approved"
STATUS_REJECTED = "rejected"
STATUS_WITHDRAWN = "withdrawn"
STATUS_CONTRACTED = "contracted"
STATUS_EFFECTIVE = "effective"
STATUS_CANCELLED = "cancelled"
STATUS_RELEASED = "released"
STATUS_COMPENSATED = "compensated"
PROJECT_STATUSES = (STATUS_DRAFT, STATUS_IN_APPROVAL, STATUS_APPROVED, STATUS_REJECTED, STATUS_WITHDRAWN,
                    STATUS_CONTRACTED, STATUS_EFFECTIVE, STATUS_RELEASED, STATUS_CANCELLED, STATUS_COMPENSATED)
#: zh-CN label of each project status.
PROJECT_STATUS_LABELS = {
    STATUS_DRAFT: "草稿", STATUS_IN_APPROVAL: "审批中", STATUS_APPROVED: "已批准", STATUS_REJECTED: "已否决",
    STATUS_WITHDRAWN: "已撤回", STATUS_CONTRACTED: "已签约", STATUS_EFFECTIVE: "已生效", STATUS_RELEASED: "已解保",
    STATUS_CANCELLED: "已取消", STATUS_COMPENSATED: "已代偿",
}

#: Components a compensation claim (代偿) may cover (保证范围), in the order the contract names them.
COMPONENT_PRINCIPAL = "principal"
COMPONENT_INTEREST = "interest"
COMPONENT_PENALTY = "penalty"
COMPONENTS = {COMPONENT_PRINCIPAL: "本金", COMPONENT_INTEREST: "利息", COMPONENT_PENALTY: "罚息"}
#: What a project covers when it states nothing (``covered_components`` None), by product category: a financing
#: guarantee covers the loan's principal, interest and penalty interest (Civil Code art. 691, and the letter's
#: 保证范围); a non-financing guarantee (bid, performance, litigation) covers the guaranteed sum only.
DEFAULT_COMPONENTS = {
    "financing": (COMPONENT_PRINCIPAL, COMPONENT_INTEREST, COMPONENT_PENALTY),
    "non_financing": (COMPONENT_PRINCIPAL,),
}

#: Five-category risk classification of a guarantee (正常/关注/次级/可疑/损失); changed by approval only.
RISK_NORMAL = "normal"
RISK_CLASSES = {"normal": "正常", "special_mention": "关注", "substandard": "次级", "doubtful": "可疑", "loss": "损失"}
#: The class a project is raised to (at least) when compensation is paid on it.
RISK_ON_COMPENSATION = "substandard"


def risk_rank(risk_class: str) -> int:
    """The position of ``risk_class`` in RISK_CLASSES (normal 0 .. loss 4): a higher rank is a worse class."""
    return list(RISK_CLASSES).index(risk_class)

# Counter-guarantees ---------------------------------------------------------------------------------------------------
COUNTER_KINDS = ("pledge", "mortgage", "third_party", "credit", "lien", "deposit")


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)


class GuaranteeNumberSequence(TenantScoped, Base):
    """The last number given for one prefix of the pattern (e.g. ``DB-2026-``): incremented under a row lock in the
    submitting transaction, so numbers are unique and gap-free (a rolled-back submission gives its number back)."""

    __tablename__ = "guarantee_number_sequences"
    __table_args__ = (UniqueConstraint("tenant_id", "prefix"),)

    prefix: Mapped[str] = mapped_column(String(60))
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class GuaranteeProduct(TenantScoped, Base):
    __tablename__ = "guarantee_products"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # a key of PRODUCT_KINDS
    category: Mapped[str] = mapped_column(String(20))  # derived from kind
    min_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    max_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    min_term_months: Mapped[int] = mapped_column(Integer, default=1)
    max_term_months: Mapped[int] = mapped_column(Integer, default=60)
    #: Default yearly guarantee-fee rate (e.g. 0.015 for 1.5 %).
    default_fee_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    requires_counter_guarantee: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeBank(TenantScoped, Base):
    """A cooperating bank (partner)."""

    __tablename__ = "guarantee_banks"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeCreditLine(TenantScoped, Base):
    """A bank's credit line (授信额度) to the company: total, used (approved and in-force guarantees) and the bank's
    risk-sharing ratio. ``available = total - used``."""

    __tablename__ = "guarantee_credit_lines"
    __table_args__ = (_fk("bank_id", "guarantee_banks"), Index("ix_guarantee_credit_lines_bank", "tenant_id", "bank_id"))

    bank_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    total: Mapped[Decimal] = mapped_column(Money)
    used: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    #: The bank's share of each loss (e.g. 0.20 for 20 %).
    risk_share_ratio: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeProject(TenantScoped, Base):
    """A guarantee project from application to an effective guarantee (and later, part 2, to closure)."""

    __tablename__ = "guarantee_projects"
    __table_args__ = (
        UniqueConstraint("tenant_id", "project_no"),
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        _fk("product_id", "guarantee_products"),
        _fk("bank_id", "guarantee_banks"),
        _fk("credit_line_id", "guarantee_credit_lines"),
        ForeignKeyConstraint(["tenant_id", "manager_a_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "manager_b_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "org_unit_id"], ["org_units.tenant_id", "org_units.id"]),
        Index("ix_guarantee_projects_list", "tenant_id", "created_at", "id"),
        Index("ix_guarantee_projects_customer", "tenant_id", "customer_id"),
        Index("ix_guarantee_projects_status", "tenant_id", "status"),
        Index("ix_guarantee_projects_manager", "tenant_id", "manager_a_id"),
        Index("ix_guarantee_projects_org_unit", "tenant_id", "org_unit_id"),
    )

    #: Given at submission from the tenant's pattern (docs/guarantee/project.md); None while the project is a draft.
    project_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The customer's kind when the project was entered (``individual``/``corporate``): risk weights use it.
    customer_kind: Mapped[str] = mapped_column(String(16))
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    bank_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    credit_line_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: What the project holds on its credit line now: the amount reserved at approval, less what releases,
    #: compensations and undone approvals gave back (banks.reserve / banks.release keep it).
    credit_line_held: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    amount: Mapped[Decimal] = mapped_column(Money)
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(500), default="")
    loan_category: Mapped[str] = mapped_column(String(20), default="other")
    renewal: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A角 (lead) and B角 (second) customer managers.
    manager_a_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    manager_b_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: The org unit the project belongs to (the lead manager's at application): data scopes and routing use it.
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: The owner for data scopes (``own``): the lead manager.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_DRAFT)
    #: Screening flags (``watchlist``, ``collision``...) attached at submission.
    flags: Mapped[list] = mapped_column(JSON, default=list)
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: Project risk (counter-guarantees and weights): degree 0..1 and amount in yuan.
    risk_degree: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    risk_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    # Loan confirmation (放款确认): the guarantee takes effect.
    loan_contract_no: Mapped[str | None] = mapped_column(String(100), nullable=True)
    loan_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    loan_start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    loan_end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    loan_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    effective_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # Non-financing guarantees (保函: bid, performance, litigation, advance payment, ...): the beneficiary (受益人)
    # the letter is addressed to, the underlying contract or tender (基础合同/招标项目) and the expiry date (保函到期日)
    # after which no claim is accepted. Financing guarantees leave them empty (their beneficiary is the bank).
    beneficiary_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    underlying_contract: Mapped[str | None] = mapped_column(String(300), nullable=True)
    expiry_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: The number of the letter of guarantee (保函编号) given at issuance (finance/issuance.py; the project number
    #: when none is given). At issuance ``loan_amount`` takes the letter's guaranteed sum (the amount the guarantee
    #: took effect for) while the other loan columns stay empty.
    letter_no: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: The fee proposed with the application (拟收担保费), reviewed with it: a yearly rate and/or an amount in yuan.
    proposed_fee_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    proposed_fee: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    #: The guaranteed amount still in force (starts at the loan amount when the guarantee takes effect).
    in_force_balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    #: The components a compensation claim may cover (keys of COMPONENTS, in that order), as the contract states;
    #: None: the product category's default (DEFAULT_COMPONENTS). Set before the guarantee takes effect.
    covered_components: Mapped[list | None] = mapped_column(JSON, nullable=True)
    #: Five-category classification (a key of RISK_CLASSES), changed through an approved classification change
    #: (and raised to at least ``substandard`` when compensation is paid: docs/guarantee/compensation.md).
    risk_class: Mapped[str] = mapped_column(String(20), default=RISK_NORMAL)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuaranteeCounterGuarantee(TenantScoped, Base):
    """One counter-guarantee (反担保) of a project: kind, what it is, valuation, discount rate."""

    __tablename__ = "guarantee_counter_guarantees"
    __table_args__ = (_fk("project_id", "guarantee_projects", "CASCADE"),
                      Index("ix_guarantee_counter_guarantees_project", "tenant_id", "project_id"))

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))  # one of COUNTER_KINDS
    description: Mapped[str] = mapped_column(String(500), default="")
    #: Who provides it (the pledgor, mortgagor or guarantor).
    owner_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Kind-specific collateral details (e.g. certificate number, address, area, plate number).
    collateral: Mapped[dict] = mapped_column(JSON, default=dict)
    valuation: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    valuation_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: Share of the valuation counted as cover (e.g. 0.70).
    discount_rate: Mapped[Decimal] = mapped_column(Rate, default=Decimal("1"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
