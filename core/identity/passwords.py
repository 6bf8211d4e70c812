"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from surety.core.errors import ValidationFailed
from surety.core.settings import get_settings

MAX_LENGTH = 256

#: Exact passwords (lower-cased) that pass the length and class rules yet are guessed first.
COMMON_PASSWORDS = frozenset({
    "password123", "password123!", "password@123", "password1234", "p@ssw0rd123", "p@ssw0rd1234",
    "qwerty@123", "qwerty12345", "qwerty123456", "qwertyuiop1", "admin@12345", "admin@123456", "admin123456",
    "welcome@123", "welcome1234", "abc@123456", "abc123456!", "aa123456789", "aa1234567890", "qq123456789",
    "woaini1314!", "woaini@1314", "iloveyou123", "1qaz@wsx3edc", "1qaz!qaz2wsx", "zaq1@wsx3edc",
    "letmein1234", "changeme123", "test@123456", "root@123456", "huawei@123", "sysadmin@123",
})
#: Base words that, stripped of leading/trailing digits and symbols and de-leeted, make a weak password.
COMMON_WORDS = frozenset({
    "password", "passw", "passwd", "pass", "qwerty", "qwertyuiop", "asdfgh", "zxcvbn", "admin", "administrator",
    "root", "welcome", "letmein", "changeme", "iloveyou", "woaini", "abc", "abcd", "abcdef", "aa", "a", "qq",
    "test", "guest", "user", "login", "master", "sysadmin", "surety", "dragon", "monkey", "sunshine",
})
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "3": "e", "$": "s", "5": "s", "1": "i", "!": "i", "7": "t"})
_EDGES = re.compile(r"^[^a-z]+|[^a-z]+$")


@lru_cache(maxsize=4)
def _hasher(env: str) -> PasswordHasher:
    if env == "test":
        # Cheap parameters for the test suite only; every other environment uses RFC 9106's low-memory profile.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


def hasher() -> PasswordHasher:
    return _hasher(get_settings().env)


def hash_password(password: str) -> str:
    """An argon2id hash (PHC string with salt and parameters)."""
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; False on mismatch or an unreadable hash."""
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current ones (rehash after a good login)."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def dummy_verify(password: str) -> None:
    """Spend the time of one verification against a hash nobody knows (no user enumeration by timing)."""
    verify_password(_dummy_hash(get_settings().env), password)


@lru_cache(maxsize=4)
def _dummy_hash(env: str) -> str:
    return _hasher(env).hash(secrets.token_urlsafe(16))


def _classes(password: str) -> int:
    return sum((
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


def _is_common(password: str) -> bool:
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        return True
    core = _EDGES.sub("", lowered)
    return core in COMMON_WORDS or core.translate(_LEET) in COMMON_WORDS or _EDGES.sub(
        "", lowered.translate(_LEET)) in COMMON_WORDS


def check_policy(password: str, *, username: str | None = None) -> None:
    """Raise :class:`ValidationFailed` naming the first rule ``password`` breaks."""
    min_length = get_settings().password_min_length
    if len(password or "") < min_length:
        raise ValidationFailed("The password must be at least {min_length} characters long.", field="password",
                               min_length=min_length)
    if len(password) > MAX_LENGTH:
        raise ValidationFailed("The password must be at most {max_length} characters long.", field="password",
                               max_length=MAX_LENGTH)
    if _classes(password) < 3:
        raise ValidationFailed(
            "The password must contain at least three of: upper-case letters, lower-case letters, digits, symbols.",
            field="password",
        )
    if username and len(username) >= 3 and username.lower() in password.lower():
        raise ValidationFailed("The password must not contain the username.", field="password")
    if _is_common(password):
        raise ValidationFailed("The password is too common; choose a less predictable one.", field="password")
