"""The package list of the wheel (everything else is in pyproject.toml).

The import package ``surety`` is the repository root (``package-dir = {"surety" = "."}``, docs/adr/0001), which
pyproject.toml cannot express for subpackages: ``packages.find`` would install ``core`` as a top-level package. So
the list is found here, under the code folders only (never tests/, docs/, deploy/, var/, .venv), as namespace
packages because ``graphql/``, ``migrations/`` and ``migrations/versions/`` have no ``__init__.py`` on purpose.
A subpackage added later is picked up without editing anything (docs/adr/0006-wheel-layout.md).
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: The folders of the repository root that are code; each is installed as ``surety.<folder>``.
CODE_FOLDERS = ("core", "tenants", "graphql", "plugins", "migrations")


class BuildPy(build_py):
    """The root package is the repository root: of its own modules only ``__init__.py`` is code (not this file)."""

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if m[0] != "surety" or m[1] == "__init__"]


setup(
    packages=["surety"] + [
        f"surety.{name}"
        for name in find_namespace_packages(
            where=str(ROOT),
            include=[pattern for folder in CODE_FOLDERS for pattern in (folder, f"{folder}.*")],
            exclude=["*.__pycache__", "*.__pycache__.*"],
        )
    ],
    cmdclass={"build_py": BuildPy},
)
