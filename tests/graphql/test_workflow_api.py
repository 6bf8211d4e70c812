"""The workflow API end to end over HTTP: import, validate and publish a definition, start, inboxes, actions with
client keys, timeline and graph, notifications, permissions."""

from __future__ import annotations

import datetime as dt

from surety.core.testing import error_codes

PW = "Strong-Pass-77"
CREATE_USER = "mutation($i:UserCreateInput!){ userCreate(input:$i){ user { id } errors { code message } } }"
YAML = """
key: api.review
name: API review
subject_type: api:thing
start: risk
steps:
  - key: risk
    name: 风控审查
    kind: task
    assignee: {role: risk_officer}
    timeout: {working_days: 2, remind_before: 1, escalate_to: department_head}
    transitions:
      - {to: head, when: "amount > 1000"}
      - {to: done}
  - key: head
    name: Department head
    kind: task
    assignee: {role: department_head}
    transitions: [{to: done}]
  - {key: done, kind: end, result: approved}
"""
ACT = ("mutation($i:WorkflowTaskActionInput!){ workflowTaskApprove(input:$i){ instance { id status currentStep } "
       "errors { code field message } } }")
MY_TASKS = "{ myTasks { totalCount edges { node { id stepKey title dueDate instance { id title } } } } }"


def setup(api, make_tenant):
    t = make_tenant()
    admin = api.login(t.slug)
    ids = {}
    for name, role in (("maker", "customer_manager"), ("risky", "risk_officer"), ("head", "department_head")):
        ids[name] = api(CREATE_USER, {"i": {"username": name, "password": PW, "roles": [role],
                                            "email": f"{name}@example.com"}},
                        token=admin)["data"]["userCreate"]["user"]["id"]
    tokens = {name: api.login(t.slug, name, PW) for name in ids}
    return admin, tokens, ids


def test_definition_import_validate_publish_export(api, make_tenant):
    admin, tokens, _ = setup(api, make_tenant)
    bad = api("mutation($d:JSON!){ workflowDefinitionValidate(document:$d){ valid problems errors { code } } }",
              {"d": {"key": "x", "name": "X", "start": "a", "steps": [
                  {"key": "a", "kind": "task", "assignee": {"role": "pilot"},
                   "transitions": [{"to": "ok", "when": "__import__('os')"}]},
                  {"key": "ok", "kind": "end", "result": "approved"}]}}, token=admin)
    result = bad["data"]["workflowDefinitionValidate"]
    assert result["valid"] is False and len(result["problems"]) == 3
    assert result["problems"][0].startswith("step 'a': invalid condition")
    assert result["problems"][1:] == [
        "step 'a': every 'approve' transition has a condition; add one without 'when' as the default route",
        "step 'a': unknown role 'pilot'"]

    imported = api("mutation($t:String!){ workflowDefinitionImport(text:$t, format:YAML){ definition { id key "
                   "version status } errors { code message } } }", {"t": YAML}, token=admin)
    assert imported["data"]["workflowDefinitionImport"]["definition"] == {
        "id": imported["data"]["workflowDefinitionImport"]["definition"]["id"], "key": "api.review", "version": 1,
        "status": "draft"}
    denied = api("mutation{ workflowDefinitionPublish(key:\"api.review\", version:1){ definition { id } "
                 "errors { code } } }", token=tokens["maker"])["data"]["workflowDefinitionPublish"]
    assert denied == {"definition": None, "errors": [{"code": "FORBIDDEN"}]}
    published = api("mutation{ workflowDefinitionPublish(key:\"api.review\", version:1){ definition { status } "
                    "errors { code } } }", token=admin)["data"]["workflowDefinitionPublish"]
    assert published == {"definition": {"status": "published"}, "errors": []}
    exported = api("{ workflowDefinitionExport(key:\"api.review\", format:YAML) }", token=admin)
    assert "风控审查" in exported["data"]["workflowDefinitionExport"]
    versions = api("{ workflowDefinitions { key version status } }", token=admin)["data"]["workflowDefinitions"]
    assert {"key": "api.review", "version": 1, "status": "published"} in versions
    assert {"key": "core.simple_approval", "version": 1, "status": "published"} in versions  # core's default


def test_start_inbox_approve_with_client_key_timeline_graph(api, make_tenant):
    admin, tokens, ids = setup(api, make_tenant)
    api("mutation($t:String!){ workflowDefinitionImport(text:$t, format:YAML){ errors { code } } }", {"t": YAML},
        token=admin)
    api("mutation{ workflowDefinitionPublish(key:\"api.review\", version:1){ errors { code } } }", token=admin)
    started = api("mutation($i:WorkflowInstanceStartInput!){ workflowInstanceStart(input:$i){ instance { id status "
                  "currentStep } errors { code message } } }",
                  {"i": {"definitionKey": "api.review", "subjectType": "api:thing", "subjectId": "A-1",
                         "title": "Thing A-1", "subject": {"amount": "5000"}}},
                  token=tokens["maker"])["data"]["workflowInstanceStart"]
    assert started["errors"] == [] and started["instance"]["currentStep"] == "risk"
    iid = started["instance"]["id"]

    inbox = api(MY_TASKS, token=tokens["risky"])["data"]["myTasks"]
    assert inbox["totalCount"] == 1
    task = inbox["edges"][0]["node"]
    assert task["stepKey"] == "risk" and task["instance"] == {"id": iid, "title": "Thing A-1"}
    assert dt.date.fromisoformat(task["dueDate"]) > dt.date.today() - dt.timedelta(days=1)
    assert api(MY_TASKS, token=tokens["head"])["data"]["myTasks"]["totalCount"] == 0

    wrong = api(ACT, {"i": {"taskId": task["id"]}}, token=tokens["head"])["data"]["workflowTaskApprove"]
    assert wrong["errors"][0]["code"] == "FORBIDDEN"
    for _ in range(2):  # the same client key twice: one approval
        done = api(ACT, {"i": {"taskId": task["id"], "comment": "ok", "clientKey": "approve-A-1"}},
                   token=tokens["risky"])["data"]["workflowTaskApprove"]
        assert done["errors"] == [] and done["instance"]["currentStep"] == "head"
    again = api(ACT, {"i": {"taskId": task["id"], "comment": "again"}}, token=tokens["risky"])
    assert again["data"]["workflowTaskApprove"]["errors"][0]["code"] == "CONFLICT"

    head_task = api(MY_TASKS, token=tokens["head"])["data"]["myTasks"]["edges"][0]["node"]["id"]
    api(ACT, {"i": {"taskId": head_task, "comment": "approved"}}, token=tokens["head"])
    detail = api("query($id:ID!){ workflowInstance(id:$id){ status timeline { action stepKey comment actorId } "
                 "graph { current nodes { key state } edges { source target taken } } steps { stepKey status } } }",
                 {"id": iid}, token=tokens["maker"])["data"]["workflowInstance"]
    assert detail["status"] == "approved"
    assert [(e["action"], e["stepKey"], e["comment"]) for e in detail["timeline"]] == [
        ("start", None, None), ("approve", "risk", "ok"), ("approve", "head", "approved"), ("end", "done", None)]
    assert detail["timeline"][1]["actorId"] == ids["risky"]
    assert {n["key"]: n["state"] for n in detail["graph"]["nodes"]} == {"risk": "done", "head": "done",
                                                                         "done": "done"}
    assert {(e["source"], e["target"]) for e in detail["graph"]["edges"] if e["taken"]} == {("risk", "head"),
                                                                                           ("head", "done")}
    completed = api("{ completedTasks { edges { node { stepKey decision comment } } } }", token=tokens["risky"])
    assert completed["data"]["completedTasks"]["edges"][0]["node"] == {"stepKey": "risk", "decision": "approve",
                                                                       "comment": "ok"}
    # An outsider sees nothing of it.
    assert api("query($id:ID!){ workflowInstance(id:$id){ id } }", {"id": iid},
               token=api.login(make_tenant().slug))["data"]["workflowInstance"] is None

    notes = api("{ unreadNotificationCount notifications { edges { node { id kind } } } }", token=tokens["maker"])
    assert notes["data"]["unreadNotificationCount"] == 1
    assert notes["data"]["notifications"]["edges"][0]["node"]["kind"] == "instance_decided"
    marked = api("mutation{ notificationsMarkRead { count errors { code } } }", token=tokens["maker"])
    assert marked["data"]["notificationsMarkRead"] == {"count": 1, "errors": []}


def test_overdue_tasks_and_withdrawal(api, make_tenant):
    admin, tokens, _ = setup(api, make_tenant)
    api("mutation($t:String!){ workflowDefinitionImport(text:$t, format:YAML){ errors { code } } }", {"t": YAML},
        token=admin)
    api("mutation{ workflowDefinitionPublish(key:\"api.review\", version:1){ errors { code } } }", token=admin)
    start = ("mutation($i:WorkflowInstanceStartInput!){ workflowInstanceStart(input:$i){ instance { id } "
             "errors { code } } }")
    iid = api(start, {"i": {"definitionKey": "api.review", "subjectType": "api:thing", "subjectId": "B-1",
                            "subject": {"amount": "1"}}}, token=tokens["maker"])["data"]["workflowInstanceStart"][
        "instance"]["id"]
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    query = "query($d:Date!){ overdueTasks(asOf:$d){ totalCount } }"
    assert api(query, {"d": later}, token=admin)["data"]["overdueTasks"]["totalCount"] == 1  # admin monitors
    assert api(query, {"d": later}, token=tokens["risky"])["data"]["overdueTasks"]["totalCount"] == 1  # own
    assert api(query, {"d": later}, token=tokens["maker"])["data"]["overdueTasks"]["totalCount"] == 0
    withdraw = ("mutation($i:WorkflowInstanceActionInput!){ workflowInstanceWithdraw(input:$i){ instance { status } "
                "errors { code } } }")
    assert api(withdraw, {"i": {"instanceId": iid}}, token=tokens["risky"])["data"]["workflowInstanceWithdraw"][
        "errors"] == [{"code": "FORBIDDEN"}]
    assert api(withdraw, {"i": {"instanceId": iid, "comment": "customer withdrew"}}, token=tokens["maker"])[
        "data"]["workflowInstanceWithdraw"] == {"instance": {"status": "withdrawn"}, "errors": []}
    assert api(query, {"d": later}, token=admin)["data"]["overdueTasks"]["totalCount"] == 0


def test_workday_overrides_need_manage(api, make_tenant):
    admin, tokens, _ = setup(api, make_tenant)
    setter = ("mutation{ workdayOverrideSet(day:\"2027-02-08\", working:false, note:\"spring festival\"){ "
              "override { day working } errors { code } } }")
    assert api(setter, token=tokens["maker"])["data"]["workdayOverrideSet"]["errors"] == [{"code": "FORBIDDEN"}]
    assert api(setter, token=admin)["data"]["workdayOverrideSet"] == {
        "override": {"day": "2027-02-08", "working": False}, "errors": []}
    listed = api("{ workdayOverrides(year:2027) { day working note } }", token=tokens["maker"])
    assert listed["data"]["workdayOverrides"] == [{"day": "2027-02-08", "working": False,
                                                   "note": "spring festival"}]
    assert error_codes(api("{ workdayOverrides { day } }")) == ["UNAUTHENTICATED"]
