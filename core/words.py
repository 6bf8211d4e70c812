"""Words quoted in a bigger message, in the reader's language (docs/i18n.md).

A :class:`Words` is an English template (marked ``N_`` where it is written: the catalogue of the package that writes
it has its zh-CN text) and its parameters, passed as a parameter of a DomainError, typically the ``what`` of
``core.inputs`` (``inputs.number(..., what=Words(N_("The weight of {key}"), key=key))``): ``core.i18n.translate``
renders such a parameter (anything with ``template`` and ``params``) in the language of the message that quotes it,
and ``str()`` is the English text (``exc.message``, logs).
"""

from __future__ import annotations

from surety.core.i18n import format_message


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
