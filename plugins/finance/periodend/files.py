"""Voucher export files (docs/finance/exports.md): the posted vouchers of a period in one of the import formats of
用友 U8 and 金蝶, with the tenant's export settings (``finance_settings``: text encoding, K/3 Cloud account book,
organisation and currency)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import ValidationFailed
from surety.core.settings_rows import settings_row
from surety.plugins.finance.export import kingdee, yonyou
from surety.plugins.finance.periodend.models import FinanceSettings
from surety.plugins.finance.permissions import CHART, VOUCHER
from surety.plugins.finance.vouchers.exporting import vouchers_for_export
from surety.plugins.finance.vouchers.services import check_period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Export formats: key -> (zh-CN name, file suffix, content type).
FORMATS = {
    "u8_text": ("用友 U8 凭证引入文本", "txt", "text/plain"),
    "u8_xlsx": ("用友 U8 凭证 Excel", "xlsx", XLSX),
    "kingdee_cloud_xlsx": ("金蝶云星空 / K/3 Cloud 凭证引入模板", "xlsx", XLSX),
    "kingdee_standard_text": ("金蝶标准格式凭证文本", "txt", "text/plain"),
}
#: Text encodings a tenant may choose for the text formats.
ENCODINGS = ("gbk", "gb18030", "utf-8")
SETTING_FIELDS = {"text_encoding": 20, "cloud_account_book": 40, "cloud_organisation": 40, "cloud_currency": 20}


def get_settings(session: Session) -> FinanceSettings:
    """The tenant's export settings row (created with the defaults on first use)."""
    return settings_row(session, FinanceSettings)


def read_settings(session: Session, actor: Actor) -> FinanceSettings:
    """The export settings (needs finance:voucher:read)."""
    require(session, actor, VOUCHER, "read")
    return get_settings(session)


def update_settings(session: Session, actor: Actor, data: Mapping[str, Any]) -> FinanceSettings:
    """Change the export settings (needs finance:chart:manage); audited."""
    require(session, actor, CHART, "manage")
    unknown = sorted(set(data) - set(SETTING_FIELDS))
    if unknown:
        raise ValidationFailed("Unknown setting {name}.", field=unknown[0], name=unknown[0])
    row = get_settings(session)
    before = {f: getattr(row, f) for f in SETTING_FIELDS}
    for name, value in data.items():
        value = inputs.text(value, name, SETTING_FIELDS[name], required=True)
        if name == "text_encoding" and value.lower() not in ENCODINGS:
            raise ValidationFailed("text_encoding is one of {choices}, not {value}.", field=name,
                                   choices=", ".join(ENCODINGS), value=value)
        setattr(row, name, value.lower() if name == "text_encoding" else value)
    session.flush()
    audit(session, "finance.settings.updated", entity_type="finance:settings", entity_id=row.id, before=before,
          after={f: getattr(row, f) for f in SETTING_FIELDS}, actor=actor)
    return row


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    data: bytes
    vouchers: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def export_period(session: Session, actor: Actor, period: str, fmt: str) -> ExportFile:
    """The posted vouchers of ``period`` as a file in format ``fmt`` (one of FORMATS; needs
    finance:voucher:read); audited as ``finance.vouchers.exported``."""
    period = check_period(period)
    if fmt not in FORMATS:
        raise ValidationFailed("format is one of {choices}, not {value}.", field="format",
                               choices=", ".join(FORMATS), value=str(fmt)[:30])
    require(session, actor, VOUCHER, "read")
    found = vouchers_for_export(session, actor, period)
    settings = get_settings(session)
    if fmt == "u8_text":
        data = yonyou.to_text(found, encoding=settings.text_encoding)
    elif fmt == "u8_xlsx":
        data = yonyou.to_xlsx(found)
    elif fmt == "kingdee_cloud_xlsx":
        data = kingdee.to_cloud_xlsx(found, cloud_book(settings))
    else:
        data = kingdee.to_standard_text(found, encoding=settings.text_encoding)
    _, suffix, content_type = FORMATS[fmt]
    audit(session, "finance.vouchers.exported", entity_type="finance:period", entity_id=period,
          after={"period": period, "format": fmt, "vouchers": len(found)}, actor=actor)
    return ExportFile(f"vouchers-{period}-{fmt}.{suffix}", content_type, data, len(found))


def cloud_book(settings: FinanceSettings) -> kingdee.CloudBook:
    """The K/3 Cloud settings of an import, from the tenant's row."""
    return kingdee.CloudBook(account_book=settings.cloud_account_book, organisation=settings.cloud_organisation,
                             currency=settings.cloud_currency)
