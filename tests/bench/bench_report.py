"""The results table (rich, for the terminal; Markdown, for docs/benchmarks.md) and the machine facts."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

from bench_stats import Figure
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import create_engine, text

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
COLUMNS = ("#", "What", "Surety", "Baseline", "Ratio", "Target", "Result")


def _value(v: float, unit: str) -> str:
    return f"{v:.3f} {unit}" if v < 10 else f"{v:.1f} {unit}"


def _cells(n: int, f: Figure) -> tuple[str, ...]:
    return (str(n), f.what, _value(f.surety, f.unit), _value(f.baseline, f.unit), f.comparison, f.target,
            "PASS" if f.passed else "FAIL")


def machine_facts(owner_url: str) -> dict[str, str]:
    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            pg = conn.scalar(text("SHOW server_version"))
    finally:
        engine.dispose()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "Date (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "CPUs": f"{os.cpu_count()} x {cpu}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "PostgreSQL": pg,
        "OS": platform.platform(),
    }


def print_table(figures: list[Figure], facts: dict[str, str], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Surety benchmarks (same run, same machine)", show_lines=True)
    for name in COLUMNS:
        table.add_column(name, overflow="fold", justify="left" if name in ("What", "Target") else "right")
    for n, f in enumerate(figures, 1):
        cells = list(_cells(n, f))
        cells[-1] = "[green]PASS[/green]" if f.passed else "[bold red]FAIL[/bold red]"
        table.add_row(*cells)
    console.print(table)
    for n, f in enumerate(figures, 1):
        for note in f.notes:
            console.print(f"  [dim]\\[{n}] {escape(note)}[/dim]")
    console.print("  " + "; ".join(f"{k}: {v}" for k, v in facts.items()))


def markdown(figures: list[Figure], facts: dict[str, str]) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|")

    lines = ["| " + " | ".join(COLUMNS) + " |", "|---" * len(COLUMNS) + "|"]
    for n, f in enumerate(figures, 1):
        lines.append("| " + " | ".join(esc(c) for c in _cells(n, f)) + " |")
    lines.append("")
    notes = [f"[{n}] {note}" for n, f in enumerate(figures, 1) for note in f.notes]
    if notes:
        lines += ["Notes:", ""] + [f"- {esc(n)}" for n in notes] + [""]
    lines += ["Machine:", ""] + [f"- {k}: {v}" for k, v in facts.items()]
    return "\n".join(lines)


def write_doc(path: Path, body: str) -> None:
    """Replace the section between the bench markers (appended when the markers are missing)."""
    section = f"{START}\n{body}\n{END}"
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    new = pattern.sub(lambda _m: section, old, count=1) if pattern.search(old) else old.rstrip() + "\n\n" + section
    path.write_text(new.rstrip() + "\n")
