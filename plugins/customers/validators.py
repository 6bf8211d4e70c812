"""Validation of customer fields: ID card numbers (GB 11643), unified social credit codes (GB 32100), phones, bank
accounts, industry and region codes. Each function returns the normalised value or raises ValidationFailed naming
the field and the problem."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from surety.core import inputs
from surety.core.errors import ValidationFailed
# the check characters (core.validators) stay importable from here: customers' tests and testing use these names
from surety.core.validators import USCC_CHARS, id_check_char, normalise_cn_mobile, uscc_check_char

from surety.plugins.customers.models import KINDS, SIZES

_ID_RE = re.compile(r"^\d{17}[\dX]$")
_USCC_RE = re.compile(f"^[{USCC_CHARS}]{{18}}$")
_INDUSTRY_RE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")
_REGION_RE = re.compile(r"^[1-9]\d{5}$")
_ACCOUNT_RE = re.compile(r"^\d{8,32}$")
#: Province-level codes of GB/T 2260 (first two digits of an ID number / region code).
PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
                       52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91})


def _compact(value: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


def validate_id_number(value: str | None, *, field: str = "id_number", today: dt.date | None = None) -> str:
    """An 18-character resident ID card number (GB 11643): province, birth date and check character."""
    v = _compact(value)
    if not v:
        raise ValidationFailed("An ID card number is required.", field=field)
    if len(v) != 18:
        raise ValidationFailed("An ID card number has 18 characters, not {length}.", field=field, length=len(v))
    if not _ID_RE.match(v):
        raise ValidationFailed("An ID card number is 17 digits followed by a digit or X.", field=field)
    if int(v[:2]) not in PROVINCES:
        raise ValidationFailed("An ID card number starts with a province code; {prefix} is none.", field=field,
                               prefix=v[:2])
    try:
        born = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationFailed("The birth date {digits} in the ID card number is not a date.", field=field,
                               digits=v[6:14]) from None
    if born > (today or dt.date.today()) or born.year < 1850:
        raise ValidationFailed("The birth date {born} in the ID card number is out of range.", field=field,
                               born=born.isoformat())
    expected = id_check_char(v[:17])
    if v[17] != expected:
        raise ValidationFailed("Wrong check character in the ID card number: the last character should be "
                               "{expected}, not {found} (GB 11643).", field=field, expected=expected, found=v[17])
    return v


def validate_credit_code(value: str | None, *, field: str = "credit_code") -> str:
    """An 18-character unified social credit code (GB 32100): character set, region and check character."""
    v = _compact(value)
    if not v:
        raise ValidationFailed("A unified social credit code is required.", field=field)
    if len(v) != 18:
        raise ValidationFailed("A unified social credit code has 18 characters, not {length}.", field=field,
                               length=len(v))
    if not _USCC_RE.match(v):
        bad = sorted({c for c in v if c not in USCC_CHARS})
        raise ValidationFailed("A unified social credit code uses digits and capital letters except I, O, Z, S "
                               "and V; found {bad}.", field=field, bad="".join(bad))
    if not v[2:8].isdigit():
        raise ValidationFailed("Characters 3-8 of a unified social credit code are the region code (digits).",
                               field=field)
    expected = uscc_check_char(v[:17])
    if v[17] != expected:
        raise ValidationFailed("Wrong check character in the unified social credit code: the last character should "
                               "be {expected}, not {found} (GB 32100).", field=field, expected=expected,
                               found=v[17])
    return v


def validate_phone(value: str | None, *, field: str = "phone") -> str | None:
    if value is None or not str(value).strip():
        return None
    return normalise_cn_mobile(str(value), field=field)


def validate_bank_account(value: str | None, *, field: str = "bank_account") -> str | None:
    if value is None or not str(value).strip():
        return None
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", str(value)))
    if not _ACCOUNT_RE.match(digits):
        raise ValidationFailed("A bank account number has 8 to 32 digits.", field=field)
    return digits


def validate_industry(value: str | None, *, field: str = "industry") -> str | None:
    """A GB/T 4754 industry code: a section letter A-T, optionally followed by 2 to 4 digits (C, C13, C1311)."""
    v = _compact(value)
    if not v:
        return None
    if not _INDUSTRY_RE.match(v):
        raise ValidationFailed("An industry code (GB/T 4754) is a letter A-T optionally followed by 2-4 digits, "
                               "e.g. C13.", field=field)
    return v


def validate_region(value: str | None, *, field: str = "region") -> str | None:
    """A six-digit administrative division code (GB/T 2260), e.g. 110105."""
    v = _compact(value)
    if not v:
        return None
    if not _REGION_RE.match(v) or int(v[:2]) not in PROVINCES:
        raise ValidationFailed("A region is a six-digit administrative division code starting with a province "
                               "code, e.g. 110105.", field=field)
    return v


def validate_kind(value: str | None, *, field: str = "kind") -> str:
    v = (value or "").strip().lower()
    if v not in KINDS:
        raise ValidationFailed("A customer kind is one of {kinds}.", field=field, kinds=", ".join(KINDS))
    return v


def validate_size(value: str | None, *, field: str = "size") -> str | None:
    v = (value or "").strip().lower()
    if not v:
        return None
    if v not in SIZES:
        raise ValidationFailed("A company size is one of {sizes}.", field=field, sizes=", ".join(SIZES))
    return v


def validate_name(value: str | None, *, field: str = "name") -> str:
    v = " ".join(unicodedata.normalize("NFKC", value or "").split())
    if not v:
        raise ValidationFailed("A customer needs a name.", field=field)
    if len(v) > 200:
        raise ValidationFailed("A name is at most 200 characters.", field=field)
    return v


def normalise_name(value: str) -> str:
    """The search form of a name: NFKC (full-width to ASCII), no whitespace, lower case."""
    return "".join(unicodedata.normalize("NFKC", value).split()).lower()


def validate_money(value, *, field: str) -> Decimal | None:
    """An amount in yuan, zero or more, with at most two decimal places (core's Decimal policy, core/inputs.py; a
    spreadsheet's float is read as its shortest decimal text); None when blank. Kept unquantized (0.7 stays 0.7)."""
    if inputs.blank(value):
        return None
    return inputs.number(value, field=field, low=Decimal(0), places=2, floats=True)


def validate_tags(values) -> list[str]:
    tags = []
    for raw in values or ():
        tag = " ".join(str(raw).split())
        if not tag:
            continue
        if len(tag) > 50:
            raise ValidationFailed("A tag is at most 50 characters.", field="tags")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > 20:
        raise ValidationFailed("A customer has at most 20 tags.", field="tags")
    return tags
