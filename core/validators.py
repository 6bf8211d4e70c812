"""Validators for personal data shared by every module (plugins reuse them rather than copy them): mobile numbers,
e-mail addresses, and the check characters of the two national identifiers (a resident ID card, GB 11643; a unified
social credit code, GB 32100)."""

from __future__ import annotations

import re

from surety.core.errors import ValidationFailed

#: Weights and check characters of an 18-character resident ID card number (GB 11643).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
#: Characters of a unified social credit code and the weights of its check character (GB 32100).
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of an ID card number's first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character of a unified social credit code's first 17 characters."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def credit_code_ok(value: str) -> bool:
    """Whether ``value`` is a unified social credit code: 18 characters of the code set with the right check one."""
    return len(value) == 18 and all(c in USCC_CHARS for c in value) and uscc_check_char(value[:17]) == value[17]

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
