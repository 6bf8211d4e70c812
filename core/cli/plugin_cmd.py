"""``surety plugin ...``: tools for plugin authors (``surety plugin new KEY``).

Registered in core/cli/main.py as the sub-app ``plugin``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from surety.core.cli.kit import console
from surety.core.scaffold import ScaffoldError, new_plugin, plugin_names

plugin_app = typer.Typer(help="Plugin development (scaffold a new plugin).", no_args_is_help=True)


@plugin_app.command("new")
def plugin_new(
    key: Annotated[str, typer.Argument(help="Plugin key: lowercase letters, digits and underscores (e.g. microloan).")],
    directory: Annotated[Path | None, typer.Option(
        "--dir", help="Folder to create (default: ./surety-<key>-plugin); must not exist or be empty.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Human-readable title of the plugin.")] = None,
) -> None:
    """Scaffold an out-of-tree plugin: hooks, model, services, permissions, GraphQL, events, its Alembic branch
    and a test."""
    try:
        written = new_plugin(key, directory, title=title)
    except ScaffoldError as exc:
        console.print(f"[red]错误：[/red]{escape(exc.message)}", soft_wrap=True)
        raise typer.Exit(1) from None
    folder = Path(directory) if directory is not None else Path.cwd() / plugin_names(key)["dist"]
    console.print(f"已生成插件 {key}：{folder}（{len(written)} 个文件）", soft_wrap=True, markup=False)
    console.print(f"下一步：cd {folder} && python -m pytest；安装：pip install -e . && surety db upgrade",
                  soft_wrap=True, markup=False)
