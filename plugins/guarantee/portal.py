"""PLACEHOLDER (being written)."""

from surety.core.hookspecs import RoleTemplate

ROLE_TEMPLATES = [RoleTemplate("customer_portal", "Customer (self-service portal)", "own",
                               "A customer's own user: applies, uploads documents, follows its own projects.")]
