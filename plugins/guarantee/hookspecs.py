"""Hooks the ``guarantee`` plugin declares for other plugins (returned from ``surety_plugin_hookspecs``).

Call them for the session's tenant with ``surety.core.hooks.tenant_hook(session, name)(**kwargs)``;
docs/guarantee/documents.md lists each with its exact signature.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from surety.core.hookspecs import hookspec


@hookspec(firstresult=True)
def guarantee_esign_send(session: Session, contract_id: uuid.UUID, document: bytes, signers: Sequence[Mapping[str, str]]) -> str | None:
    """Send a generated contract (``document``, .docx bytes) for electronic signature by ``signers`` (each
    ``{"role": ..., "name": ...}``) and return the provider's reference for it, or None when this plugin does not
    handle it (the next enabled provider is asked). A provider (a CA or e-sign platform) reports the signing later
    through ``surety.plugins.guarantee.esign.signed(session, actor, reference, signed_document)``. Raise a
    DomainError to refuse (the contract stays unsent)."""
