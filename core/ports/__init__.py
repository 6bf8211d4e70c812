"""Declared seams: typed doors to a plugin that other plugins use instead of importing its modules. Each module
calls hooks the plugin declares, through the session's tenant (core/hooks.py), and imports nothing of the plugin.
docs/adr/0008-customers-door.md.
"""
