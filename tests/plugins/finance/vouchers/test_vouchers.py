"""Vouchers: what is refused (unbalanced to the fen, empty, both-sided, negative, unknown or inactive account,
missing dimension, closed period), gap-free numbering per period and word, four eyes on review and post, red-ink
reversal instead of edits, closing a period."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.plugins.finance.accounts.services import add_account, update_account
from surety.plugins.finance.vouchers import services
from surety.plugins.finance.vouchers.models import FinanceVoucher

D = dt.date(2026, 11, 5)
PROJECT = uuid.UUID("01900000-0000-7000-8000-000000000001")


def _margin(amount="1000.00", **extra):
    return [{"account": "1002", "debit": amount}, {"account": "2002", "credit": amount, "project_id": PROJECT,
                                                   **extra}]


def _make(s, a, lines=None, *, day=D, word="记", summary="收保证金"):
    return services.create_voucher(s, a, voucher_date=day, word=word, summary=summary,
                                   lines=_margin() if lines is None else lines)


@pytest.mark.parametrize(("lines", "field", "words"), [
    ([], "lines", "at least one line"),
    ([{"account": "1002", "debit": "100.00"}, {"account": "2002", "credit": "99.99", "project_id": PROJECT}],
     "lines", "debits 100.00 yuan, credits 99.99"),
    ([{"account": "1002", "debit": "1", "credit": "1"}, {"account": "2002", "credit": "0", "project_id": PROJECT}],
     "lines[0]", "exactly one of debit and credit"),
    ([{"account": "1002"}, {"account": "1002"}], "lines[0]", "exactly one"),
    ([{"account": "1002", "debit": "-5"}, {"account": "2002", "credit": "-5", "project_id": PROJECT}],
     "lines[0].debit", "zero or more"),
    ([{"account": "1002", "debit": "1.001"}, {"account": "2002", "credit": "1.001", "project_id": PROJECT}],
     "lines[0].debit", "more than two decimal places"),
    ([{"account": "9999", "debit": "5"}, {"account": "2002", "credit": "5", "project_id": PROJECT}],
     "lines[0].account", "no account with the code 9999"),
    ([{"account": "1002", "debit": "5"}, {"account": "2002", "credit": "5"}], "lines[1].project_id",
     "needs the dimension project"),
    ([{"account": "1002", "debit": "5"}, {"account": "2002", "credit": "5", "project_id": "x"}],
     "lines[1].project_id", "is an id"),
])
def test_a_voucher_is_refused(fw, lines, field, words):
    with fw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as err:
            _make(s, a, lines)
    assert err.value.field == field and words in str(err.value)


def test_an_inactive_account_a_parent_account_a_bad_word_and_a_closed_period_are_refused(fw):
    with fw.acting("fin") as (s, a):
        update_account(s, a, "2002", {"active": False})
        with pytest.raises(ValidationFailed, match="inactive"):
            _make(s, a)
        update_account(s, a, "2002", {"active": True})
        add_account(s, a, {"code": "100201", "name": "工行"})
        with pytest.raises(ValidationFailed, match="has sub-accounts"):
            _make(s, a)
        with pytest.raises(ValidationFailed) as err:
            _make(s, a, [{"account": "100201", "debit": "1"}, {"account": "2002", "credit": "1",
                                                               "project_id": PROJECT}], word="X")
        assert err.value.field == "word"
    with fw.acting("fin") as (s, a):
        services.close_period(s, a, "2026-10")
        with pytest.raises(ValidationFailed, match="2026-10 is closed") as err:
            _make(s, a, [{"account": "100201", "debit": "1"}, {"account": "2002", "credit": "1",
                                                               "project_id": PROJECT}], day=dt.date(2026, 10, 31))
        assert err.value.field == "voucher_date"


def test_numbers_are_per_period_and_word_without_gaps(fw):
    with fw.acting("fin") as (s, a):
        numbers = [_make(s, a).number, _make(s, a).number, _make(s, a, word="收").number,
                   _make(s, a, day=dt.date(2026, 12, 1)).number]
    assert numbers == ["记-0001", "记-0002", "收-0001", "记-0001"]
    with pytest.raises(RuntimeError):  # a voucher rolled back gives its number back
        with fw.acting("fin") as (s, a):
            _make(s, a)
            raise RuntimeError("the business fact failed")
    with fw.acting("fin") as (s, a):
        assert _make(s, a).number == "记-0003"
        assert [v.number for v in services.list_vouchers(s, a, period="2026-11", word="记")] == \
            ["记-0001", "记-0002", "记-0003"]


def test_review_and_post_by_another_person_than_the_maker(fw):
    with fw.acting("fin") as (s, a):
        vid = _make(s, a).id
        with pytest.raises(ValidationFailed, match="maker of voucher 记-0001 cannot review"):
            services.review_voucher(s, a, vid)
        with pytest.raises(Conflict):
            services.post_voucher(s, a, vid)  # a draft is not posted
    with fw.acting("fin2") as (s, a):
        v = services.review_voucher(s, a, vid)
        assert (v.status, v.reviewer_id) == ("reviewed", a.id_uuid)
        with pytest.raises(Conflict):
            services.review_voucher(s, a, vid)
    with fw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed, match="cannot post"):
            services.post_voucher(s, a, vid)
    with fw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            services.post_voucher(s, a, vid)
    with fw.acting("fin2") as (s, a):
        v = services.post_voucher(s, a, vid)
        assert (v.status, v.poster_id) == ("posted", a.id_uuid)


def test_a_system_voucher_may_be_reviewed_and_posted_by_anyone_permitted(fw):
    with fw.acting("fin") as (s, a):
        v = _make(s, None)
        assert v.maker_id is None
        services.review_voucher(s, a, v.id)
        assert services.post_voucher(s, a, v.id).status == "posted"


def test_a_voucher_is_corrected_by_a_red_ink_reversal(fw):
    with fw.acting("fin") as (s, a):
        original = _make(s, a, _margin("1234.56"))
        r = services.reverse_voucher(s, a, original.id, voucher_date=dt.date(2026, 12, 2))
        assert (r.reversal_of, r.period, r.number, r.total) == (original.id, "2026-12", "记-0001",
                                                                Decimal("-1234.56"))
        assert r.summary.startswith("冲销2026-11 记-0001")
        lines = services.lines_of(s, [r.id])[r.id]
        assert [(x.account_code, x.debit, x.credit, x.project_id) for x in lines] == [
            ("1002", Decimal("-1234.56"), Decimal("0.00"), None),
            ("2002", Decimal("0.00"), Decimal("-1234.56"), PROJECT)]
        assert s.get(FinanceVoucher, (fw.tenant.id, original.id)).reversed_by == r.id
        with pytest.raises(Conflict, match="already reversed"):
            services.reverse_voucher(s, a, original.id)
        with pytest.raises(Conflict, match="itself a reversal"):
            services.reverse_voucher(s, a, r.id)


def test_a_red_ink_line_must_be_negative(fw):
    with fw.acting("fin") as (s, a):
        original = _make(s, a)
        with pytest.raises(ValidationFailed, match="negative"):
            services.create_voucher(s, a, voucher_date=D, word="记", summary="x", reversal_of=original.id,
                                    lines=_margin("5"))


def test_a_period_closes_only_when_every_voucher_is_posted(fw):
    with fw.acting("fin") as (s, a):
        vid = _make(s, a).id
        with pytest.raises(ValidationFailed, match="1 voucher"):
            services.close_period(s, a, "2026-11")
    with fw.acting("fin2") as (s, a):
        services.review_voucher(s, a, vid)
        services.post_voucher(s, a, vid)
        assert services.close_period(s, a, "2026-11").status == "closed"
        assert services.period_status(s, "2026-11") == "closed"
        with pytest.raises(Conflict):
            services.close_period(s, a, "2026-11")
        with pytest.raises(ValidationFailed):
            services.close_period(s, a, "2026-13")
        assert services.reopen_period(s, a, "2026-11").status == "open"
        assert _make(s, a).number == "记-0002"
    with fw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            services.close_period(s, a, "2026-11")


def test_list_filters(fw):
    with fw.acting("fin") as (s, a):
        _make(s, a)
        _make(s, a, word="收")
        assert [v.number for v in services.list_vouchers(s, a, status="draft", word="收")] == ["收-0001"]
        assert services.list_vouchers(s, a, period="2026-12") == []
        with pytest.raises(ValidationFailed):
            services.list_vouchers(s, a, status="lost")


@pytest.mark.postgres
def test_concurrent_writers_get_distinct_consecutive_numbers(fw):
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 - only this test

    def one(_):
        with fw.acting("fin") as (s, a):
            return _make(s, a).seq

    with ThreadPoolExecutor(max_workers=4) as pool:
        seqs = sorted(pool.map(one, range(12)))
    assert seqs == list(range(1, 13))
