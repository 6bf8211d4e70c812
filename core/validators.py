"""Validators for personal data shared by every module (plugins reuse them rather than copy them)."""

from __future__ import annotations

import re

from surety.core.errors import ValidationFailed

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_cn_mobile(value: str, *, field: str = "phone") -> str:
    """A mainland China mobile number as 11 digits (spaces, hyphens and a +86/0086 prefix removed), or
    ValidationFailed naming the problem."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if not digits.isdigit():
        raise ValidationFailed("A phone number may contain only digits, spaces, hyphens and a +86 prefix.",
                               field=field)
    if not _MOBILE.match(digits):
        raise ValidationFailed("A mobile number has 11 digits and starts with 13-19.", field=field)
    return digits


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalise_email(value: str, *, field: str = "email") -> str:
    """An email address, trimmed and with its domain in lower case, or ValidationFailed naming the problem."""
    value = (value or "").strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValidationFailed("An email address looks like name@example.com (at most 254 characters).", field=field)
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"
