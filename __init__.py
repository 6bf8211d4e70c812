"""Surety: the import package `surety` is mapped onto the repository root (see pyproject.toml).

The top-level `graphql/` folder deliberately has no ``__init__.py`` so that it never shadows graphql-core
(docs/adr/0001-package-layout.md).
"""

__version__ = "0.1.0"
