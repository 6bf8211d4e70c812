"""Figures 6-8: customer search among a million customers of one tenant (and a million in other tenants), and a
10,000-row spreadsheet import.

6. Exact search by ID card number (blind index) through the service: ``search_customers`` in a tenant session
   (permission check, data scope, ORM, RLS, decryption of the page), p95 against a 20 ms target, next to the same
   SELECT hand-written on a raw connection.
7. Name-prefix search (first page of 50, ordered by name), same comparison.
8. Import of 10,000 rows with validation (all or nothing), against the dry run of the same file (validation only).

Rows are bulk-inserted by the owner with ``INSERT ... SELECT generate_series``. Ciphertexts are copies of one real
ciphertext of the tenant (same tenant, table and column, so they decrypt); blind indexes of the filler rows are
random hex, and 1,000 probe rows carry real blind indexes of valid ID numbers.
"""

from __future__ import annotations

import random
import time
import uuid

from bench_stats import Figure, interleaved_ms, median, percentile
from sqlalchemy import String, create_engine, func, insert, select, text, type_coerce

from surety.core.crypto.blind_index import blind_index
from surety.core.db.session import Database
from surety.core.identity.models import User
from surety.core.testing import TEST_PASSWORD
from surety.plugins.customers.imports import import_customers, rows_for
from surety.plugins.customers.models import Customer
from surety.plugins.customers.records import create_customer
from surety.plugins.customers.search import CustomerFilter, search_customers
from surety.plugins.customers.testing import actor_for, make_id, make_uscc
from surety.tenants.models import Tenant
from surety.tenants.service import create_tenant

TARGET_MS = 20.0
PROBES = 1000
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
            "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
PAGE = 50

_FILL = text("""
INSERT INTO customers (tenant_id, id, kind, name, name_norm, id_number, id_number_bidx, phone, phone_bidx,
                       family, shareholders, key_people, tags, version, created_at, updated_at, owner_id,
                       org_unit_id)
SELECT :tenant, gen_random_uuid(), 'individual', n.name, n.name, :cipher,
       md5(:salt || i::text) || md5(i::text || :salt), :phone_cipher, md5('p' || :salt || i::text),
       '[]', '[]', '[]', '[]', 1, now(), now(), :owner, :unit
FROM generate_series(1, :count) AS i
CROSS JOIN LATERAL (SELECT substr(:surnames, 1 + (i % char_length(:surnames)), 1) || '客户' || i AS name) AS n
""")

_PROBE = text("""
INSERT INTO customers (tenant_id, id, kind, name, name_norm, id_number, id_number_bidx, family, shareholders,
                       key_people, tags, version, created_at, updated_at, owner_id, org_unit_id)
VALUES (:tenant, gen_random_uuid(), 'individual', :name, :name, :cipher, :bidx, '[]', '[]', '[]', '[]', 1, now(),
        now(), :owner, :unit)
""")


def _template(db: Database, tenant_id: uuid.UUID, actor) -> dict:
    """One real customer: its ciphertexts are copied into the filler rows."""
    with db.tenant_session(tenant_id) as s:
        c = create_customer(s, actor, "individual", {"name": "模板客户", "id_number": make_id(999, born="19500101"),
                                                     "phone": "13800000000"})
        t = Customer.__table__
        row = s.execute(select(type_coerce(t.c.id_number, String), type_coerce(t.c.phone, String))
                        .where(t.c.id == c.id)).one()
    return {"cipher": row[0], "phone_cipher": row[1]}


def probe_id(n: int) -> str:
    return make_id(n % 1000, born=f"19{60 + n // 1000:02d}0615")


def seed(db: Database, owner_url: str, *, rows: int, other_rows: int, others: int = 10):
    tenant = create_tenant(db, slug="bench-cust", name="Bench Customers", plugins=["customers"],
                           admin_password=TEST_PASSWORD)
    with db.tenant_session(tenant.id) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        actor = actor_for(admin)
    tpl = _template(db, tenant.id, actor)
    other_ids = [uuid.uuid4() for _ in range(others)]
    with db.platform_session() as s:
        s.execute(insert(Tenant), [dict(id=t, slug=f"bench-cust-{n}", name=f"Other {n}", enabled_plugins=["core"])
                                   for n, t in enumerate(other_ids)])
    probes = [probe_id(n) for n in range(PROBES)]
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            common = dict(surnames=SURNAMES, owner=admin.id, unit=admin.org_unit_id, **tpl)
            conn.execute(_FILL, dict(common, tenant=tenant.id, salt="a", count=rows - PROBES))
            for n, t in enumerate(other_ids):
                conn.execute(_FILL, dict(common, tenant=t, salt=f"o{n}", count=other_rows // others, owner=None,
                                         unit=None))
            conn.execute(_PROBE, [dict(tenant=tenant.id, name=f"探针{n}", cipher=tpl["cipher"],
                                       bidx=blind_index(tenant.id, p, "id_number"), owner=admin.id,
                                       unit=admin.org_unit_id) for n, p in enumerate(probes)])
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE customers"))
            total = conn.scalar(select(func.count()).select_from(Customer.__table__))
    finally:
        engine.dispose()
    return tenant.id, actor, probes, total


def _raw(db: Database, tenant_id: uuid.UUID, sql: str):
    stmt = text(sql)

    def run(**params):
        with db.engine.connect() as conn, conn.begin():
            conn.execute(select(func.set_config("app.tenant_id", str(tenant_id), True)))
            return conn.execute(stmt, {"t": tenant_id, **params}).all()

    return run


def run_search(db: Database, owner_url: str, *, rows: int, other_rows: int, runs: int, warmup: int) -> list[Figure]:
    start = time.perf_counter()
    tenant_id, actor, probes, total = seed(db, owner_url, rows=rows, other_rows=other_rows)
    seeded = time.perf_counter() - start
    rnd = random.Random(6)

    def service(f: CustomerFilter, expect: int | None):
        with db.tenant_session(tenant_id) as s:
            found = search_customers(s, actor, f, limit=PAGE)
        if expect is not None and len(found) != expect:
            raise RuntimeError(f"search {f} found {len(found)}, expected {expect}")
        return found

    exact_sql = _raw(db, tenant_id, "SELECT * FROM customers WHERE tenant_id = :t AND id_number_bidx = :b "
                                    "AND deleted_at IS NULL LIMIT 50")
    prefix_sql = _raw(db, tenant_id, "SELECT * FROM customers WHERE tenant_id = :t AND deleted_at IS NULL AND "
                                     "name_norm >= :p AND name_norm < :q ORDER BY name_norm, id LIMIT 50")
    pick = lambda: probes[rnd.randrange(len(probes))]  # noqa: E731

    def exact_pair():
        p = pick()
        b = blind_index(tenant_id, p, "id_number")
        return (lambda: service(CustomerFilter(id_number=p), 1),
                lambda: exact_sql(b=b) or (_ for _ in ()).throw(RuntimeError("raw exact search found nothing")))

    def prefix_value() -> str:
        head = SURNAMES[rnd.randrange(len(SURNAMES))]
        return head + "客户" + str(rnd.randint(1, 99))

    figures = []
    for what, _make in (("exact", None), ("prefix", None)):
        s_ms, b_ms = [], []
        for i in range(warmup + runs):
            if what == "exact":
                a, b = exact_pair()
            else:
                p = prefix_value()
                a = lambda p=p: service(CustomerFilter(name_prefix=p), None)  # noqa: E731
                b = lambda p=p: prefix_sql(p=p, q=p[:-1] + chr(ord(p[-1]) + 1))  # noqa: E731
            ta, tb = interleaved_ms(a, b, 1, 0)
            if i >= warmup:
                s_ms += ta
                b_ms += tb
        p95, p95b = percentile(s_ms, 95), percentile(b_ms, 95)
        label = ("Exact search by ID number (blind index)" if what == "exact"
                 else f"Name-prefix search, first page of {PAGE}")
        figures.append(Figure(
            what=f"{label} among {rows:,} customers of a tenant (+{other_rows:,} in others), p95",
            surety=p95, baseline=p95b, unit="ms", target=f"p95 <= {TARGET_MS:.0f} ms", passed=p95 <= TARGET_MS,
            notes=(f"service search_customers (permission, data scope, ORM, RLS, decryption) vs the same SELECT on a "
                   f"raw connection; {runs} pairs after {warmup} warm-up; medians {median(s_ms):.3f} / "
                   f"{median(b_ms):.3f} ms; {total:,} rows in the table, seeded in {seeded:.0f} s",)))
    return figures


def run_import(db: Database, *, rows: int) -> Figure:
    tenant = create_tenant(db, slug="bench-import", name="Bench Import", plugins=["customers"],
                           admin_password=TEST_PASSWORD)
    with db.tenant_session(tenant.id) as s:
        actor = actor_for(s.scalar(select(User).where(User.username == "admin")))
    data = rows_for(
        {"kind": "individual", "name": f"导入客户{n}", "id_number": probe_id(n), "phone": f"139{n:08d}",
         "address": f"北京市海淀区中关村大街{n}号", "tags": "导入"} if n % 2 == 0 else
        {"kind": "corporate", "name": f"导入企业{n}", "id_number": make_uscc(n), "industry": "C13", "region": "110105",
         "registered_capital": "1000000.00", "legal_rep_name": f"导入客户{n - 1}",
         "legal_rep_id_number": probe_id(n - 1)}
        for n in range(rows))
    start = time.perf_counter()
    with db.tenant_session(tenant.id) as s:
        report = import_customers(s, actor, data, dry_run=True)
    dry = time.perf_counter() - start
    if not report.ok:
        raise RuntimeError(f"bench import file has bad rows: {report.errors[:3]}")
    start = time.perf_counter()
    with db.tenant_session(tenant.id) as s:
        report = import_customers(s, actor, data)
    real = time.perf_counter() - start
    if report.imported != rows:
        raise RuntimeError(f"imported {report.imported} of {rows}")
    return Figure(
        what=f"Import of {rows:,} rows from .xlsx with validation, all or nothing (recorded)",
        surety=real, baseline=dry, unit="s", target="recorded (no target)", passed=True,
        notes=(f"baseline: the dry run of the same file (read + validate only); {rows / real:.0f} rows/s imported, "
               "including encryption, blind indexes, tags, keys, versions and related-party detection",))
