"""Scaffolding for plugin authors: ``surety plugin new KEY`` writes an out-of-tree plugin distribution with the
standard rooms (docs/plugins.md, "Your first day"). The files come from ``templates/`` (package data)."""

from surety.core.scaffold.generator import ScaffoldError, new_plugin, plugin_names, validate_key

__all__ = ["ScaffoldError", "new_plugin", "plugin_names", "validate_key"]
