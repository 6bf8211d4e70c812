"""PLACEHOLDER (being written)."""

QUERIES: tuple = ()
MUTATIONS: tuple = ()
TYPES: tuple = ()
