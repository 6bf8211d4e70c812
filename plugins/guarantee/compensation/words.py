"""The after-care areas' words quoted in a bigger message, in the reader's language (docs/i18n.md): a claim's
covered components and scope, a project's risk class, as :class:`surety.core.words.Words` (an English template
marked ``N_``, rendered by ``core.i18n.translate`` in the language of the message quoting it)."""

from __future__ import annotations

from surety.core.i18n import N_
from surety.core.words import Words
from surety.plugins.guarantee.project.models import COMPONENT_INTEREST, COMPONENT_PENALTY, COMPONENT_PRINCIPAL

__all__ = ["COMPONENT_WORDS", "RISK_CLASS_WORDS", "SCOPE_WORDS", "component", "risk_class", "scope"]


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
