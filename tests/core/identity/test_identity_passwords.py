import pytest

from surety.core.errors import ValidationFailed
from surety.core.identity.passwords import (
    _hasher,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_hash_is_argon2id_and_verifies():
    h = hash_password("Str0ng-Passphrase!")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "Str0ng-Passphrase!")
    assert not verify_password(h, "Str0ng-Passphrase?")


def test_same_password_hashes_differently():
    assert hash_password("Str0ng-Passphrase!") != hash_password("Str0ng-Passphrase!")


def test_unreadable_hash_does_not_verify():
    assert verify_password("not-a-hash", "whatever") is False


def test_needs_rehash_when_parameters_differ():
    production_hash = _hasher("production").hash("Str0ng-Passphrase!")
    assert needs_rehash(production_hash)  # the suite runs with env=test parameters
    assert not needs_rehash(hash_password("Str0ng-Passphrase!"))
    assert needs_rehash("garbage")


def test_test_env_uses_cheap_parameters_production_uses_rfc9106():
    assert _hasher("test").memory_cost < _hasher("production").memory_cost
    assert _hasher("production").memory_cost == 65536 and _hasher("production").time_cost == 3


@pytest.mark.parametrize(
    ("pw", "fragment"),
    [
        ("Sh0rt!", "at least 10 characters"),
        ("alllowercaseletters", "at least three of"),
        ("ALLUPPER123456", "at least three of"),
        ("Xx-alice-Xx-9", "must not contain the username"),
        ("Password123!", "too common"),
        ("P@ssw0rd2024", "too common"),
        ("Admin@123456", "too common"),
        ("Woaini1314!", "too common"),
        ("A" * 200 + "b1!" + "c" * 100, "at most 256"),
    ],
)
def test_policy_names_the_problem(pw, fragment):
    with pytest.raises(ValidationFailed) as exc:
        check_policy(pw, username="alice")
    assert fragment in exc.value.message
    assert exc.value.field == "password"


def test_username_check_is_case_insensitive():
    with pytest.raises(ValidationFailed, match="username"):
        check_policy("xx-ALICE-99z", username="alice")


@pytest.mark.parametrize("pw", ["Str0ng-Passphrase!", "correct horse Battery", "Xk9#mPq2vL", "Correct-Horse-9"])
def test_policy_accepts_good_passwords(pw):
    check_policy(pw, username="alice")
