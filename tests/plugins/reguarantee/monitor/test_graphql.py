"""GraphQL of the monitoring area: the warnings connection with its partner and filters, closing a warning (and the
refusals), the thresholds read and updated (and a refused update), the statistics in 万元 and the .xlsx export."""

from __future__ import annotations

import base64
import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import event
from strawberry import relay

from surety.core.testing import error_codes, graphql_in_language, mutation_ok
from surety.plugins.reguarantee.monitor import warnings as wn
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner
from tests.plugins.reguarantee.monitor.conftest import AS_OF

WARNINGS = ("query($f: ReguaranteeWarningFilterInput, $n: Int) { reguaranteeWarnings(filter: $f, first: $n) { "
            "totalCount edges { node { id asOf indicator indicatorLabel value threshold level levelLabel status "
            "statusLabel message closedOn closedById partner { name } } } } }")
CLOSE = ("mutation($i: ReguaranteeWarningCloseInput!) { reguaranteeWarningClose(input: $i) { warning { status "
         "message closedOn closedById } errors { code field message } } }")
THRESHOLDS = "{ reguaranteeWarningThresholds { indicator indicatorLabel levels { level levelLabel threshold } } }"
UPDATE = ("mutation($i: [ReguaranteeIndicatorThresholdsInput!]!) { reguaranteeWarningThresholdsUpdate(input: $i) { "
          "thresholds { indicator levels { level threshold } } errors { code field message } } }")
STATS = ("query($i: ReguaranteeStatisticsInput!) { reguaranteeStatistics(input: $i) { dimension dateFrom asOf "
         "amountUnit rows { key label filedCount filedAmount balanceCount balance reguarantorBalance riskShareRatio "
         "avgLoanRate released compensated compensationRate recovered recoveredShare periodEnd } "
         "total { label filedAmount balance compensationRate } } }")
EXPORT = ("mutation($i: ReguaranteeStatisticsInput!) { reguaranteeStatisticsExport(input: $i) { file { filename "
          "contentType size rows contentBase64 } errors { code } } }")


def _seed_warnings(rw):
    with rw.session() as s:
        for n, comp in enumerate(("500000.00", "499000.00")):
            p = make_partner(s, name=f"预警测试担保公司{n}")
            a = make_agreement(s, p)
            make_filing(s, a, amount=str(10000000 - int(float(comp))) + ".00", status="released",
                        released_on=dt.date(2026, 5, 1), release_kind="normal")
            make_filing(s, a, amount=comp, status="compensated", released_on=dt.date(2026, 5, 2),
                        release_kind="compensation")
        wn.evaluate(s, AS_OF)


def test_warnings_connection_and_close(api, rw):
    _seed_warnings(rw)
    risk = api.login(rw.tenant.slug, "risk")
    data = api(WARNINGS, {}, risk)["data"]["reguaranteeWarnings"]
    assert data["totalCount"] == 2
    nodes = {e["node"]["level"]: e["node"] for e in data["edges"]}
    red = nodes["red"]
    assert (red["indicator"], red["indicatorLabel"], red["levelLabel"], red["status"], red["statusLabel"]) == (
        "compensation_rate", "代偿率", "红色", "open", "未关闭")
    assert red["value"] == "0.05000000" and red["partner"]["name"] == "预警测试担保公司0"
    assert nodes["orange"]["threshold"] == "0.04000000"
    only = api(WARNINGS, {"f": {"level": "orange"}}, risk)["data"]["reguaranteeWarnings"]
    assert [e["node"]["level"] for e in only["edges"]] == ["orange"]
    bad = api(WARNINGS, {"f": {"level": "purple"}}, risk)
    assert error_codes(bad) == ["VALIDATION_FAILED"]
    viewer = api.login(rw.tenant.slug, "viewer")
    refused = api(CLOSE, {"i": {"id": red["id"], "note": "已核实"}}, viewer)["data"]["reguaranteeWarningClose"]
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    out = mutation_ok(api(CLOSE, {"i": {"id": red["id"], "note": "已约谈，代偿款已追回"}}, risk),
                      "reguaranteeWarningClose")
    assert out["warning"]["status"] == "closed" and out["warning"]["message"] == "已约谈，代偿款已追回"
    assert out["warning"]["closedById"] == str(rw.uid("risk"))
    again = graphql_in_language(api, CLOSE, {"i": {"id": red["id"], "note": "再次"}}, risk, "zh-CN")
    again = again["data"]["reguaranteeWarningClose"]
    assert again["errors"][0]["code"] == "CONFLICT" and again["errors"][0]["message"] == "该预警已关闭。"
    closed = api(WARNINGS, {"f": {"status": "closed"}}, viewer)["data"]["reguaranteeWarnings"]
    assert closed["totalCount"] == 1


def test_thresholds_read_and_update(api, rw):
    risk = api.login(rw.tenant.slug, "risk")
    rows = {t["indicator"]: t for t in api(THRESHOLDS, None, risk)["data"]["reguaranteeWarningThresholds"]}
    assert rows["compensation_rate"]["indicatorLabel"] == "代偿率"
    assert [(lv["level"], lv["threshold"]) for lv in rows["compensation_rate"]["levels"]] == [
        ("blue", "0.02"), ("yellow", "0.03"), ("orange", "0.04"), ("red", "0.05")]
    out = mutation_ok(api(UPDATE, {"i": [{"indicator": "risk_degree", "levels": [
        {"level": "orange", "threshold": "0.6"}, {"level": "red", "threshold": "0.9"}]}]}, risk),
        "reguaranteeWarningThresholdsUpdate")
    after = {t["indicator"]: t["levels"] for t in out["thresholds"]}
    assert after["risk_degree"] == [{"level": "orange", "threshold": "0.6"}, {"level": "red", "threshold": "0.9"}]
    assert len(after["compensation_rate"]) == 4
    bad = api(UPDATE, {"i": [{"indicator": "risk_degree", "levels": [
        {"level": "orange", "threshold": "0.9"}, {"level": "red", "threshold": "0.6"}]}]}, risk)
    errors = bad["data"]["reguaranteeWarningThresholdsUpdate"]["errors"]
    assert errors[0]["code"] == "VALIDATION_FAILED" and errors[0]["field"] == "thresholds"
    assert "must increase" in errors[0]["message"] and "red do not" in errors[0]["message"]
    zh = graphql_in_language(api, UPDATE, {"i": [{"indicator": "nope", "levels": []}]}, risk, "zh-CN")
    assert zh["data"]["reguaranteeWarningThresholdsUpdate"]["errors"][0]["message"] == (
        "未知的监测指标 nope，可选：compensation_rate, risk_degree。")


def test_statistics_in_wan_and_export(api, rw, stats_set):
    viewer = api.login(rw.tenant.slug, "viewer")
    data = api(STATS, {"i": {"dimension": "PARTNER", "asOf": "2026-06-30", "unit": "WAN"}}, viewer)
    result = data["data"]["reguaranteeStatistics"]
    assert (result["dimension"], result["dateFrom"], result["amountUnit"]) == ("PARTNER", "2026-01-01", "WAN")
    a = result["rows"][0]
    assert (a["label"], a["filedCount"], a["filedAmount"], a["balance"], a["riskShareRatio"]) == (
        "甲县融资担保有限公司", 2, "800.000000", "1500.000000", "0.200000")
    assert result["total"]["compensationRate"] == "0.400000" and result["total"]["filedAmount"] == "1100.000000"
    assert a["key"] == relay.to_base64("ReguaranteePartner", str(stats_set.a))
    out = mutation_ok(api(EXPORT, {"i": {"dimension": "REGION", "asOf": "2026-06-30"}}, viewer),
                      "reguaranteeStatisticsExport")
    f = out["file"]
    assert f["filename"].endswith(".xlsx") and f["rows"] == 2
    ws = load_workbook(io.BytesIO(base64.b64decode(f["contentBase64"])))["再担保业务统计"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[1][0] == "地区" and values[1][2] == "备案金额（元）"
    assert {values[2][0], values[3][0]} == {"南京", "苏州"} and values[-1][0] == "合计"
    legal = api.login(rw.tenant.slug, "legal")
    assert error_codes(api(STATS, {"i": {"dimension": "BANK"}}, legal)) == ["FORBIDDEN"]


PAGE = ("query($n: Int) { reguaranteeWarnings(first: $n) { edges { node { id level partner { name kind "
        "evaluations { period score } } } } } }")


def _statements(api, rw, token, first: int) -> int:
    seen = []

    def listener(conn, cursor, statement, *args):
        if "authz_state" not in statement:
            seen.append(statement)

    event.listen(rw.db.engine, "before_cursor_execute", listener)
    try:
        body = api(PAGE, {"n": first}, token)
    finally:
        event.remove(rw.db.engine, "before_cursor_execute", listener)
    assert "errors" not in body and len(body["data"]["reguaranteeWarnings"]["edges"]) == first
    return len(seen)


def test_a_page_of_warnings_costs_the_same_statements_whatever_its_size(api, rw):
    with rw.session() as s:
        for n in range(12):
            a = make_agreement(s, make_partner(s, name=f"分页测试担保公司{n:02d}"))
            make_filing(s, a, amount="1000000.00")  # in force, 信用: risk degree 1.0, red
        assert wn.evaluate(s, AS_OF).raised == 12
    token = api.login(rw.tenant.slug, "risk")
    _statements(api, rw, token, 2)
    assert _statements(api, rw, token, 2) == _statements(api, rw, token, 10)
