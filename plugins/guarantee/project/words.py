"""A project's status in words, quoted in a bigger message in the reader's language (docs/i18n.md), as a
:class:`surety.core.words.Words` (an English template marked ``N_`` and its parameters). The lowest business area
holds it so that every area may use it (tests/plugins/guarantee/test_layout.py)."""

from __future__ import annotations

from surety.core.i18n import N_
from surety.core.words import Words
from surety.plugins.guarantee.project.models import (
    STATUS_APPROVED,
    STATUS_CANCELLED,
    STATUS_COMPENSATED,
    STATUS_CONTRACTED,
    STATUS_DRAFT,
    STATUS_EFFECTIVE,
    STATUS_IN_APPROVAL,
    STATUS_REJECTED,
    STATUS_RELEASED,
    STATUS_WITHDRAWN,
)

#: A project status in words: the English is the status code itself (the messages quote it so), the zh-CN text its
#: label (PROJECT_STATUS_LABELS).
PROJECT_STATUS_WORDS = {
    STATUS_DRAFT: N_("draft"), STATUS_IN_APPROVAL: N_("in_approval"), STATUS_APPROVED: N_("approved"),
    STATUS_REJECTED: N_("rejected"), STATUS_WITHDRAWN: N_("withdrawn"), STATUS_CONTRACTED: N_("contracted"),
    STATUS_EFFECTIVE: N_("effective"), STATUS_RELEASED: N_("released"), STATUS_CANCELLED: N_("cancelled"),
    STATUS_COMPENSATED: N_("compensated"),
}


def project_status(code: str) -> Words | str:
    """A project status for a message: its code in English, its label in Chinese (an unknown code as itself)."""
    return Words(PROJECT_STATUS_WORDS[code]) if code in PROJECT_STATUS_WORDS else code
