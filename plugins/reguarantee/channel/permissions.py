"""Permissions of the filing channel area and their default grants: ``read`` (both sides' channel lists and the
sender's outbound filings), ``manage`` (offer, accept, close a channel), ``send`` (file projects through it)."""

from __future__ import annotations

from surety.core.hookspecs import Permission

CHANNEL = "reguarantee:channel"
PERMISSIONS = (
    Permission(CHANNEL, "read", "查看机构通道及通过通道报送的备案与状态"),
    Permission(CHANNEL, "manage", "开通（发起、接受）与关闭机构通道"),
    Permission(CHANNEL, "send", "通过机构通道向再担保机构报送担保项目备案"),
)
DEFAULT_GRANTS = {
    "admin": (f"{CHANNEL}:read", f"{CHANNEL}:manage", f"{CHANNEL}:send"),
    "customer_manager": (f"{CHANNEL}:read", f"{CHANNEL}:send"),
    "department_head": (f"{CHANNEL}:read", f"{CHANNEL}:send"),
    "risk_officer": (f"{CHANNEL}:read",),
    "executive": (f"{CHANNEL}:read",),
    "finance": (f"{CHANNEL}:read",),
    "auditor": (f"{CHANNEL}:read",),
    "read_only": (f"{CHANNEL}:read",),
}
