"""Process definitions: the document format (docs/workflow.md), parsing into frozen objects, and validation.

A definition is data. :func:`parse` turns a document (a dict from JSON or YAML) into a :class:`Definition` or
raises :class:`DefinitionInvalid` listing every problem found, so a tenant admin fixes them all in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from surety.core.errors import ValidationFailed

TASK = "task"
COUNTERSIGN = "countersign"
COMMITTEE = "committee"
AUTOMATIC = "automatic"
END = "end"
KINDS = (TASK, COUNTERSIGN, COMMITTEE, AUTOMATIC, END)
HUMAN_KINDS = (TASK, COUNTERSIGN, COMMITTEE)

APPROVE = "approve"
REJECT = "reject"
DONE = "done"
END_RESULTS = ("approved", "rejected")
MODES = ("all", "any", "n_of_m")
ASSIGNEE_KEYS = ("role", "user", "field")
#: Longest timeout a step may have: a year of working days (a due date is counted day by day).
MAX_TIMEOUT_WORKING_DAYS = 250


class DefinitionInvalid(ValidationFailed):
    code = "DEFINITION_INVALID"

    def __init__(self, problems: list[str]):
        super().__init__("The process definition is invalid: {summary}", field="document", problems=problems,
                         summary="; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Transition:
    to: str
    on: str
    when: str | None = None


@dataclass(frozen=True)
class Timeout:
    working_days: int
    remind_before: int = 1
    escalate_to: str | None = None


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    kind: str
    transitions: tuple[Transition, ...] = ()
    assignee: Mapping[str, Any] | None = None  # task: who; committee: the secretary who convenes
    assignees: tuple[Mapping[str, Any], ...] = ()  # countersign
    mode: str = "all"
    required: int = 1
    quorum: int = 1
    pass_ratio: Fraction = Fraction(1, 2)
    chair_veto: bool = False
    member_role: str | None = None
    handler: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    result: str | None = None
    timeout: Timeout | None = None

    @property
    def human(self) -> bool:
        return self.kind in HUMAN_KINDS


@dataclass(frozen=True)
class Definition:
    key: str
    name: str
    subject_type: str
    start: str
    steps: Mapping[str, Step]

    def step(self, key: str) -> Step:
        return self.steps[key]


def _ratio(value: Any) -> Fraction:
    """``"2/3"``, ``"0.5"`` or ``0.5`` as an exact fraction (floats go through their decimal text)."""
    return Fraction(str(value).strip())


def _parse_step(raw: Mapping[str, Any], problems: list[str]) -> Step | None:
    key = raw.get("key")
    if not isinstance(key, str) or not key.strip():
        problems.append("every step needs a non-empty 'key'")
        return None
    kind = raw.get("kind")
    where = f"step {key!r}"
    if kind not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        return None
    transitions = []
    for t in raw.get("transitions") or ():
        if not isinstance(t, Mapping) or not isinstance(t.get("to"), str):
            problems.append(f"{where}: every transition needs a target step in 'to'")
            continue
        on = t.get("on") or (DONE if kind == AUTOMATIC else APPROVE)
        allowed_on = (DONE,) if kind == AUTOMATIC else (APPROVE, REJECT)
        if on not in allowed_on:
            problems.append(f"{where}: a transition's 'on' must be one of {', '.join(allowed_on)}, not {on!r}")
        when = t.get("when")
        if when is not None and not isinstance(when, str):
            problems.append(f"{where}: 'when' must be an expression string")
            when = None
        transitions.append(Transition(to=t["to"], on=on, when=when or None))
    kw: dict[str, Any] = {}
    try:
        if raw.get("timeout") is not None:
            t = raw["timeout"]
            kw["timeout"] = Timeout(working_days=int(t["working_days"]), remind_before=int(t.get("remind_before", 1)),
                                    escalate_to=t.get("escalate_to"))
            if not 1 <= kw["timeout"].working_days <= MAX_TIMEOUT_WORKING_DAYS or kw["timeout"].remind_before < 0:
                problems.append(f"{where}: timeout working_days must be at least 1 and at most "
                                f"{MAX_TIMEOUT_WORKING_DAYS}, and remind_before not negative")
        if kind == COMMITTEE:
            kw["quorum"] = int(raw.get("quorum", 1))
            kw["pass_ratio"] = _ratio(raw.get("pass_ratio", "1/2"))
            kw["chair_veto"] = bool(raw.get("chair_veto", False))
            kw["member_role"] = raw.get("member_role")
            if kw["quorum"] < 1:
                problems.append(f"{where}: quorum must be at least 1")
            if not 0 < kw["pass_ratio"] <= 1:
                problems.append(f"{where}: pass_ratio must be above 0 and at most 1 (e.g. \"2/3\")")
        if kind == COUNTERSIGN:
            kw["mode"] = raw.get("mode", "all")
            kw["required"] = int(raw.get("required", 1))
            if kw["mode"] not in MODES:
                problems.append(f"{where}: mode must be one of {', '.join(MODES)}")
            if kw["mode"] == "n_of_m" and kw["required"] < 1:
                problems.append(f"{where}: n_of_m needs 'required' of at least 1")
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        problems.append(f"{where}: malformed setting ({exc})")
    if kind in (TASK, COMMITTEE):
        spec = raw.get("assignee")
        if not _valid_spec(spec):
            problems.append(f"{where}: 'assignee' must name one of {', '.join(ASSIGNEE_KEYS)}")
        kw["assignee"] = spec if isinstance(spec, Mapping) else None
    if kind == COUNTERSIGN:
        specs = raw.get("assignees") or ()
        if not specs or not all(_valid_spec(s) for s in specs):
            problems.append(f"{where}: 'assignees' must be a non-empty list of assignee rules")
        kw["assignees"] = tuple(s for s in specs if isinstance(s, Mapping))
    if kind == AUTOMATIC:
        if not isinstance(raw.get("handler"), str):
            problems.append(f"{where}: an automatic step names its 'handler' (<plugin>.<name>)")
        kw["handler"] = raw.get("handler")
        kw["params"] = dict(raw.get("params") or {})
    if kind == END:
        if raw.get("result") not in END_RESULTS:
            problems.append(f"{where}: an end step's 'result' is one of {', '.join(END_RESULTS)}")
        if transitions:
            problems.append(f"{where}: an end step has no transitions")
        kw["result"] = raw.get("result")
    return Step(key=key, name=str(raw.get("name") or key), kind=kind, transitions=tuple(transitions), **kw)


def _valid_spec(spec: Any) -> bool:
    return isinstance(spec, Mapping) and sum(1 for k in ASSIGNEE_KEYS if spec.get(k)) == 1


def parse(document: Mapping[str, Any]) -> Definition:
    """The definition in ``document``; :class:`DefinitionInvalid` listing the structural problems."""
    problems: list[str] = []
    if not isinstance(document, Mapping):
        raise DefinitionInvalid(["the document must be an object with key, name, start and steps"])
    for name in ("key", "name", "start"):
        if not isinstance(document.get(name), str) or not document[name].strip():
            problems.append(f"'{name}' is required")
    steps: dict[str, Step] = {}
    raw_steps = document.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append("'steps' must be a non-empty list")
        raw_steps = []
    for raw in raw_steps:
        if not isinstance(raw, Mapping):
            problems.append("every step must be an object")
            continue
        step = _parse_step(raw, problems)
        if step is None:
            continue
        if step.key in steps:
            problems.append(f"step {step.key!r} is defined twice")
        steps[step.key] = step
    if problems:
        raise DefinitionInvalid(problems)
    return Definition(key=document["key"], name=document["name"], subject_type=str(document.get("subject_type", "")),
                      start=document["start"], steps=steps)


def validate(
    document: Mapping[str, Any],
    *,
    roles: Iterable[str] | None = None,
    org_units: Iterable[str] | None = None,
    handlers: Iterable[str] | None = None,
    compile_condition: Callable[[str], Any] | None = None,
) -> Definition:
    """Parse and check the whole graph: unknown targets, unreachable steps, steps with no path to an end, cycles
    without an exit, a decision without a default route, unknown roles, org units and handlers, invalid conditions.
    Raises :class:`DefinitionInvalid` with every problem; returns the definition when there is none."""
    definition = parse(document)
    roles, org_units, handlers = (None if x is None else set(x) for x in (roles, org_units, handlers))
    problems: list[str] = []
    steps = definition.steps
    if definition.start not in steps:
        problems.append(f"the start step {definition.start!r} does not exist")
    if not any(s.kind == END and s.result == "approved" for s in steps.values()):
        problems.append("there is no end step with result 'approved'")
    for step in steps.values():
        for t in step.transitions:
            if t.to not in steps:
                problems.append(f"step {step.key!r}: transition to unknown step {t.to!r}")
            if t.when is not None and compile_condition is not None:
                try:
                    compile_condition(t.when)
                except ValidationFailed as exc:
                    problems.append(f"step {step.key!r}: invalid condition {t.when!r}: {exc.message}")
        if step.kind != END:
            forward = APPROVE if step.human else DONE
            routes = [t for t in step.transitions if t.on == forward]
            if not routes:
                problems.append(f"step {step.key!r} has no '{forward}' transition")
            elif all(t.when is not None for t in routes):
                problems.append(f"step {step.key!r}: every '{forward}' transition has a condition; add one "
                                "without 'when' as the default route")
        problems += _check_refs(step, roles, org_units, handlers)
    if problems:  # the graph checks below need sound edges
        raise DefinitionInvalid(problems)
    problems += _graph_problems(definition)
    if problems:
        raise DefinitionInvalid(problems)
    return definition


def _specs(step: Step) -> list[Mapping[str, Any]]:
    return ([step.assignee] if step.assignee else []) + list(step.assignees)


def _check_refs(step: Step, roles, org_units, handlers) -> list[str]:
    out = []
    named_roles = [s["role"] for s in _specs(step) if s.get("role")]
    if step.timeout and step.timeout.escalate_to:
        named_roles.append(step.timeout.escalate_to)
    if step.member_role:
        named_roles.append(step.member_role)
    for role in named_roles:
        if roles is not None and role not in roles:
            out.append(f"step {step.key!r}: unknown role {role!r}")
    for spec in _specs(step):
        unit = spec.get("org_unit")
        if unit and unit != "subject" and org_units is not None and unit not in org_units:
            out.append(f"step {step.key!r}: unknown org unit {unit!r}")
    if step.kind == AUTOMATIC and handlers is not None and step.handler not in handlers:
        out.append(f"step {step.key!r}: unknown handler {step.handler!r}")
    return out


def _graph_problems(definition: Definition) -> list[str]:
    steps = definition.steps
    edges = {k: [t.to for t in s.transitions] for k, s in steps.items()}
    reachable: set[str] = set()
    stack = [definition.start]
    while stack:
        k = stack.pop()
        if k not in reachable:
            reachable.add(k)
            stack += edges[k]
    problems = [f"step {k!r} is unreachable from the start" for k in steps if k not in reachable]
    # Steps from which an end can be reached (walk the edges backwards from every end).
    reverse: dict[str, list[str]] = {k: [] for k in steps}
    for k, targets in edges.items():
        for t in targets:
            reverse[t].append(k)
    finishing: set[str] = set()
    stack = [k for k, s in steps.items() if s.kind == END]
    while stack:
        k = stack.pop()
        if k not in finishing:
            finishing.add(k)
            stack += reverse[k]
    stuck = [k for k in steps if k in reachable and k not in finishing]
    for cycle in _cycles_among(stuck, edges):
        problems.append("cycle without exit: " + " -> ".join(cycle + [cycle[0]]))
    in_cycles = {k for c in _cycles_among(stuck, edges) for k in c}
    problems += [f"step {k!r} has no path to an end" for k in stuck if k not in in_cycles]
    return problems


def _cycles_among(keys: list[str], edges: Mapping[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan) of the subgraph on ``keys`` that contain a cycle."""
    keyset = set(keys)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in keyset:
                continue
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in edges[v]:
                out.append(sorted(component, key=keys.index))

    for v in keys:
        if v not in index:
            connect(v)
    return out
