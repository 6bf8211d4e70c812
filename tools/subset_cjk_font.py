"""Make the CJK TrueType font the guarantee letter embeds: plugins/guarantee/portal/fonts/ (issue 14 item 6).

Run from the repository root (needs Debian's ``apt-get`` and ``dpkg-deb`` for the source font, and fontTools, which
is not a dependency of Surety: ``python -m venv /tmp/ft && /tmp/ft/bin/pip install fonttools``):

    /tmp/ft/bin/python tools/subset_cjk_font.py [--source DroidSansFallbackFull.ttf]

Without ``--source`` it fetches Debian's ``fonts-droid-fallback`` package (``apt-get download``) and takes
``DroidSansFallbackFull.ttf`` from it: Droid Sans Fallback, Apache License 2.0, TrueType outlines (reportlab's
TTFont embeds TrueType ``glyf`` fonts only, not CFF ``.otf``). The subset keeps printable ASCII, every character of
GB 2312 (symbols, both levels of hanzi: customers' and companies' names use level-2 characters such as 鑫 and 琪)
and every non-ASCII character written in the guarantee plugin's source (the documents' fixed wording), drops
hinting and layout tables, and is written without a new timestamp, so the same source font gives the same file.
The license goes next to it. Nothing is fetched at run time: the letter reads the file from the package.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "plugins" / "guarantee" / "portal" / "fonts"
OUT_NAME = "DroidSansFallback-GB2312.ttf"
DEBIAN_PACKAGE = "fonts-droid-fallback"
SOURCE_IN_PACKAGE = "usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
LICENSE_TEXT = Path("/usr/share/common-licenses/Apache-2.0")
#: GB 2312 rows (first byte of EUC-CN): 0xA1-0xA9 symbols and full-width forms, 0xB0-0xD7 level-1 hanzi,
#: 0xD8-0xF7 level-2 hanzi.
GB2312_ROWS = [*range(0xA1, 0xAA), *range(0xB0, 0xF8)]


def gb2312() -> set[int]:
    out = set()
    for hi in GB2312_ROWS:
        for lo in range(0xA1, 0xFF):
            try:
                out.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return out


def source_characters() -> set[int]:
    """Every non-ASCII character in the guarantee plugin's Python source (the documents' fixed wording)."""
    out: set[int] = set()
    for path in sorted((ROOT / "plugins" / "guarantee").rglob("*.py")):
        out |= {ord(c) for c in path.read_text(encoding="utf-8") if ord(c) > 0x7E and c.isprintable()}
    return out


def fetch_source(work: Path) -> Path:
    subprocess.run(["apt-get", "download", DEBIAN_PACKAGE], cwd=work, check=True)
    (deb,) = work.glob(f"{DEBIAN_PACKAGE}_*.deb")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(work / "x")], check=True)
    return work / "x" / SOURCE_IN_PACKAGE


def make(source: Path) -> Path:
    font = TTFont(str(source), recalcTimestamp=False)
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=set(range(0x20, 0x7F)) | {0x3000} | gb2312() | source_characters())
    subsetter.subset(font)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / OUT_NAME
    font.save(str(out))
    shutil.copyfile(LICENSE_TEXT, OUT_DIR / "LICENSE-Apache-2.0.txt")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="DroidSansFallbackFull.ttf (default: from Debian's package)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or fetch_source(Path(tmp))
        out = make(source)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
