"""Definition documents: every problem is named before publishing (pure validation, no database)."""

from __future__ import annotations

import copy
from fractions import Fraction

import pytest

from surety.core.workflow.definition import DefinitionInvalid, parse, validate
from surety.core.workflow.expressions import compile_expression

GOOD = {
    "key": "t.flow", "name": "Flow", "start": "a",
    "steps": [
        {"key": "a", "kind": "task", "assignee": {"role": "risk_officer"},
         "transitions": [{"to": "c", "when": "amount > 100"}, {"to": "b"}]},
        {"key": "b", "kind": "automatic", "handler": "x.check", "transitions": [{"to": "ok"}]},
        {"key": "c", "kind": "committee", "assignee": {"user": "sec"}, "quorum": 3, "pass_ratio": "2/3",
         "chair_veto": True, "transitions": [{"to": "ok"}, {"to": "no", "on": "reject"}]},
        {"key": "ok", "kind": "end", "result": "approved"},
        {"key": "no", "kind": "end", "result": "rejected"},
    ],
}
CONTEXT = dict(roles=["risk_officer", "department_head"], org_units=["HQ"], handlers=["x.check"],
               compile_condition=compile_expression)


def problems(document, **context) -> list[str]:
    with pytest.raises(DefinitionInvalid) as caught:
        validate(document, **{**CONTEXT, **context})
    assert caught.value.code == "DEFINITION_INVALID"
    return caught.value.problems


def edited(**changes):
    doc = copy.deepcopy(GOOD)
    for key, fn in changes.items():
        fn(next(s for s in doc["steps"] if s["key"] == key))
    return doc


def test_a_sound_definition_validates():
    definition = validate(GOOD, **CONTEXT)
    assert definition.step("c").pass_ratio == Fraction(2, 3) and definition.step("c").chair_veto
    assert [t.to for t in definition.step("a").transitions] == ["c", "b"]


def test_unreachable_step():
    doc = copy.deepcopy(GOOD)
    doc["steps"].append({"key": "lost", "kind": "task", "assignee": {"role": "risk_officer"},
                         "transitions": [{"to": "ok"}]})
    assert problems(doc) == ["step 'lost' is unreachable from the start"]


def test_cycle_without_exit():
    doc = copy.deepcopy(GOOD)
    doc["steps"][1]["transitions"] = [{"to": "d"}]
    doc["steps"].append({"key": "d", "kind": "task", "assignee": {"role": "risk_officer"},
                         "transitions": [{"to": "b"}]})
    assert problems(doc) == ["cycle without exit: b -> d -> b"]


def test_no_path_to_an_end():
    doc = copy.deepcopy(GOOD)
    doc["steps"][1]["transitions"] = [{"to": "d"}]
    doc["steps"].append({"key": "d", "kind": "task", "assignee": {"role": "risk_officer"},
                         "transitions": [{"to": "e"}]})
    doc["steps"].append({"key": "e", "kind": "task", "assignee": {"role": "risk_officer"},
                         "transitions": [{"to": "d"}]})
    found = problems(doc)
    assert "cycle without exit: d -> e -> d" in found and "step 'b' has no path to an end" in found


def test_unknown_role_org_unit_handler_and_target():
    doc = edited(a=lambda s: s.update(assignee={"role": "astronaut", "org_unit": "MARS"}),
                 b=lambda s: s.update(handler="x.nothing"),
                 c=lambda s: s["transitions"].append({"to": "nowhere"}))
    assert problems(doc) == [
        "step 'a': unknown role 'astronaut'", "step 'a': unknown org unit 'MARS'",
        "step 'b': unknown handler 'x.nothing'", "step 'c': transition to unknown step 'nowhere'"]


@pytest.mark.parametrize("condition", [
    "__import__('os').system('rm -rf /')", "amount.__class__", "open('x')", "amount >", "[x for x in y]"])
def test_hostile_or_invalid_condition_is_refused(condition):
    doc = edited(a=lambda s: s["transitions"].__setitem__(0, {"to": "c", "when": condition}))
    found = problems(doc)
    assert len(found) == 1 and found[0].startswith("step 'a': invalid condition")


def test_a_decision_needs_a_default_route():
    doc = edited(a=lambda s: s.update(transitions=[{"to": "c", "when": "amount > 1"}]))
    assert "add one without 'when' as the default route" in problems(doc)[0]


@pytest.mark.parametrize("change,message", [
    (lambda s: s.update(kind="dance"), "kind must be one of"),
    (lambda s: s.update(assignee={"role": "a", "user": "b"}), "'assignee' must name one of"),
    (lambda s: s.update(timeout={"working_days": 0}), "timeout working_days must be at least 1"),
    (lambda s: s.update(timeout={"days": 3}), "malformed setting"),
])
def test_malformed_steps(change, message):
    doc = edited(a=change)
    assert any(message in p for p in problems(doc))


def test_committee_settings_are_checked():
    doc = edited(c=lambda s: s.update(quorum=0, pass_ratio="3/2"))
    assert problems(doc) == ["step 'c': quorum must be at least 1",
                             "step 'c': pass_ratio must be above 0 and at most 1 (e.g. \"2/3\")"]


def test_structure_problems_are_all_listed():
    found = problems({"key": "", "steps": [{"kind": "task"}, {"key": "x", "kind": "end", "result": "maybe"}]})
    assert found == ["'key' is required", "'name' is required", "'start' is required",
                     "every step needs a non-empty 'key'",
                     "step 'x': an end step's 'result' is one of approved, rejected"]


def test_duplicate_steps_and_missing_approved_end():
    doc = copy.deepcopy(GOOD)
    doc["steps"].append({"key": "a", "kind": "end", "result": "rejected"})
    assert "step 'a' is defined twice" in problems(doc)
    doc = copy.deepcopy(GOOD)
    doc["steps"] = [s for s in doc["steps"] if s["key"] != "ok"]
    for s in doc["steps"]:
        s["transitions"] = [t for t in s.get("transitions", []) if t["to"] != "ok"] or \
            ([{"to": "no"}] if s["kind"] != "end" else [])
    assert "there is no end step with result 'approved'" in problems(doc)


def test_parse_accepts_what_validation_later_checks():
    assert parse(GOOD).start == "a"
