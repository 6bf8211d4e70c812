#!/usr/bin/env python3
"""mypy on core/ with a ratchet: the number of errors may only go down.

Runs mypy (settings in pyproject.toml, [tool.mypy]) on the package ``surety.core``, counts the errors and compares
the count with the committed baseline in .ci/mypy-baseline.txt:

- more errors than the baseline: fails, listing the errors (fix the new ones);
- fewer: passes, and asks you to lower the baseline (``--update`` writes the new count) in the same commit;
- the same: passes.

The import package ``surety`` is the repository root (docs/adr/0001), which mypy cannot map by itself: the script
points mypy at a temporary directory holding one symlink ``surety`` -> the repository root.

usage: .ci/mypy_ratchet.py [--update] [--verbose]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
CACHE = ROOT / "var" / "mypy-cache"
ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: ")


def read_baseline() -> int:
    """The committed number: the first line of the baseline file that is not a comment."""
    for line in BASELINE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return int(line)
    raise SystemExit(f"{BASELINE}: no number in it")


def write_baseline(count: int) -> None:
    text = BASELINE.read_text(encoding="utf-8").splitlines()
    comments = [line for line in text if line.strip().startswith("#")]
    BASELINE.write_text("\n".join([*comments, str(count)]) + "\n", encoding="utf-8")


def run_mypy() -> list[str]:
    """mypy's error lines for surety.core, with paths relative to the repository root."""
    with tempfile.TemporaryDirectory(prefix="surety-mypy-") as tmp:
        link = Path(tmp) / "surety"
        link.symlink_to(ROOT, target_is_directory=True)
        env = {**os.environ, "MYPYPATH": tmp}
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(CACHE),
             "--no-error-summary", "--no-pretty", "-p", "surety.core"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        if proc.returncode not in (0, 1):  # 2: mypy itself failed (bad configuration, crash)
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"mypy failed to run (exit {proc.returncode})")
        prefix = str(link) + os.sep
        return [line.replace(prefix, "") for line in proc.stdout.splitlines() if ERROR.match(line)]


def count_errors(lines: list[str]) -> int:
    return sum(1 for line in lines if ERROR.match(line))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the measured count as the new baseline")
    parser.add_argument("--verbose", action="store_true", help="print every error")
    args = parser.parse_args(argv)

    errors = run_mypy()
    count, baseline = count_errors(errors), read_baseline()
    if args.verbose:
        print("\n".join(errors))
    if args.update:
        write_baseline(count)
        print(f"mypy ratchet: baseline set to {count} (was {baseline})")
        return 0
    if count > baseline:
        print("\n".join(errors))
        print(f"mypy ratchet: {count} errors in core/, more than the baseline {baseline} "
              f"(.ci/mypy-baseline.txt): fix the new ones above.")
        return 1
    if count < baseline:
        print(f"mypy ratchet: {count} errors in core/, fewer than the baseline {baseline}: lower it in this commit "
              f"(.ci/mypy_ratchet.py --update, or write {count} into .ci/mypy-baseline.txt).")
        return 0
    print(f"mypy ratchet: {count} errors in core/ (baseline {baseline}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
