"""Re-guarantee figures (docs/reguarantee/filings.md, "Benchmark"; the lead merges them into docs/benchmarks.md).

- **Batch filing**: ``filing.services.file_batch`` of ``rows`` rows under one agreement (every row checked field by
  field, the identity number by its check character, de-duplicated against the standing filings and the batch, the
  eligibility rules, the line and every customer's household cap; split, fee, numbers; one insert; an event per
  filing; the batch audited; committed) against a bare bulk insert of the same filings (their column values
  computed before the clock starts, the identity number still encrypted on the way in) into the same table of a
  second tenant, committed. Target: the issue asks for the figure side by side (recorded); we hold ourselves to
  < 60 s for 10,000 rows.

Run alone: ``SURETY_BENCH_DATABASE_URL=postgresql+psycopg://... python tests/bench/bench_reguarantee.py [rows]``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from decimal import Decimal

from bench_stats import Figure
from sqlalchemy import func, insert, select

from surety.core.crypto.blind_index import blind_index
from surety.core.db.base import uuid7
from surety.core.db.session import Database
from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.testing import TEST_PASSWORD
from surety.plugins.reguarantee.agreement import rules
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.agreement.services import fee_rules_of, split_of
from surety.plugins.reguarantee.filing import services
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.testing import make_agreement, make_credit_code, make_partner
from surety.tenants.service import create_tenant

TARGET_SECONDS = 60.0
START = dt.date(2026, 3, 1)


def _tenant(db: Database, slug: str):
    return create_tenant(db, slug=f"{slug}-{secrets.token_hex(3)}", name="Bench reguarantee",
                         plugins=["customers", "reguarantee"], admin_password=TEST_PASSWORD)


def _agreement(db: Database, tenant_id, rows: int):
    """An active agreement whose line takes every row (the standard programme's eligibility: none)."""
    with db.tenant_session(tenant_id) as s:
        a = make_agreement(s, make_partner(s), line_amount=f"{rows * 6_000_000}.00")
        return a.id


def filing_rows(rows: int) -> list[dict]:
    """``rows`` valid rows, each its own customer (a company credit code) and project, 50万 to 549.9万."""
    return [{"project_ref": f"B-{n:07d}", "loan_contract_no": f"JK-{n:07d}", "customer_name": f"批量企业{n}",
             "customer_kind": "enterprise", "customer_id_number": make_credit_code(n, "91320500"), "scope": "小微",
             "region": "江苏省南京市", "industry": "制造业", "bank_name": "南京银行",
             "loan_amount": Decimal(600_000 + (n % 500) * 10_000), "guarantee_amount": Decimal(500_000 + (n % 500)
                                                                                            * 10_000),
             "loan_rate": Decimal("0.0385"), "start_date": START, "end_date": START + dt.timedelta(days=365),
             "cover_ratio": Decimal(1), "fields": {"debt_ratio": "0.6"}} for n in range(1, rows + 1)]


def _bare_values(db: Database, tenant_id, agreement_id, data: list[dict]) -> list[dict]:
    """The filings' column values as file_batch computes them, ready for a bare insert."""
    with db.tenant_session(tenant_id) as s:
        a = s.scalar(select(ReguaranteeAgreement).where(ReguaranteeAgreement.id == agreement_id))
        split, fee_rules = split_of(a), fee_rules_of(a)
        now = dt.datetime.now(dt.UTC)
        out = []
        for n, row in enumerate(data, start=1):
            shares = rules.split_amount(row["guarantee_amount"], split)
            fee = rules.fee_for(row["guarantee_amount"], shares["reguarantor"], fee_rules,
                                (row["end_date"] - row["start_date"]).days)
            out.append({**row, "tenant_id": tenant_id, "id": uuid7(), "filing_no": f"BA-2026-{n:06d}",
                        "batch_id": None, "partner_id": a.partner_id, "agreement_id": a.id,
                        "programme_id": a.programme_id, "status": "filed", "reject_reasons": [],
                        "customer_id_number_bidx": blind_index(tenant_id, row["customer_id_number"], "id_number"),
                        **{f"share_{k}": v for k, v in shares.items()}, "fee_rate": fee.rate, "fee_amount": fee.fee,
                        "channel_id": None, "created_by": None, "created_at": now, "updated_at": now})
        return out


def run_filing_import(db: Database, rows: int = 10_000) -> list[Figure]:
    ours, bare = _tenant(db, "bench-rg"), _tenant(db, "bench-rg-bare")
    ours_agreement, bare_agreement = _agreement(db, ours.id, rows), _agreement(db, bare.id, rows)
    data = filing_rows(rows)
    with db.tenant_session(ours.id) as s:
        admin = user_actor(s.scalar(select(User).where(User.username == "admin")))

    began = time.perf_counter()
    with db.tenant_session(ours.id) as s:
        dry = services.file_batch(s, admin, ours_agreement, data, dry_run=True)
    dry_seconds = time.perf_counter() - began
    began = time.perf_counter()
    with db.tenant_session(ours.id) as s:
        result = services.file_batch(s, admin, ours_agreement, data, file_name="bench.xlsx")
    seconds = time.perf_counter() - began
    if not (dry.ok and result.ok and len(result.filing_ids) == rows):
        raise RuntimeError(f"the bench batch was refused: {[r.errors('en') for r in result.refused][:3]}")

    values = _bare_values(db, bare.id, bare_agreement, data)
    began = time.perf_counter()
    with db.tenant_session(bare.id) as s:
        s.execute(insert(ReguaranteeFiling), values)
    baseline = time.perf_counter() - began
    with db.tenant_session(bare.id) as s:
        if s.scalar(select(func.count()).select_from(ReguaranteeFiling)) != rows:
            raise RuntimeError("the bare insert did not write every row")
    return [
        Figure(what=f"Re-guarantee batch filing of {rows:,} rows (checks, dedupe, eligibility, line, household "
                    "cap, split, fee, numbers, events, audit; all or nothing) vs a bare bulk insert of the same "
                    "filings",
               surety=seconds, baseline=baseline, unit="s", target=f"recorded; < {TARGET_SECONDS:.0f} s",
               passed=seconds < TARGET_SECONDS,
               notes=(f"dry run (checks and report, nothing written): {dry_seconds:.2f} s; "
                      f"{rows / seconds:.0f} rows/s filed",)),
    ]


if __name__ == "__main__":  # python tests/bench/bench_reguarantee.py [rows]: this benchmark alone
    import os
    import sys

    from surety.core.db.session import set_database
    from surety.core.testing import fresh_database

    with fresh_database(os.environ["SURETY_BENCH_DATABASE_URL"]) as tdb:
        database = Database(tdb.app_url, owner_url=tdb.owner_url)
        set_database(database)
        try:
            for figure in run_filing_import(database, rows=int(sys.argv[1]) if len(sys.argv) > 1 else 10_000):
                print(f"{figure.what}: {figure.surety:.3f} {figure.unit} vs {figure.baseline:.3f} {figure.unit} "
                      f"({figure.ratio:.2f}x) target {figure.target}: {'met' if figure.passed else 'MISSED'}")
                for note in figure.notes:
                    print("   ", note)
        finally:
            set_database(None)
            database.dispose()
