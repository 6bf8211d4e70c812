"""Domain errors of the ``customers`` plugin (each has a stable code; messages name the problem)."""

from __future__ import annotations

from surety.core.errors import Conflict, DomainError, ValidationFailed


class CustomerBlacklisted(DomainError):
    """New business for a customer on an active blacklist entry."""

    code = "CUSTOMER_BLACKLISTED"


class DuplicateCustomer(Conflict):
    """A customer with the same ID number or credit code exists in the tenant."""

    code = "CUSTOMER_DUPLICATE"


class CustomerCollision(Conflict):
    """Another manager or branch is working the customer within the tenant's collision window (mode ``block``)."""

    code = "CUSTOMER_COLLISION"


class ImportRejected(ValidationFailed):
    """A spreadsheet that cannot be imported; ``details["rows"]`` lists every bad row."""

    code = "IMPORT_REJECTED"
