"""Attachments API: list an entity's attachments and delete one. The bytes go over plain HTTP
(``POST /attachments``, ``GET /attachments/{id}``: core/attachments/web.py, docs/attachments.md)."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import relay

from surety.core.attachments import service
from surety.core.attachments.models import Attachment as AttachmentRow
from surety.core.attachments.web import download_url
from surety.core.errors import DomainError
from surety.graphql.auth import actor, allowed, decode_node_id
from surety.graphql.errors import UserError, run_mutation


@strawberry.type(description="A file attached to an entity. Its content type was sniffed from the bytes; download "
                             "it with `GET downloadUrl` and the same Authorization header as GraphQL.")
class Attachment(relay.Node):
    id: relay.NodeID[str]
    entity_type: str
    entity_id: str
    filename: str
    content_type: str
    size: int = strawberry.field(description="Bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the content, hex.")
    uploaded_by: str = strawberry.field(description="Who uploaded it: `user:<id>` or `apikey:<id>`.")
    uploaded_by_name: str | None = strawberry.field(description="The uploader's username at upload time.")
    created_at: dt.datetime
    download_url: str = strawberry.field(description="Path of the HTTP download (GET, authenticated, audited).")

    @classmethod
    def from_row(cls, row: AttachmentRow) -> Attachment:
        return cls(id=str(row.id), entity_type=row.entity_type, entity_id=row.entity_id, filename=row.filename,
                   content_type=row.content_type, size=row.size, sha256=row.sha256, uploaded_by=row.uploaded_by,
                   uploaded_by_name=row.uploaded_by_name, created_at=row.created_at,
                   download_url=download_url(row.id))

    @classmethod
    def resolve_nodes(cls, *, info, node_ids, required=False):
        """Through the service, so deleted rows, the permission and the entity guards apply (None when refused)."""

        ids = list(node_ids)
        if not allowed(info, "core:attachment:read"):
            return [None] * len(ids)
        out = []
        for raw in ids:
            try:
                out.append(cls.from_row(service.get(info.context.session, actor(info), raw)))
            except DomainError:
                out.append(None)
        return out


@strawberry.type
class AttachmentDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AttachmentQuery:
    @strawberry.field(description="The attachments of an entity (e.g. entityType \"customers:customer\" and the "
                                  "customer's id), oldest first. Needs core:attachment:read.")
    def attachments(self, info: strawberry.Info, entity_type: str, entity_id: str) -> list[Attachment]:
        rows = service.list_for(info.context.session, actor(info), entity_type, entity_id)
        return [Attachment.from_row(r) for r in rows]


@strawberry.type
class AttachmentMutation:
    @strawberry.mutation(description="Delete an attachment (soft: it is no longer listed or downloadable; the "
                                     "audit log keeps the record). Needs core:attachment:delete.")
    def attachment_delete(self, info: strawberry.Info, id: strawberry.ID) -> AttachmentDeletePayload:
        def go():
            row = service.delete(info.context.session, actor(info), decode_node_id(id, "Attachment"))
            return AttachmentDeletePayload(deleted_id=relay.to_base64("Attachment", str(row.id)))

        return run_mutation(info, AttachmentDeletePayload, go)

