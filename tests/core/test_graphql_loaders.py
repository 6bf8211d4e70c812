"""graphql/loaders.py's page loader: the related field of a page's rows costs one batch per kind and request."""

from __future__ import annotations

import types

from surety.graphql.loaders import page_related, remember_page


def _info():
    return types.SimpleNamespace(context=types.SimpleNamespace(loaders={}, session="the session"))


def _row(id_, customer_id):
    return types.SimpleNamespace(id=id_, customer_id=customer_id)


def test_the_first_field_loads_every_remembered_row_once_and_the_rest_come_from_the_cache():
    info, calls = _info(), []

    def batch(session, rows):
        calls.append((session, [r.id for r in rows]))
        return {r.customer_id: f"name of {r.customer_id}" for r in rows if r.customer_id != "c9"}

    page = [_row(1, "c1"), _row(2, "c2"), _row(3, "c1"), None, _row(4, None), _row(5, "c9")]
    remember_page(info, "test.page", page)
    assert page_related(info, "test.page", "names", batch, page[1], "customer_id") == "name of c2"
    # One call for the page: one row per distinct key, None keys and None rows left out.
    assert calls == [("the session", [1, 2, 5])]
    assert page_related(info, "test.page", "names", batch, page[0], lambda r: r.customer_id) == "name of c1"
    assert page_related(info, "test.page", "names", batch, page[5], "customer_id") is None  # not found: None
    assert page_related(info, "test.page", "names", batch, page[4], "customer_id") is None  # no key: nothing loaded
    assert len(calls) == 1


def test_a_row_outside_the_page_loads_alone_and_each_field_has_its_own_cache():
    info, calls = _info(), []

    def batch(session, rows):
        calls.append([r.id for r in rows])
        return {r.id: r.id * 10 for r in rows}

    remember_page(info, "test.page", [_row(1, "c1")])
    assert page_related(info, "test.page", "tens", batch, _row(7, "c7"), "id") == 70
    assert calls == [[1, 7]]
    assert page_related(info, "test.page", "tens", batch, _row(8, "c8"), "id") == 80
    assert calls[-1] == [8]
    assert page_related(info, "test.page", "other", batch, _row(1, "c1"), "id") == 10
    assert calls[-1] == [1]
