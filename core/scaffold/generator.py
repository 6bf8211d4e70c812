"""Render ``templates/plugin`` into a new plugin distribution.

Templates are plain files rendered with :class:`string.Template` (``$key``, ``$package``, ...; ``$$`` is a dollar
sign). In template paths the folder ``__package__`` becomes the import package and ``__key__`` the plugin key; the
``.tmpl`` suffix is dropped. Everything is rendered before anything is written, so a refused or broken template
leaves no half-written folder behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from string import Template

from surety.core.plugins import get_registry

TEMPLATES = Path(__file__).resolve().parent / "templates" / "plugin"
SUFFIX = ".tmpl"
#: A plugin key: lowercase letters and digits in words joined by single underscores, starting with a letter. It
#: prefixes table, constraint and index names, so it stays short (PostgreSQL cuts identifiers at 63 bytes).
KEY_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_KEY_LENGTH = 30
#: Keys no plugin may take, installed or not.
RESERVED_KEYS = frozenset({"core", "surety", "tenants", "graphql", "plugins", "migrations", "test", "tests"})


class ScaffoldError(ValueError):
    """A refused ``surety plugin new`` (the message is for the user, in zh-CN)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def validate_key(key: str, installed: Iterable[str] = ()) -> str:
    """``key`` when it may name a new plugin; ScaffoldError otherwise."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ScaffoldError(
            f"插件标识 {key!r} 无效：只能使用小写字母、数字和单个下划线，且须以小写字母开头（例如 microloan、"
            "finance_voucher）。")
    if len(key) > MAX_KEY_LENGTH:
        raise ScaffoldError(f"插件标识 {key!r} 过长：最多 {MAX_KEY_LENGTH} 个字符。")
    if key in RESERVED_KEYS:
        raise ScaffoldError(f"插件标识 {key!r} 为保留字，请换一个。")
    if key in set(installed):
        raise ScaffoldError(f"插件标识 {key!r} 已被已安装的插件使用，请换一个。")
    return key


def plugin_names(key: str, title: str | None = None) -> dict[str, str]:
    """The names the templates use, derived from the key (``finance_voucher`` -> ``FinanceVoucher``, ...)."""
    words = key.split("_")
    pascal = "".join(w[:1].upper() + w[1:] for w in words)
    return {
        "key": key,
        "package": f"surety_{key}",
        "dist": f"surety-{key.replace('_', '-')}-plugin",
        "pascal": pascal,
        "camel": pascal[:1].lower() + pascal[1:],
        "table": f"{key}_items",
        "title": (title or "").strip() or pascal,
    }


def _output_path(template: Path, names: dict[str, str]) -> Path:
    parts = [names["package"] if p == "__package__" else p.replace("__key__", names["key"])
             for p in template.relative_to(TEMPLATES).parts]
    parts[-1] = parts[-1].removesuffix(SUFFIX)
    return Path(*parts)


def render(names: dict[str, str]) -> dict[Path, str]:
    """Every generated file: its path relative to the plugin folder -> its text."""
    files = {}
    for template in sorted(TEMPLATES.rglob(f"*{SUFFIX}")):
        files[_output_path(template, names)] = Template(template.read_text(encoding="utf-8")).substitute(names)
    return files


def _installed_keys() -> list[str]:
    return get_registry().keys()


def new_plugin(key: str, target: Path | str | None = None, *, title: str | None = None,
               installed: Iterable[str] | None = None) -> list[Path]:
    """Write a new plugin distribution for ``key`` into ``target`` (default ``./surety-<key>-plugin``) and return
    the files written. Refused (ScaffoldError) for an invalid or taken key and for a target that exists and is not
    an empty folder. ``installed`` are the keys already taken (default: every installed plugin)."""
    validate_key(key, _installed_keys() if installed is None else installed)
    names = plugin_names(key, title)
    folder = Path(target) if target is not None else Path.cwd() / names["dist"]
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ScaffoldError(f"目标 {folder} 已存在且不是空目录，不会覆盖；请换一个 --dir。")
    files = render(names)
    written = []
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
