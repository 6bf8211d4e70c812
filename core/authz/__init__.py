"""Casbin RBAC with domains (domain = tenant), permission catalog, role templates and data scopes."""
