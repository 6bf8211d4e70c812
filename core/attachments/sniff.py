"""What a file really is, from its bytes: the accepted types, and refusal of anything else.

The `filetype` package recognises images, PDF and many formats we refuse (executables, archives, media). It cannot
tell an Office document from any other zip, nor a Word file from an Excel file inside the OLE2 container, nor
recognise text; those are handled here:

* zip: an Office Open XML package has ``[Content_Types].xml`` and its main part (``word/document.xml``,
  ``xl/workbook.xml``, ``ppt/presentation.xml``). Only the member list and ``[Content_Types].xml`` (capped) are
  read, so a zip bomb is never inflated. Macro-enabled packages are refused.
* OLE2 (legacy ``.doc``/``.xls``/``.ppt``): the directory names its main stream (``WordDocument``, ``Workbook`` or
  ``Book``, ``PowerPoint Document``), stored as UTF-16LE; other OLE2 files (``.msi``, ``.msg``) are refused.
* text (``.txt``, ``.csv``): valid UTF-8 or GB18030 without control characters other than tab, CR, LF and FF.

The file's extension must name the type its content is; a file without an extension gets the canonical one.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype

from surety.core.errors import ValidationFailed


@dataclass(frozen=True)
class Kind:
    """An accepted type: its MIME type, human name and the extensions that may name it (first is canonical)."""

    mime: str
    label: str
    extensions: tuple[str, ...]


JPEG = Kind("image/jpeg", "JPEG image", ("jpg", "jpeg", "jpe"))
PNG = Kind("image/png", "PNG image", ("png",))
GIF = Kind("image/gif", "GIF image", ("gif",))
WEBP = Kind("image/webp", "WebP image", ("webp",))
BMP = Kind("image/bmp", "BMP image", ("bmp",))
TIFF = Kind("image/tiff", "TIFF image", ("tif", "tiff"))
PDF = Kind("application/pdf", "PDF document", ("pdf",))
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document", ("docx",))
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook", ("xlsx",))
PPTX = Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint presentation",
            ("pptx",))
DOC = Kind("application/msword", "Word 97-2003 document", ("doc",))
XLS = Kind("application/vnd.ms-excel", "Excel 97-2003 workbook", ("xls",))
PPT = Kind("application/vnd.ms-powerpoint", "PowerPoint 97-2003 presentation", ("ppt",))
TEXT = Kind("text/plain", "text file", ("txt",))
CSV = Kind("text/csv", "CSV file", ("csv",))

ACCEPTED: tuple[Kind, ...] = (JPEG, PNG, GIF, WEBP, BMP, TIFF, PDF, DOCX, XLSX, PPTX, DOC, XLS, PPT, TEXT, CSV)
BY_EXTENSION: dict[str, Kind] = {ext: kind for kind in ACCEPTED for ext in kind.extensions}
_BY_MIME = {k.mime: k for k in ACCEPTED} | {"image/apng": PNG}  # filetype calls an animated PNG image/apng

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS = ((DOC, ("WordDocument",)), (XLS, ("Workbook", "Book")), (PPT, ("PowerPoint Document",)))
_OOXML_MAIN = ((DOCX, "word/document.xml", "wordprocessingml"), (XLSX, "xl/workbook.xml", "spreadsheetml"),
               (PPTX, "ppt/presentation.xml", "presentationml"))
_CONTENT_TYPES_CAP = 512 * 1024
_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_FILENAME = 200


@dataclass(frozen=True)
class Sniffed:
    """The outcome of :func:`inspect_file`: the accepted kind, and the sanitised filename to store."""

    kind: Kind
    filename: str

    @property
    def content_type(self) -> str:
        return self.kind.mime


def format_size(n: int) -> str:
    """``20 MB``, ``1.5 MB``, ``300 KB``, ``12 bytes`` (binary units, as file managers show them)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{n} bytes"


def sanitize_filename(name: str | None) -> str:
    """A filename safe to store and to send back in Content-Disposition: the last path segment, NFC, no control or
    reserved characters, no leading dots or spaces, at most :data:`MAX_FILENAME` characters (extension kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_NAME.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(". ").rstrip(". ")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name or "file"


def extension_of(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def _a(label: str) -> str:
    return ("an " if label[:1].lower() in "aeiou" else "a ") + label


def _refuse(template: str, reason: str, **params) -> ValidationFailed:
    """A refused upload: ``template`` (a literal, so tests/core/test_i18n_catalogue.py finds it) and its params."""
    return ValidationFailed(template, field="file", reason=reason, **params)


def _ooxml(data: bytes) -> tuple[Kind | None, str]:
    """The Office Open XML kind of a zip, or None with a description of what the zip is instead."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" not in names:
                return None, "a zip archive (no [Content_Types].xml, so not an Office document)"
            info = zf.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_CAP:
                return None, "a zip archive with an oversized [Content_Types].xml"
            with zf.open(info) as fh:
                content_types = fh.read(_CONTENT_TYPES_CAP).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, NotImplementedError, RuntimeError, ValueError):
        return None, "a damaged or unreadable zip archive"
    if "macroenabled" in content_types.lower():
        return None, "a macro-enabled Office document (macros are not accepted)"
    for kind, main_part, marker in _OOXML_MAIN:
        if main_part in names and marker in content_types:
            return kind, ""
    prefixes = sorted({n.split("/", 1)[0] + "/" for n in names if "/" in n})
    return None, ("a zip archive without the main part of a Word, Excel or PowerPoint document"
                  + (f" (folders: {', '.join(prefixes[:5])})" if prefixes else ""))


def _ole2(data: bytes) -> tuple[Kind | None, str]:
    for kind, streams in _OLE_STREAMS:
        if any(s.encode("utf-16-le") in data for s in streams):
            return kind, ""
    return None, "an OLE2 compound file that is not a Word, Excel or PowerPoint document (e.g. an installer)"


def _text(data: bytes) -> bool:
    if _TEXT_CONTROL.search(data):
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _describe_other(data: bytes) -> str:
    guess = filetype.guess(data)
    if guess is None:
        return "binary data of an unknown type"
    names = {"application/x-msdownload": "a Windows executable", "application/x-executable": "a Linux executable",
             "application/zip": "a zip archive", "application/x-rar-compressed": "a RAR archive",
             "application/x-7z-compressed": "a 7-Zip archive"}
    return f"{names.get(guess.mime, _a(guess.extension.upper() + ' file'))} ({guess.mime})"


def detect(data: bytes, extension: str = "") -> tuple[Kind | None, str]:
    """The accepted kind of ``data`` (or None and a description of what it is); ``extension`` only chooses between
    text/plain and text/csv for text content."""
    if data.startswith(b"PK\x03\x04"):
        return _ooxml(data)
    if data.startswith(_OLE2):
        return _ole2(data)
    guess = filetype.guess(data)
    if guess is not None:
        kind = _BY_MIME.get(guess.mime)
        if kind is not None and kind not in (DOC, XLS, PPT, DOCX, XLSX, PPTX):
            return kind, ""
        return None, _describe_other(data)
    if data.startswith(b"MZ"):  # filetype wants a full PE header; a bare MZ stub is still an executable
        return None, "a Windows executable (application/x-msdownload)"
    if _text(data):
        return (CSV if extension == "csv" else TEXT), ""
    return None, "binary data of an unknown type"


def inspect_file(filename: str | None, data: bytes, max_bytes: int) -> Sniffed:
    """Check an upload and tell what it is; raises ValidationFailed (``field="file"``, ``details["reason"]`` one
    of ``empty``, ``too_large``, ``type_mismatch``, ``not_accepted``) naming the problem."""
    name = sanitize_filename(filename)
    size = len(data)
    if size == 0:
        raise _refuse("'{name}' is empty (0 bytes); nothing to attach.", "empty", name=name)
    if size > max_bytes:
        raise _refuse("'{name}' is {size_text} ({size} bytes); the limit for an attachment is {limit_text} ({limit} "
                      "bytes).", "too_large", limit=max_bytes, size=size, name=name, size_text=format_size(size),
                      limit_text=format_size(max_bytes))
    ext = extension_of(name)
    kind, what = detect(data, ext)
    claimed = BY_EXTENSION.get(ext)
    if kind is None:
        if claimed is not None:
            raise _refuse("'{name}' is named as {named} (.{extension}) but its content is {content}; refused.",
                          "type_mismatch", extension=ext, name=name, named=_a(claimed.label), content=what)
        raise _refuse("'{name}' is {content}, which is not accepted. Accepted: images (JPEG, PNG, GIF, WebP, BMP, "
                      "TIFF), PDF, Word, Excel and PowerPoint documents, text and CSV files.", "not_accepted",
                      name=name, content=what)
    if not ext:
        return Sniffed(kind, sanitize_filename(f"{name}.{kind.extensions[0]}"))
    if ext not in kind.extensions:
        named = _a(claimed.label) if claimed else f"a .{ext} file"
        raise _refuse("'{name}' is named as {named} (.{extension}) but its content is {content} ({detected}); "
                      "refused. Rename it to .{suggested} if that is what it is.", "type_mismatch",
                      extension=ext, detected=kind.mime, name=name, named=named, content=_a(kind.label),
                      suggested=kind.extensions[0])
    return Sniffed(kind, name)
