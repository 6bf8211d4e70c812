"""The customer pool's view of microloan: each borrower's principal on the books, through the customers_exposure hook
(core.ports.customers.exposure sums every enabled plugin's answer)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from surety.core.ports import customers as door
from surety.plugins.microloan.loan.exposure import exposure
from surety.plugins.microloan.testing import make_loan, make_product


def test_on_book_principal_per_borrower_and_through_the_port(mw):
    one, two, idle = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with mw.session() as s:
        product = make_product(s)
        make_loan(s, product, customer_id=one, amount="100000.00")
        make_loan(s, product, customer_id=one, amount="50000.00")
        make_loan(s, product, customer_id=two, amount="30000.00")
        make_loan(s, product, customer_id=two, amount="20000.00", status="settled").principal_balance = Decimal(0)
        make_loan(s, product, customer_id=idle, amount="9000.00", status="written_off")
        s.flush()
        assert exposure(s, [one, two, idle]) == {one: Decimal("150000.00"), two: Decimal("30000.00")}
        assert exposure(s, []) == {}
        by_plugin = door.exposure(s, [one, two])
        assert by_plugin["microloan"] == {one: Decimal("150000.00"), two: Decimal("30000.00")}
