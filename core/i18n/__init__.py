"""Messages in the reader's language: Babel catalogues, the request's locale, and rendering at the boundary.

A message is an English template with ``{name}`` placeholders (the gettext msgid) and its parameters
(docs/i18n.md). Catalogues are ``.po`` files read at run time (no compiled ``.mo``, no build step):
``core/locale/<locale>/LC_MESSAGES/surety.po`` for core, graphql and tenants, then ``<plugin package>/locale/...`` of
each installed plugin (every ``.po`` file there: :func:`catalogue_files`), merged core first. Locales: ``zh_CN``
(the default) and ``en`` (the template itself).

The web layer negotiates the request's locale from ``Accept-Language`` (:func:`negotiate`) and sets it for the
request (:func:`use_locale`); GraphQL errors, typed payload errors and REST error bodies are rendered in it
(:func:`translate`, :func:`render_error`). Logs stay English: they are for engineers.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.core import UnknownLocaleError, negotiate_locale
from babel.messages.pofile import read_po
from babel.support import Translations

DEFAULT_LOCALE = "zh_CN"
ENGLISH = "en"
#: The locales a client may ask for; ``en`` is the templates themselves (no catalogue).
AVAILABLE = (DEFAULT_LOCALE, ENGLISH)
DOMAIN = "surety"
#: Where core's catalogue lives (core, graphql and tenants share it).
CORE_LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("surety_locale", default=DEFAULT_LOCALE)


def N_(template: str) -> str:  # noqa: N802 - gettext's name for "mark for extraction, translate later"
    """Mark a message template built outside a raise for the catalogue (tests/core/test_i18n_catalogue.py)."""
    return template


def current_locale() -> str:
    """The locale of the running request (``zh_CN`` outside one)."""
    return _current.get()


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Run the block in ``locale`` (normalised: unknown or empty falls back to ``zh_CN``)."""
    chosen = normalize(locale)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def set_locale(locale: str | None) -> contextvars.Token:
    """Set the locale for the rest of the current context; ``reset_locale(token)`` undoes it."""
    return _current.set(normalize(locale))


def reset_locale(token: contextvars.Token) -> None:
    _current.reset(token)


def normalize(locale: str | None) -> str:
    """One of :data:`AVAILABLE` for a locale name (``zh-CN``, ``zh``, ``en_US``, ...); anything else is zh_CN."""
    if not locale:
        return DEFAULT_LOCALE
    return negotiate(locale)


def _preferences(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first (``*`` and ``q=0`` left out)."""
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, rest = part.strip().partition(";")
        tag = tag.strip()
        quality = 1.0
        for param in rest.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.replace("-", "_")))
    return [tag for _q, _p, tag in sorted(weighted)]


def negotiate(accept_language: str | None) -> str:
    """The locale for an ``Accept-Language`` header: the first of its languages we have (``zh``, ``zh-CN``,
    ``zh-Hans-CN`` are zh_CN; ``en``, ``en-US`` are en), else zh_CN (also for no header)."""
    if not accept_language:
        return DEFAULT_LOCALE
    for tag in _preferences(accept_language):
        found = negotiate_locale([tag], list(AVAILABLE), sep="_")
        if found is None and _simplified_chinese(tag):
            found = DEFAULT_LOCALE
        if found is not None:
            return {name.lower(): name for name in AVAILABLE}[found.lower()]
    return DEFAULT_LOCALE


def _simplified_chinese(tag: str) -> bool:
    """``zh``, ``zh_Hans``, ``zh_Hans_CN``, ``zh_SG``: written in simplified characters (not zh_TW, zh_HK, zh_Hant)."""
    try:
        locale = Locale.parse(tag)
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    if locale.language != "zh":
        return False
    script = locale.script or ("Hant" if locale.territory in ("TW", "HK", "MO") else "Hans")
    return script == "Hans"


def locale_dirs() -> tuple[Path, ...]:
    """Core's catalogue directory, then each installed plugin's ``locale/`` (beside its plugin module); looked up
    once per set of installed plugins (every translated message asks, and the lookup reads the file system)."""
    from surety.core.plugins import CORE_KEY, get_registry  # noqa: PLC0415 - import cycle: plugins -> errors

    registry = get_registry()
    plugins = tuple((key, registry.plugin(key)) for key in registry.keys() if key != CORE_KEY)
    try:
        return _plugin_locale_dirs(plugins)
    except TypeError:  # a plugin object that cannot be a cache key
        return _plugin_locale_dirs.__wrapped__(plugins)


@lru_cache(maxsize=8)
def _plugin_locale_dirs(plugins: tuple[tuple[str, object], ...]) -> tuple[Path, ...]:
    dirs = [CORE_LOCALE_DIR]
    for _key, plugin in plugins:
        try:
            module_file = inspect.getfile(plugin)  # type: ignore[arg-type]
        except TypeError:  # a plugin object defined at run time (tests): no package directory
            continue
        candidate = Path(module_file).resolve().parent / "locale"
        if candidate.is_dir() and candidate not in dirs:
            dirs.append(candidate)
    return tuple(dirs)


def read_catalogue(path: Path, locale: str) -> Translations:
    """One ``.po`` file as Babel Translations (fuzzy entries are left out, as gettext does)."""
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN, ignore_obsolete=True)
    translations = Translations(domain=DOMAIN)
    for message in catalog:  # plural entries (a tuple msgid) are not used: a template names its own count
        if isinstance(message.id, str) and isinstance(message.string, str) and message.id and message.string \
                and not message.fuzzy:
            translations._catalog[message.id] = message.string
    return translations


def catalogue_files(directory: Path, locale: str) -> list[Path]:
    """The ``.po`` files of ``locale`` under a ``locale/`` directory, by name: ``surety.po``, and a large plugin may
    split its catalogue by business area (``LC_MESSAGES/<area>.po``); a msgid belongs in one file only."""
    return sorted((directory / locale / "LC_MESSAGES").glob("*.po"))


@lru_cache(maxsize=16)
def _translations(locale: str, dirs: tuple[Path, ...]) -> Translations:
    merged = Translations(domain=DOMAIN)
    for directory in reversed(dirs):  # core last: a plugin's catalogue never changes one of core's messages
        for po in catalogue_files(directory, locale):
            merged._catalog.update(read_catalogue(po, locale)._catalog)
    return merged


def translations(locale: str) -> Translations:
    """The merged catalogue of ``locale`` (cached per process and set of installed plugins)."""
    return _translations(normalize(locale), locale_dirs())


def clear_cache() -> None:
    """Forget the loaded catalogues and where they are (tests that edit or install one)."""
    _translations.cache_clear()
    _plugin_locale_dirs.cache_clear()


def _fill(template: str, params: Mapping[str, object] | None) -> str | None:
    try:
        return template.format_map(dict(params or {}))
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return None


def format_message(template: str, params: Mapping[str, object] | None) -> str:
    """``template`` with its ``{name}`` placeholders filled; a template that does not fit its parameters (a literal
    brace, a placeholder without a value) is returned as it is rather than failing the request."""
    filled = _fill(template, params)
    return template if filled is None else filled


def translate(template: str, params: Mapping[str, object] | None = None, locale: str | None = None) -> str:
    """``template`` in ``locale`` (default: the request's), formatted with ``params``. A template without an entry
    in the catalogue is shown in English; a translation that does not fit its parameters falls back to English."""
    chosen = current_locale() if locale is None else normalize(locale)
    if params and any(_is_message(v) for v in params.values()):  # a message quoting another (a refused value)
        params = {k: render_error(v, chosen) if _is_message(v) else v for k, v in params.items()}
    if chosen != ENGLISH:
        text = translations(chosen).gettext(template)
        if text != template:
            rendered = _fill(text, params)
            if rendered is not None:
                return rendered
    return format_message(template, params)


def _is_message(value: object) -> bool:
    return isinstance(getattr(value, "template", None), str) and isinstance(getattr(value, "params", None), dict)


def render_error(exc, locale: str | None = None) -> str:
    """A DomainError's message in ``locale`` (default: the request's), from its ``template`` and ``params``
    (core/errors.py); anything else as ``str(exc)``."""
    if not _is_message(exc):
        return str(exc)
    return translate(exc.template, exc.params, locale)
