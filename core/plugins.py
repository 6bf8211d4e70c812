"""The plugin manager: core's own hooks plus every plugin of the entry-point group ``surety.plugins``."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pluggy

from surety.core import hookspecs
from surety.core.errors import PluginDependencyMissing, ValidationFailed
from surety.core.hookspecs import PluginManifest

ENTRY_POINT_GROUP = "surety.plugins"
CORE_KEY = "core"
hookimpl = pluggy.HookimplMarker(hookspecs.PROJECT)


class PluginRegistry:
    """Installed plugins, their manifests, and per-tenant hook callers."""

    def __init__(self, pm: pluggy.PluginManager):
        self.pm = pm
        self.manifests: dict[str, PluginManifest] = {}
        for name, plugin in pm.list_name_plugin():
            impl = getattr(plugin, "surety_manifest", None)
            if impl is None:
                raise RuntimeError(f"plugin {name!r} does not implement surety_manifest")
            manifest = impl()
            if manifest.key != name:
                raise RuntimeError(f"plugin registered as {name!r} declares key {manifest.key!r}")
            self.manifests[name] = manifest

    @property
    def hook(self):
        return self.pm.hook

    def keys(self) -> list[str]:
        return sorted(self.manifests)

    def plugin(self, key: str):
        return self.pm.get_plugin(key)

    def hook_for(self, name: str, enabled: Iterable[str]):
        """A caller of hook ``name`` restricted to core and the plugins in ``enabled``."""
        allowed = set(enabled) | {CORE_KEY}
        remove = [p for k, p in self.pm.list_name_plugin() if k not in allowed]
        return self.pm.subset_hook_caller(name, remove_plugins=remove) if remove else getattr(self.pm.hook, name)

    def hook_of(self, name: str, key: str):
        """A caller of hook ``name`` on plugin ``key`` alone (to call plugins one by one in a chosen order)."""
        remove = [p for k, p in self.pm.list_name_plugin() if k != key]
        return self.pm.subset_hook_caller(name, remove_plugins=remove)

    def results_by_plugin(self, name: str) -> dict[str, object]:
        """Call hook ``name`` on each plugin separately: ``{plugin key: result}`` (plugins without it omitted)."""
        out = {}
        for key, plugin in self.pm.list_name_plugin():
            impl = getattr(plugin, name, None)
            if impl is not None and self.pm.parse_hookimpl_opts(plugin, name) is not None:
                out[key] = impl()
        return out

    def check_enable(self, current: Iterable[str], key: str) -> list[str]:
        """The enabled set after enabling ``key``; refused when ``key`` is unknown or a dependency is not enabled."""
        current = set(current)
        if key not in self.manifests:
            raise ValidationFailed("Unknown plugin {key!r}. Installed: {installed}.", field="plugin", key=key,
                                   installed=", ".join(self.keys()))
        missing = [d for d in self.manifests[key].depends_on if d not in current and d != CORE_KEY]
        if missing:
            raise PluginDependencyMissing(
                "Plugin {key!r} depends on {names}, not enabled for this tenant: enable them first.",
                missing=missing, key=key, names=", ".join(repr(m) for m in missing),
            )
        return sorted(current | {key})

    def check_disable(self, current: Iterable[str], key: str) -> list[str]:
        current = set(current)
        if key == CORE_KEY:
            raise ValidationFailed("The core plugin cannot be disabled.", field="plugin")
        dependants = [k for k in current if key in self.manifests.get(k, PluginManifest(k, "")).depends_on]
        if dependants:
            raise PluginDependencyMissing(
                "Plugin {key!r} is needed by {names}; disable those first.",
                dependants=sorted(dependants), key=key, names=", ".join(sorted(dependants)),
            )
        return sorted(current - {key})


def build_plugin_manager(extra: Iterable[tuple[str, object]] = (), entry_points: bool = True) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    if pm.get_plugin(CORE_KEY) is None:  # a source tree used without its distribution metadata
        from surety.core import builtin  # noqa: PLC0415 - import cycle: the core plugin's hooks import core.plugins

        pm.register(builtin, name=CORE_KEY)
    for name, plugin in extra:
        if pm.get_plugin(name) is None:
            pm.register(plugin, name=name)
    for _name, plugin in pm.list_name_plugin():  # hooks that plugins declare for each other
        declare = getattr(plugin, "surety_plugin_hookspecs", None)
        module = declare() if declare is not None else None
        if module is not None:
            pm.add_hookspecs(module)
    return pm


_registry: PluginRegistry | None = None


def get_registry() -> PluginRegistry:
    global _registry
    if _registry is None:
        _registry = PluginRegistry(build_plugin_manager())
    return _registry


def reset_registry(registry: PluginRegistry | None = None) -> None:
    """Forget the cached registry (tests that install a plugin distribution, then rebuild)."""
    global _registry
    _registry = registry
    _load_models.cache_clear()


@lru_cache(maxsize=1)
def _load_models() -> None:
    get_registry().hook.surety_models()


def load_all_models() -> None:
    """Import every installed plugin's models so ``Base.metadata`` is complete."""
    _load_models()
