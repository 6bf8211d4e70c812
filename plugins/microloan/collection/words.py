"""Collection's words quoted in a bigger message, rendered in the reader's language (docs/i18n.md), as
:class:`surety.core.words.Words`: an English template marked ``N_`` and its parameters."""

from __future__ import annotations

from surety.core.i18n import N_
from surety.core.words import Words

CASE_OPENED = Words(N_("the day the case opened"))
WRITE_OFF_DAY = Words(N_("the write-off date"))
