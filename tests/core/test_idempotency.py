"""Idempotency keys (core/idempotency.py): the same key and parameters replay the first result and write nothing
more; other parameters or another caller are refused; a failure frees the key; keys expire and the day-end batch
purges them; on PostgreSQL two attempts at once make one row (the second waits, then replays)."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select, text, update

from surety.core.batch import run_day_end
from surety.core.context import ACTOR_USER, Actor
from surety.core.errors import ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.idempotency import (
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    canonical,
    check_key,
    idempotent,
    params_hash,
    purge_expired,
)
from surety.core.idempotency_models import IdempotencyKey
from surety.core.testing import new_bare_tenant

PROBE = "IdempotencyProbe"
SCOPE = "probeCreate"


def who(tenant_id, user_id: uuid.UUID | None = None) -> Actor:
    return Actor(type=ACTOR_USER, id=str(user_id or uuid.uuid4()), tenant_id=tenant_id)


def make_row(session, label: str = "x") -> OutboxEvent:
    """The stand-in business write: one outbox row."""
    row = OutboxEvent(event_type=PROBE, payload={"label": label})
    session.add(row)
    session.flush()
    return row


def call(session, actor, key, params, label: str = "x", scope: str = SCOPE, **kw):
    return idempotent(session, actor, scope=scope, key=key, params=params,
                      perform=lambda: make_row(session, label), **kw)


def counts(db, tenant_id) -> tuple[int, int]:
    """(probe rows, key rows) of the tenant."""
    with db.tenant_session(tenant_id) as s:
        return (s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.event_type == PROBE)),
                s.scalar(select(func.count()).select_from(IdempotencyKey)))


@pytest.fixture
def tenant(bare_tenant):
    return bare_tenant


# ---------------------------------------------------------------- semantics -----------------------------------------


def test_without_a_key_every_call_writes(db, tenant):
    a = who(tenant.id)
    for _ in range(2):
        with db.tenant_session(tenant.id) as s:
            call(s, a, None, {"amount": "1"})
    assert counts(db, tenant.id) == (2, 0)


def test_same_key_and_params_replay_the_first_result_and_write_nothing_more(db, tenant):
    a = who(tenant.id)
    ids = []
    for _ in range(3):
        with db.tenant_session(tenant.id) as s:
            ids.append(call(s, a, "k-1", {"amount": Decimal("100.00"), "day": dt.date(2026, 1, 2)}).id)
    assert ids[0] == ids[1] == ids[2]
    assert counts(db, tenant.id) == (1, 1)
    with db.tenant_session(tenant.id) as s:
        row = s.scalars(select(IdempotencyKey)).one()
        assert (row.scope, row.key, row.actor) == (SCOPE, "k-1", a.subject)
        assert row.result == {"entity": "event_outbox", "id": str(ids[0])}
        assert row.expires_at - row.created_at == dt.timedelta(hours=24)


def test_equal_values_are_the_same_params():
    assert params_hash({"a": Decimal("100"), "b": None}) == params_hash({"b": None, "a": Decimal("100.00")})
    assert params_hash({"a": Decimal("100")}) != params_hash({"a": Decimal("100.01")})
    assert canonical({"d": dt.date(2026, 1, 2), "u": uuid.UUID(int=1)}) == \
        {"d": "2026-01-02", "u": "00000000-0000-0000-0000-000000000001"}


def test_same_key_with_other_params_is_refused_and_writes_nothing(db, tenant):
    a = who(tenant.id)
    with db.tenant_session(tenant.id) as s:
        call(s, a, "k-2", {"amount": "100"})
    with pytest.raises(IdempotencyKeyReused) as err, db.tenant_session(tenant.id) as s:
        call(s, a, "k-2", {"amount": "200"})
    assert err.value.code == "IDEMPOTENCY_KEY_REUSED" and err.value.field == "idempotency_key"
    assert "幂等键" in err.value.message and "other parameters" in err.value.message
    assert counts(db, tenant.id) == (1, 1)


def test_another_caller_cannot_replay_nor_reuse_a_key(db, tenant):
    with db.tenant_session(tenant.id) as s:
        call(s, who(tenant.id), "k-3", {"amount": "100"})
    with pytest.raises(IdempotencyKeyReused), db.tenant_session(tenant.id) as s:
        call(s, who(tenant.id), "k-3", {"amount": "100"})
    assert counts(db, tenant.id) == (1, 1)


def test_a_key_belongs_to_one_mutation_and_one_tenant(db, tenant):
    a = who(tenant.id)
    with db.tenant_session(tenant.id) as s:
        first = call(s, a, "k-4", {"amount": "1"}, scope="probeCreate")
        other = call(s, a, "k-4", {"amount": "1"}, scope="probeRefund")
    assert first.id != other.id
    assert counts(db, tenant.id) == (2, 2)
    elsewhere = new_bare_tenant(db)
    with db.tenant_session(elsewhere.id) as s:
        call(s, who(elsewhere.id, uuid.UUID(a.id)), "k-4", {"amount": "1"})
    assert counts(db, elsewhere.id) == (1, 1) and counts(db, tenant.id) == (2, 2)


def test_a_failed_call_frees_its_key(db, tenant):
    a = who(tenant.id)

    def failing():
        raise ValidationFailed("nope", field="amount")

    with db.tenant_session(tenant.id) as s:
        with pytest.raises(ValidationFailed), s.begin_nested():  # what run_mutation does
            idempotent(s, a, scope=SCOPE, key="k-5", params={"amount": "1"}, perform=failing)
        assert s.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    with db.tenant_session(tenant.id) as s:
        call(s, a, "k-5", {"amount": "1"})
    assert counts(db, tenant.id) == (1, 1)


def test_the_same_key_twice_in_one_transaction_writes_once(db, tenant):
    a = who(tenant.id)
    with db.tenant_session(tenant.id) as s:
        assert call(s, a, "k-6", {"amount": "1"}).id == call(s, a, "k-6", {"amount": "1"}).id
    assert counts(db, tenant.id) == (1, 1)


def test_custom_record_and_replay(db, tenant):
    a = who(tenant.id)
    for _ in range(2):
        with db.tenant_session(tenant.id) as s:
            out = idempotent(s, a, scope=SCOPE, key="k-7", params={}, perform=lambda: ("made", make_row(s).id),
                             record=lambda r: {"row": r[1]}, replay=lambda stored: ("replayed", stored["row"]))
    assert out[0] == "replayed"
    assert counts(db, tenant.id) == (1, 1)


@pytest.mark.parametrize("key", ["", " k", "k k", "x" * 129, "幂等", "k\x00", "a/b", 42])
def test_keys_are_checked(key):
    with pytest.raises(ValidationFailed) as err:
        check_key(key)
    assert err.value.field == "idempotency_key"


@pytest.mark.parametrize("key", ["k", "x" * 128, "0b1f8d3e-4c5a-4e8f-9f0a-1b2c3d4e5f60", "order-12:fee_1.a"])
def test_good_keys_pass(key):
    assert check_key(key) == key


# ---------------------------------------------------------------- expiry --------------------------------------------


def _expire(db, tenant_id, key: str) -> None:
    with db.tenant_session(tenant_id) as s:
        s.execute(update(IdempotencyKey).where(IdempotencyKey.key == key)
                  .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))


def test_an_expired_key_is_taken_over_as_new(db, tenant):
    a = who(tenant.id)
    with db.tenant_session(tenant.id) as s:
        first = call(s, a, "k-8", {"amount": "1"}).id
    _expire(db, tenant.id, "k-8")
    with db.tenant_session(tenant.id) as s:
        second = call(s, a, "k-8", {"amount": "2"}).id  # other params: fine once expired
    assert first != second
    assert counts(db, tenant.id) == (2, 1)
    with db.tenant_session(tenant.id) as s:
        assert call(s, a, "k-8", {"amount": "2"}).id == second


def test_purge_and_the_day_end_batch_delete_expired_keys(db, tenant):
    a = who(tenant.id)
    with db.tenant_session(tenant.id) as s:
        call(s, a, "old-1", {})
        call(s, a, "old-2", {})
        call(s, a, "fresh", {})
    _expire(db, tenant.id, "old-1")
    with db.tenant_session(tenant.id) as s:
        assert purge_expired(s) == 1
    _expire(db, tenant.id, "old-2")
    lines = list(run_day_end(db, dt.date(2026, 3, 31), tenant_slug=tenant.slug))  # a past date: a catch-up run
    assert f"{tenant.slug}: core.idempotency_keys_purge done for 2026-03-31: deleted 1" in lines
    with db.tenant_session(tenant.id) as s:
        assert s.scalars(select(IdempotencyKey.key)).all() == ["fresh"]


# ---------------------------------------------------------------- concurrency (PostgreSQL) ---------------------------


@pytest.fixture
def lock_waiters(db):
    """``lock_waiters()``: how many sessions of the test database wait on a lock (read as the owner)."""
    engine = create_engine(db.owner_url)

    def count() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND wait_event_type = 'Lock'")).scalar()

    yield count
    engine.dispose()


def _until(condition, alive) -> None:
    """Poll until ``condition()`` holds or ``alive()`` stops being true."""
    while not condition() and alive():
        time.sleep(0.01)


@pytest.mark.postgres
def test_concurrent_attempts_make_one_row_and_the_second_replays_the_first(db, tenant, lock_waiters):
    a = who(tenant.id)
    performed, commit = threading.Event(), threading.Event()
    out: dict[str, object] = {}

    def first():
        with db.tenant_session(tenant.id) as s:
            out["first"] = call(s, a, "race", {"amount": "1"}, label="first").id
            performed.set()
            commit.wait()

    def second():
        performed.wait()
        try:
            with db.tenant_session(tenant.id) as s:
                out["second"] = call(s, a, "race", {"amount": "1"}, label="second").id
        except Exception as exc:  # reported below
            out["second"] = exc

    t1, t2 = threading.Thread(target=first), threading.Thread(target=second)
    t1.start(), t2.start()
    performed.wait()
    _until(lambda: lock_waiters() > 0, t2.is_alive)  # the second insert waits on the unique index
    assert t2.is_alive() and "second" not in out, out
    commit.set()
    t1.join(), t2.join()
    assert out["second"] == out["first"], out
    assert counts(db, tenant.id) == (1, 1)


@pytest.mark.postgres
def test_a_second_attempt_that_waits_too_long_is_told_to_retry(db, tenant):
    a = who(tenant.id)
    performed, commit = threading.Event(), threading.Event()

    def first():
        with db.tenant_session(tenant.id) as s:
            call(s, a, "slow", {"amount": "1"})
            performed.set()
            commit.wait()

    t1 = threading.Thread(target=first)
    t1.start()
    performed.wait()
    try:
        with pytest.raises(IdempotencyKeyInProgress) as err, db.tenant_session(tenant.id) as s:
            call(s, a, "slow", {"amount": "1"}, wait=dt.timedelta(milliseconds=50))
        assert err.value.code == "IDEMPOTENCY_KEY_IN_PROGRESS" and err.value.field == "idempotency_key"
    finally:
        commit.set()
        t1.join()
    with db.tenant_session(tenant.id) as s:  # retried after the first committed: its result
        call(s, a, "slow", {"amount": "1"})
    assert counts(db, tenant.id) == (1, 1)
