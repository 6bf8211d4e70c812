"""The household cap across agreements under concurrency (PostgreSQL, two sessions): a filing locks its customers
(core.db.locking.key_locks) before reading their balances across the tenant, so a second filing of the same customer
under another agreement waits for the first and then sees its amount: of two filings that each fit the cap alone but
not together, one passes and the other is refused (without the lock both passed)."""

from __future__ import annotations

import datetime as dt

import pytest

from surety.core.db.locking import key_lock_id
from surety.core.errors import ValidationFailed
from surety.core.testing import in_thread
from surety.plugins.reguarantee.filing import services
from surety.plugins.reguarantee.testing import make_agreement, make_credit_code, make_partner

pytestmark = pytest.mark.postgres
CODE = make_credit_code(5151, "91320500")


def row(ref: str) -> dict:
    """600万 guaranteed for the same company (the standard programme's household cap is 1000万)."""
    return {"project_ref": ref, "loan_contract_no": f"JK-{ref}", "customer_name": "南京某科技有限公司",
            "customer_kind": "enterprise", "customer_id_number": CODE, "scope": "小微", "region": "江苏省南京市",
            "industry": "制造业", "bank_name": "南京银行", "loan_amount": "7000000", "guarantee_amount": "6000000",
            "loan_rate": "0.0385", "start_date": dt.date(2026, 3, 1), "end_date": dt.date(2027, 2, 28),
            "cover_ratio": "1", "fields": {"debt_ratio": "0.65"}}


def test_key_lock_ids_are_stable_and_namespaced():
    assert key_lock_id("a", "x") == key_lock_id("a", "x")
    assert key_lock_id("a", "x") != key_lock_id("b", "x")
    assert -(2 ** 63) <= key_lock_id("a", "x") < 2 ** 63


def test_two_filings_of_one_customer_under_two_agreements_queue_for_the_household_cap(rw):
    with rw.session() as s:
        first = make_agreement(s, make_partner(s, name="苏州担保"), line_amount="20000000.00").id
        second = make_agreement(s, make_partner(s, name="常州担保"), line_amount="20000000.00").id

    def file_second():
        with rw.acting("mgr") as (s2, a2):
            return services.file_one(s2, a2, second, row("XM-B")).status

    with rw.acting("mgr") as (s, a):
        assert services.file_one(s, a, first, row("XM-A")).status == "filed"  # holds the customer until committed
        thread, out = in_thread(file_second)
        rw.wait_until_blocked("the second filing")
    thread.join()
    assert "value" not in out, "both filings passed the household cap"
    assert isinstance(out["error"], ValidationFailed)
    assert "household cap" in str(out["error"].params["reasons"]) or "单户上限" in str(out["error"].params["reasons"])
