"""Words quoted in a bigger message, in the reader's language (docs/i18n.md).

A :class:`Words` is an English template (marked ``N_`` where it is written: the catalogue has its zh-CN text) and its
parameters, passed as a parameter of a DomainError, typically the ``what`` of ``core.inputs`` (``inputs.number(...,
what=Words(N_("The weight of {key}"), key=key))``): ``core.i18n.translate`` renders such a parameter in the language of
the message that quotes it, and ``str()`` is the English text (``exc.message``, logs). The lowest business area holds
it so that every area may use it (tests/plugins/guarantee/test_layout.py).
"""

from __future__ import annotations

from surety.core.i18n import N_, format_message
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


class Words:
    """An English template and its parameters, rendered in the reader's language where a message quotes it."""

    __slots__ = ("template", "params")

    def __init__(self, template: str, **params: object):
        self.template = template
        self.params = dict(params)

    def __str__(self) -> str:
        return format_message(self.template, self.params)

    def __repr__(self) -> str:
        return f"Words({self.template!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Words) and (self.template, self.params) == (other.template, other.params)

    def __hash__(self) -> int:
        return hash(self.template)


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
