"""Process definitions per tenant: list, view, import, export, edit (drafts), validate and publish versions, and
install the defaults that plugins ship (``surety_workflow_definitions``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core import limits
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.authz.models import Role
from surety.core.context import Actor, current
from surety.core.db.types import utcnow
from surety.core.errors import NotFound, ValidationFailed
from surety.core.identity.models import OrgUnit
from surety.core.plugins import get_registry
from surety.core.workflow import definition as d
from surety.core.workflow.engine import handlers
from surety.core.workflow.expressions import compile_expression
from surety.core.workflow.models import DEF_DRAFT, DEF_PUBLISHED, DEF_RETIRED, WorkflowDefinition

#: Longest definition document, as text (JSON or YAML) and once decoded (as JSON): ``limits.MAX_JSON_BYTES``.
MAX_DOCUMENT_BYTES = limits.MAX_JSON_BYTES


def load_document(text: str, fmt: str = "json") -> dict[str, Any]:
    """A definition document from JSON or YAML text, or ValidationFailed (field ``document``).

    YAML is loaded safely, with at most ``limits.MAX_YAML_ALIASES`` aliases and no alias referring to the node that
    holds it, and refused before it is built when its aliases would expand it beyond ``MAX_DOCUMENT_BYTES`` (a
    "billion laughs" document of a few hundred bytes would otherwise decode to gigabytes). The decoded document is
    plain JSON (YAML dates and other types become text) of at most ``MAX_DOCUMENT_BYTES``."""
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed("A definition document is at most {max_bytes} bytes.", field="document",
                               max_bytes=MAX_DOCUMENT_BYTES)
    try:
        doc = json.loads(text, parse_constant=_no_constant) if fmt == "json" else _load_yaml(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValidationFailed("Not valid {fmt}: {reason}", field="document", fmt=fmt.upper(),
                               reason=str(exc).splitlines()[0]) from None
    except RecursionError:
        raise ValidationFailed("The document nests deeper than {max_json_depth} levels.",
                               field="document", max_json_depth=limits.MAX_JSON_DEPTH) from None
    if not isinstance(doc, dict):
        raise ValidationFailed("A definition document is an object (key, name, start, steps).", field="document")
    return _plain(doc)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class _BudgetLoader(yaml.SafeLoader):
    """PyYAML's safe loader counting the aliases it meets (the C loader cannot be told to)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > limits.MAX_YAML_ALIASES:
                raise ValidationFailed("A YAML definition uses at most {max_yaml_aliases} aliases (*name).",
                                       field="document", max_yaml_aliases=limits.MAX_YAML_ALIASES)
        return super().compose_node(parent, index)


def _load_yaml(text: str) -> Any:
    loader = _BudgetLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        if _expanded_size(root) > MAX_DOCUMENT_BYTES:
            raise ValidationFailed("The YAML document's aliases expand it beyond {max_bytes} bytes.",
                                   field="document", max_bytes=MAX_DOCUMENT_BYTES)
        return loader.construct_document(root)
    finally:
        loader.dispose()


def _expanded_size(root: yaml.Node) -> int:
    """About how many characters the node graph under ``root`` makes with every alias expanded, counted without
    expanding anything (each node's size once, shared nodes counted each time they are used), capped just above
    MAX_DOCUMENT_BYTES. A node inside itself (``&a [*a]``) is refused."""
    cap = MAX_DOCUMENT_BYTES + 1
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not children_done:
            open_nodes.add(id(node))
            stack.append((node, True))
            for child in children:
                if id(child) in open_nodes:
                    raise ValidationFailed("A YAML alias may not refer to the node that holds it.", field="document")
                if id(child) not in sizes:
                    stack.append((child, False))
            continue
        open_nodes.discard(id(node))
        own = len(node.value) + 1 if isinstance(node, yaml.ScalarNode) else 2
        sizes[id(node)] = min(cap, own + sum(sizes[id(c)] for c in children))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _plain(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as plain JSON within the limits (``limits.json_value``), YAML's dates and the like as text."""
    try:
        plain = json.loads(json.dumps(document, ensure_ascii=False, allow_nan=False, default=str))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("The document is not plain JSON data: {reason}.", field="document",
                               reason=str(exc)) from None
    return limits.json_value(plain, "document", max_bytes=MAX_DOCUMENT_BYTES)


def dump_document(document: Mapping[str, Any], fmt: str = "json") -> str:
    if fmt == "yaml":
        return yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False)
    return json.dumps(document, ensure_ascii=False, indent=2)


def validate(session: Session, document: Mapping[str, Any]) -> d.Definition:
    """Check ``document`` against the tenant: its roles, org units, the enabled plugins' handlers, conditions."""
    return d.validate(
        document,
        roles=session.scalars(select(Role.key)),
        org_units=session.scalars(select(OrgUnit.code)),
        handlers=handlers(session),
        compile_condition=_compile_condition,
    )


def _compile_condition(source: str):
    return compile_expression(source)


def list_definitions(session: Session, actor: Actor, key: str | None = None) -> list[WorkflowDefinition]:
    require(session, actor, "core:workflow", "read")
    stmt = select(WorkflowDefinition).order_by(WorkflowDefinition.key, WorkflowDefinition.version.desc())
    if key:
        stmt = stmt.where(WorkflowDefinition.key == key)
    return list(session.scalars(stmt))


def get_version(session: Session, key: str, version: int | None = None) -> WorkflowDefinition:
    """Version ``version`` of ``key``, or its published version (or newest draft when nothing is published)."""
    stmt = select(WorkflowDefinition).where(WorkflowDefinition.key == key)
    if version is not None:
        stmt = stmt.where(WorkflowDefinition.version == version)
    else:
        stmt = stmt.order_by((WorkflowDefinition.status == DEF_PUBLISHED).desc(), WorkflowDefinition.version.desc())
    row = session.scalars(stmt.limit(1)).first()
    if row is None:
        if version:
            raise NotFound("No process definition {key!r} version {version}.", field="key", key=key, version=version)
        raise NotFound("No process definition {key!r}.", field="key", key=key)
    return row


def save_draft(session: Session, actor: Actor, document: Mapping[str, Any], *, source: str = "tenant",
               check: bool = True) -> WorkflowDefinition:
    """Save ``document`` as the draft of its key (a new version after the newest; an existing draft is replaced).

    The structure must parse; the full validation runs again at publishing."""
    if check:
        require(session, actor, "core:workflow", "manage")
    document = _plain(dict(document)) if isinstance(document, Mapping) else document
    definition = d.parse(document)
    draft = session.scalar(select(WorkflowDefinition).where(
        WorkflowDefinition.key == definition.key, WorkflowDefinition.status == DEF_DRAFT))
    if draft is None:
        newest = session.scalar(select(func.max(WorkflowDefinition.version))
                                .where(WorkflowDefinition.key == definition.key)) or 0
        draft = WorkflowDefinition(key=definition.key, version=newest + 1, status=DEF_DRAFT, source=source,
                                   created_by=actor.id)
        session.add(draft)
    draft.name, draft.subject_type, draft.document = definition.name, definition.subject_type, dict(document)
    session.flush()
    audit(session, "workflow.definition_saved", entity_type="workflow_definition", entity_id=draft.id, actor=actor,
          after={"key": draft.key, "version": draft.version})
    return draft


def publish(session: Session, actor: Actor, key: str, version: int, *, check: bool = True) -> WorkflowDefinition:
    """Validate draft ``version`` of ``key`` and make it the published version (the previous one is retired;
    instances already running keep theirs)."""
    if check:
        require(session, actor, "core:workflow", "manage")
    row = get_version(session, key, version)
    if row.status != DEF_DRAFT:
        raise ValidationFailed("Version {version} of {key!r} is {status}; only a draft can be published.",
                               field="version", version=version, key=key, status=row.status)
    validate(session, row.document)
    for old in session.scalars(select(WorkflowDefinition).where(
            WorkflowDefinition.key == key, WorkflowDefinition.status == DEF_PUBLISHED)):
        old.status = DEF_RETIRED
    row.status, row.published_at = DEF_PUBLISHED, utcnow()
    session.flush()
    audit(session, "workflow.definition_published", entity_type="workflow_definition", entity_id=row.id,
          actor=actor, after={"key": key, "version": version})
    return row


def install_defaults(session: Session, plugin_keys: Iterable[str]) -> list[WorkflowDefinition]:
    """Save and publish the default definitions of ``plugin_keys`` that the tenant does not have yet."""

    installed = []
    shipped = get_registry().results_by_plugin("surety_workflow_definitions")
    for plugin in plugin_keys:
        for document in shipped.get(plugin) or ():
            key = document.get("key")
            if session.scalar(select(WorkflowDefinition.id).where(WorkflowDefinition.key == key)) is not None:
                continue
            actor = current().actor
            draft = save_draft(session, actor, document, source=plugin, check=False)
            installed.append(publish(session, actor, draft.key, draft.version, check=False))
    return installed
