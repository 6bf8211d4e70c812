"""For tests of the regulatory areas: a made-up business plugin answering the regulatory hooks with the figures and
exposures a test sets (:class:`Book`), so the measures and the limit check are tested on hand-computed numbers
without a ledger. ``with answering(book):`` registers it for the duration and counts it among the enabled plugins
of every tenant."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from types import ModuleType

from surety.core import hooks
from surety.core.plugins import get_registry, hookimpl
from surety.core.ports.regulatory import Exposure, Figure

KEY = "regulatory_test_book"


@dataclasses.dataclass
class Book:
    """What the made-up plugin answers: ``figures`` (every call, whatever the dates), ``exposures`` and, per
    ``(subject_type, subject_id)``, the ``proposed`` exposures; ``calls`` counts the hook calls by name."""

    figures: list[Figure] = dataclasses.field(default_factory=list)
    exposures: list[Exposure] = dataclasses.field(default_factory=list)
    proposed: dict[tuple[str, str], list[Exposure]] = dataclasses.field(default_factory=dict)
    calls: dict[str, int] = dataclasses.field(default_factory=dict)

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1


def _plugin(book: Book) -> ModuleType:
    module = ModuleType(KEY)

    @hookimpl
    def regulatory_report_figures(session, as_of, period_start):
        book._count("regulatory_report_figures")
        return list(book.figures)

    @hookimpl
    def regulatory_exposures(session, as_of):
        book._count("regulatory_exposures")
        return list(book.exposures)

    @hookimpl
    def regulatory_proposed_exposures(session, subject_type, subject_id):
        book._count("regulatory_proposed_exposures")
        return book.proposed.get((subject_type, str(subject_id)))

    for fn in (regulatory_report_figures, regulatory_exposures, regulatory_proposed_exposures):
        setattr(module, fn.__name__, fn)
    return module


@contextlib.contextmanager
def answering(book: Book) -> Iterator[Book]:
    """Register the made-up plugin answering from ``book`` and count it as enabled for every tenant."""
    pm = get_registry().pm
    plugin = _plugin(book)
    pm.register(plugin, name=KEY)
    original = hooks.tenant_plugins
    hooks.tenant_plugins = lambda session: [*original(session), KEY]  # type: ignore[assignment]
    try:
        yield book
    finally:
        hooks.tenant_plugins = original  # type: ignore[assignment]
        pm.unregister(name=KEY)
