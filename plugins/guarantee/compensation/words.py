"""Words quoted in a bigger message, in the reader's language (docs/i18n.md).

A :class:`Words` is an English template (marked ``N_``: the catalogue has its zh-CN text) and its parameters, passed
as a parameter of a DomainError: ``core.i18n.translate`` renders such a parameter in the language of the message
that quotes it, and ``str()`` is the English text (``exc.message``, logs). Used for the names of the amounts a claim
refuses (the ``what`` of core.inputs), a claim's covered components and a project's risk class.
"""

from __future__ import annotations

from surety.core.i18n import N_, format_message
from surety.plugins.guarantee.project.models import COMPONENT_INTEREST, COMPONENT_PENALTY, COMPONENT_PRINCIPAL


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


#: A claim component in words (COMPONENTS holds the zh-CN labels the contract and letter print).
COMPONENT_WORDS = {COMPONENT_PRINCIPAL: N_("principal"), COMPONENT_INTEREST: N_("interest"),
                   COMPONENT_PENALTY: N_("penalty interest")}
#: A covered scope (it always includes the principal) in words.
SCOPE_WORDS = {
    (COMPONENT_PRINCIPAL,): N_("principal"),
    (COMPONENT_PRINCIPAL, COMPONENT_INTEREST): N_("principal and interest"),
    (COMPONENT_PRINCIPAL, COMPONENT_PENALTY): N_("principal and penalty interest"),
    (COMPONENT_PRINCIPAL, COMPONENT_INTEREST, COMPONENT_PENALTY): N_("principal, interest and penalty interest"),
}
#: A risk class (五级分类) in words (RISK_CLASSES holds the zh-CN labels).
RISK_CLASS_WORDS = {"normal": N_("normal"), "special_mention": N_("special mention"), "substandard": N_("substandard"),
                    "doubtful": N_("doubtful"), "loss": N_("loss")}


def component(key: str) -> Words | str:
    """A component key in words (an unknown key as itself)."""
    return Words(COMPONENT_WORDS[key]) if key in COMPONENT_WORDS else key


def scope(components) -> Words | str:
    """Covered components (in COMPONENTS order) in words."""
    key = tuple(components)
    return Words(SCOPE_WORDS[key]) if key in SCOPE_WORDS else ", ".join(key)


def risk_class(key: str) -> Words | str:
    """A risk class key in words (an unknown key as itself)."""
    return Words(RISK_CLASS_WORDS[key]) if key in RISK_CLASS_WORDS else key
