"""Files on a workflow instance: uploaded through the core attachments service with entity type
``workflow:instance`` and the instance id, then cited by actions and comments (docs/workflow.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.attachments.models import Attachment
from surety.core.attachments.service import entity_uuid
from surety.core.context import Actor
from surety.core.errors import NotFound
from surety.core.workflow.models import WorkflowInstance
from surety.core.workflow.queries import get_instance

ENTITY_TYPE = "workflow:instance"


def instance_guard(session: Session, actor: Actor, entity_id: str) -> None:
    """Attachments of an instance are for those who may see the instance (participants and monitors)."""

    get_instance(session, actor, entity_uuid(entity_id))


def cited(session: Session, instance: WorkflowInstance, ids: Iterable[uuid.UUID]) -> list[str]:
    """Ids of live (not deleted) files uploaded to this instance, to cite in an action; NotFound for any other."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    found = set(session.scalars(select(Attachment.id).where(
        Attachment.id.in_(ids), Attachment.entity_type == ENTITY_TYPE,
        Attachment.entity_id == str(instance.id), Attachment.deleted_at.is_(None))))
    if len(found) != len(ids):
        raise NotFound("An attachment cited is not one of this instance's files.", field="attachment_ids")
    return [str(i) for i in ids]

