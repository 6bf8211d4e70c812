"""docs/plugins.md documents every hookspec with its exact signature, every SDK dataclass with its fields, and no hook
that does not exist."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from pathlib import Path

import pytest

from surety.core import hookspecs
from surety.core.hookspecs import (
    GraphQLContribution,
    NotificationChannel,
    OutgoingNotification,
    Permission,
    PluginManifest,
    RoleTemplate,
    ScheduledJob,
    WorkflowStepCall,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
SPEC_MARKER = f"{hookspecs.PROJECT}_spec"
SDK_CLASSES = (PluginManifest, Permission, GraphQLContribution, ScheduledJob, RoleTemplate, WorkflowStepCall,
               OutgoingNotification, NotificationChannel)
#: Identifiers starting with ``surety_`` that the doc may use without them being hooks.
NOT_HOOKS = {"surety_hello", "surety_hello_plugin", SPEC_MARKER, "surety_impl"}


class _Source:
    """Text that renders as itself inside an ``inspect.Signature``."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _as_written(annotation) -> object:
    """An annotation as the doc shows it: the source text without quotes (``"Session"`` shows as ``Session``)."""
    if annotation is inspect.Signature.empty:
        return annotation
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    return _Source(text.replace('"', "").replace("'", ""))


def _literal(value) -> _Source:
    """A default value as the doc shows it (strings in double quotes)."""
    return _Source(json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value))


def _param(p: inspect.Parameter) -> inspect.Parameter:
    default = p.default if p.default is inspect.Parameter.empty else _literal(p.default)
    return p.replace(annotation=_as_written(p.annotation), default=default)


def rendered_signature(fn) -> str:
    """``def name(param: Type, ...) -> Return`` as docs/plugins.md shows it."""
    sig = inspect.signature(fn)
    sig = sig.replace(parameters=[_param(p) for p in sig.parameters.values()],
                      return_annotation=_as_written(sig.return_annotation))
    return f"def {fn.__name__}{sig}"


def hookspec_functions() -> dict[str, object]:
    return {name: fn for name, fn in vars(hookspecs).items()
            if inspect.isfunction(fn) and hasattr(fn, SPEC_MARKER)}


def _python_blocks(text: str) -> str:
    return "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL))


def _hook_reference(text: str) -> str:
    match = re.search(r"^## Hook reference\n(.*?)(?=^## |\Z)", text, flags=re.DOTALL | re.MULTILINE)
    assert match, "docs/plugins.md has no '## Hook reference' section"
    return match.group(1)


def _plain(text: str) -> str:
    return " ".join(text.replace("``", "`").split())


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_there_are_hookspecs_to_document():
    names = set(hookspec_functions())
    assert {"surety_manifest", "surety_handle_event", "surety_graphql"} <= names


def test_signature_rendering_follows_the_source():
    def sample(session: "Session", n: int = 3, *, tag: str = "x") -> "list[str] | None":  # noqa: F821, UP037
        """A sample."""

    assert rendered_signature(sample) == (
        'def sample(session: Session, n: int = 3, *, tag: str = "x") -> list[str] | None')


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_every_hook_is_documented_with_its_exact_signature(doc, name):
    fn = hookspec_functions()[name]
    reference = _hook_reference(doc)
    assert re.search(rf"^### `{name}`$", reference, flags=re.MULTILINE), \
        f"no '### `{name}`' heading in the Hook reference"
    assert rendered_signature(fn) in _python_blocks(reference), (
        f"the Hook reference must show `{rendered_signature(fn)}` in a python block")


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_every_hook_is_documented_with_its_docstring(doc, name):
    first_sentence = re.split(r"(?<=\.)\s", _plain(inspect.getdoc(hookspec_functions()[name])), maxsplit=1)[0]
    assert first_sentence in _plain(_hook_reference(doc)), f"the Hook reference must quote: {first_sentence}"


def test_the_doc_names_no_hook_that_does_not_exist(doc):
    hooks = set(hookspec_functions())
    named = set(re.findall(r"\bsurety_[a-z0-9_]+\b", doc)) - NOT_HOOKS
    assert named - hooks == set()
    headings = set(re.findall(r"^### `(surety_[a-z0-9_]+)`$", _hook_reference(doc), flags=re.MULTILINE))
    assert headings == hooks


@pytest.mark.parametrize("cls", SDK_CLASSES, ids=lambda c: c.__name__)
def test_every_sdk_dataclass_is_documented_with_its_fields(doc, cls):
    blocks = _python_blocks(_hook_reference(doc))
    assert f"class {cls.__name__}:" in blocks
    for f in dataclasses.fields(cls):
        line = f"{f.name}: {_as_written(f.type)!r}"
        if f.default is not dataclasses.MISSING:
            line += f" = {_literal(f.default)!r}"
        assert line in blocks, f"{cls.__name__} field not documented as `{line}`"
