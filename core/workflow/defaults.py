"""Core's own default process definition: a generic two-level approval any plugin or tenant can start or copy."""

SIMPLE_APPROVAL = {
    "key": "core.simple_approval",
    "name": "Simple approval",
    "subject_type": "",
    "start": "review",
    "steps": [
        {"key": "review", "name": "Department review", "kind": "task",
         "assignee": {"role": "department_head", "org_unit": "subject"},
         "timeout": {"working_days": 3, "remind_before": 1, "escalate_to": "executive"},
         "transitions": [{"to": "approval"}]},
        {"key": "approval", "name": "Executive approval", "kind": "task", "assignee": {"role": "executive"},
         "timeout": {"working_days": 2, "remind_before": 1, "escalate_to": "admin"},
         "transitions": [{"to": "approved"}]},
        {"key": "approved", "name": "Approved", "kind": "end", "result": "approved"},
    ],
}
