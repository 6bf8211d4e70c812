"""Words quoted in a bigger message, rendered in the reader's language (docs/i18n.md): an English template marked
``N_`` and its parameters; ``core.i18n.translate`` renders any parameter with ``template`` and ``params`` in the
language of the message quoting it. The smallest local copy of guarantee's ``project.words.Words`` (a core helper is
the better home for it)."""

from __future__ import annotations

import dataclasses

from surety.core.i18n import N_, format_message


@dataclasses.dataclass(frozen=True)
class Words:
    template: str
    params: dict = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        return format_message(self.template, self.params)


CASE_OPENED = Words(N_("the day the case opened"))
WRITE_OFF_DAY = Words(N_("the write-off date"))
