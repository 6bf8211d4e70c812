"""Custom fields of guarantee projects (docs/custom-fields.md): entity type ``guarantee_project``. Reading follows
the project (guarantee:project:read and the data scope), writing needs guarantee:project:update on a project in the
caller's scope, at any status (particulars are kept up to date over the project's life); core's services check,
version and audit the values. Approval subjects read them as ``custom.<key>`` (origination/approval.fields_of)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.custom_fields import service as custom
from surety.core.hookspecs import CustomFieldEntity
from surety.plugins.guarantee.project.models import GuaranteeProject
from surety.plugins.guarantee.project.projects import get_project

ENTITY_TYPE = "guarantee_project"
ENTITIES = (CustomFieldEntity(ENTITY_TYPE, "担保项目", "Guarantee project"),)


def set_values(session: Session, actor: Actor, project_id: uuid.UUID, values: Mapping[str, Any]) -> GuaranteeProject:
    """Set custom values of a project (guarantee:project:update, data scope); every problem at once
    (CustomFieldsInvalid, each with its field key)."""
    project = get_project(session, actor, project_id, act="update")
    custom.write_values(session, actor, ENTITY_TYPE, project.id, values)
    return project
