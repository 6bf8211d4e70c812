"""Helpers for tests, demo data and benchmarks: identity numbers with real check characters, sample field sets."""

from __future__ import annotations

from surety.core.context import Actor

from surety.plugins.customers.validators import id_check_char, uscc_check_char


def make_id(n: int = 1, *, region: str = "110105", born: str = "19900101") -> str:
    """A valid 18-character ID card number (GB 11643 check character computed); ``n`` picks the sequence."""
    first17 = f"{region}{born}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def make_uscc(n: int = 1, *, region: str = "110105") -> str:
    """A valid unified social credit code (GB 32100 check character computed)."""
    first17 = f"91{region}{n % 10**9:09d}"
    return first17 + uscc_check_char(first17)


def actor_for(user) -> Actor:
    """The actor of a tenant user (what logging in gives)."""
    from surety.core.identity.auth import user_actor

    return user_actor(user)


def individual(n: int = 1, **extra) -> dict:
    return {"name": f"张三{n}", "id_number": make_id(n), "phone": f"1380013{n % 10000:04d}", **extra}


def corporate(n: int = 1, **extra) -> dict:
    return {"name": f"北京测试科技有限公司{n}", "credit_code": make_uscc(n), "industry": "C13", "region": "110105",
            "size": "small", **extra}
