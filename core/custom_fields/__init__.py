"""Tenant-defined custom fields and forms (客户信息要素, 表单定义): docs/custom-fields.md, docs/adr/0009."""
