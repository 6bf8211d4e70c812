"""A small set of filings for the statistics, checked by hand in the tests (standard split 40:20:20:20, so the
re-guarantor's share is a fifth):

| filing | partner | amount | bank | region | kind | start | status | rate |
| A0 | A | 1000万 | 南京银行 | 南京 | enterprise | 2025-06-01 | confirmed (in force) | 0.0385 |
| A1 | A | 500万 | 南京银行 | 南京 | enterprise | 2026-01-10 | confirmed (in force) | 0.04 |
| A2 | A | 300万 | 江苏银行 | 苏州 | farmer | 2026-02-15 | released 2026-05-01 | 0.05 |
| B1 | B | 200万 | 南京银行 | 南京 | person | 2026-04-01 | compensated 2026-06-01 | none |
| B2 | B | 100万 | 南京银行 | 南京 | enterprise | 2026-03-01 | rejected | 0.0385 |
| B3 | B | 100万 | 南京银行 | 南京 | enterprise | 2026-05-20 | filed (not confirmed) | 0.0385 |

and a paid claim on B1 with a recovery of 50万 (the re-guarantor's part 10万) on 2026-06-15."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

import pytest

from surety.plugins.reguarantee.claim.models import ReguaranteeClaim, ReguaranteeRecovery
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner

AS_OF = dt.date(2026, 6, 30)


@dataclass
class StatsSet:
    a: object
    b: object


@pytest.fixture
def stats_set(rw) -> StatsSet:
    with rw.session() as s:
        pa = make_partner(s, name="甲县融资担保有限公司")
        pb = make_partner(s, name="乙县融资担保有限公司")
        aa = make_agreement(s, pa, valid_from=dt.date(2025, 1, 1))
        ab = make_agreement(s, pb)
        make_filing(s, aa, amount="10000000.00", start_date=dt.date(2025, 6, 1), end_date=dt.date(2027, 5, 31),
                    region="南京")
        make_filing(s, aa, amount="5000000.00", start_date=dt.date(2026, 1, 10), loan_rate=Decimal("0.04"),
                    region="南京")
        make_filing(s, aa, amount="3000000.00", start_date=dt.date(2026, 2, 15), loan_rate=Decimal("0.05"),
                    bank_name="江苏银行", region="苏州", industry="批发零售", customer_kind="farmer",
                    status="released", released_on=dt.date(2026, 5, 1), release_kind="normal")
        b1 = make_filing(s, ab, amount="2000000.00", start_date=dt.date(2026, 4, 1), loan_rate=None,
                         customer_kind="person", region="南京", status="compensated",
                         released_on=dt.date(2026, 6, 1), release_kind="compensation")
        make_filing(s, ab, amount="1000000.00", start_date=dt.date(2026, 3, 1), status="rejected", region="南京",
                    confirmed_on=None)
        make_filing(s, ab, amount="1000000.00", start_date=dt.date(2026, 5, 20), status="filed", region="南京")
        claim = ReguaranteeClaim(claim_no=f"DC-{secrets.token_hex(4)}", filing_id=b1.id, partner_id=pb.id,
                                 compensated_on=dt.date(2026, 5, 28), compensated_amount=Decimal("2000000.00"),
                                 unpaid_principal=Decimal("2000000.00"), covered_base=Decimal("2000000.00"),
                                 claim_amount=Decimal("400000.00"), approved_amount=Decimal("400000.00"),
                                 status="paid", paid_on=dt.date(2026, 6, 5), paid_amount=Decimal("400000.00"))
        s.add(claim)
        s.flush()
        s.add(ReguaranteeRecovery(claim_id=claim.id, recovered_on=dt.date(2026, 6, 15),
                                  amount=Decimal("500000.00"), share_amount=Decimal("100000.00")))
        s.flush()
        return StatsSet(a=pa.id, b=pb.id)
