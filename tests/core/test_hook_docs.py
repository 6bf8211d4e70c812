"""docs/plugins.md documents every hookspec with its exact signature, every SDK dataclass with its fields, and no hook
that does not exist."""

from __future__ import annotations

import dataclasses
import inspect
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
from surety.core.testing import documented_annotation, documented_signature, documented_value

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
SPEC_MARKER = f"{hookspecs.PROJECT}_spec"
SDK_CLASSES = (PluginManifest, Permission, GraphQLContribution, ScheduledJob, RoleTemplate, WorkflowStepCall,
               OutgoingNotification, NotificationChannel)
#: Identifiers starting with ``surety_`` that the doc may use without them being hooks.
NOT_HOOKS = {"surety_hello", "surety_hello_plugin", SPEC_MARKER, "surety_impl"}


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

    assert documented_signature(sample) == (
        'def sample(session: Session, n: int = 3, *, tag: str = "x") -> list[str] | None')


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_every_hook_is_documented_with_its_exact_signature(doc, name):
    fn = hookspec_functions()[name]
    reference = _hook_reference(doc)
    assert re.search(rf"^### `{name}`$", reference, flags=re.MULTILINE), \
        f"no '### `{name}`' heading in the Hook reference"
    assert documented_signature(fn) in _python_blocks(reference), (
        f"the Hook reference must show `{documented_signature(fn)}` in a python block")


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
        line = f"{f.name}: {documented_annotation(f.type)}"
        if f.default is not dataclasses.MISSING:
            line += f" = {documented_value(f.default)}"
        assert line in blocks, f"{cls.__name__} field not documented as `{line}`"
