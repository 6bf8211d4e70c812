"""core.testing_layout on a made-up plugin package: the questions every plugin's layout test asks must find what is
wrong (a module in no area, an area without tests, an impure module, an upward import, a table module)."""

from __future__ import annotations

from pathlib import Path

from surety.core.testing_layout import AreaLayout


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_layout_questions_find_what_is_wrong(tmp_path):
    pkg, root, tests = "x.plug", tmp_path / "plug", tmp_path / "tests"
    _write(root, {
        "__init__.py": "", "conventions.py": "", "plugin.py": "", "stray.py": "",
        "calc/__init__.py": "", "calc/pure.py": "import sqlalchemy\nfrom x.plug import conventions\n",
        "calc/clean.py": "from x.plug.conventions import X\nfrom x.plug.calc import pure\n",
        "books/__init__.py": "", "books/models.py": "__tablename__ = 'x'\nfrom x.plug.calc import clean\n",
        "calc/up.py": "from x.plug.books import models\n",
    })
    _write(tests, {"calc/test_calc.py": ""})
    layout = AreaLayout(pkg, root, ("calc", "books"), frozenset({"__init__", "conventions"}), frozenset({"plugin"}))
    assert layout.unplaced(tests) == [
        "x.plug.stray is in no area: put it in an area's folder or name it in BASE or WIRING",
        f"books has no tests in {tests / 'books'}"]
    assert layout.impure(("calc.pure", "calc.clean", "calc.up"), ("sqlalchemy",)) == {
        "calc.pure": ["sqlalchemy"], "calc.up": ["x.plug.books.models"]}
    assert layout.upward() == ["x.plug.calc.up (calc) -> x.plug.books.models (books)"]
    assert layout.table_modules() == {"x.plug.books.models"}
