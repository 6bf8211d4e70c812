"""Small real files of each kind the attachments service accepts or refuses, for tests of code that takes uploads
(core's and plugins'). Every function returns the same bytes on every call (zip entries carry a fixed time)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def png_bytes() -> bytes:
    """A valid 1x1 RGB PNG (signature, IHDR, IDAT, IEND with real CRCs)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def jpeg_bytes() -> bytes:
    """The start of a JFIF JPEG (SOI, APP0 JFIF segment) and its end marker."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def gif_bytes() -> bytes:
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
            b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def pdf_bytes(padding: int = 0) -> bytes:
    """A minimal one-page PDF with a correct cross-reference table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    if padding:
        out += b"%" + b"x" * padding + b"\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def pdf_of_size(size: int) -> bytes:
    """A valid PDF of exactly ``size`` bytes (at least ``len(pdf_bytes()) + 2``), padded with a comment line."""
    padding = max(0, size - len(pdf_bytes()) - 2)
    for _ in range(4):  # the startxref offset may grow by a digit or two
        data = pdf_bytes(padding)
        if len(data) == size:
            return data
        padding += size - len(data)
    raise ValueError(f"cannot make a PDF of exactly {size} bytes")


_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/{part}" ContentType="application/vnd.{vendor}.{kind}.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="{part}"/></Relationships>')


def _entry(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, _ZIP_TIME)


def ooxml_bytes(part: str = "word/document.xml", kind: str = "wordprocessingml.document",
                vendor: str = "openxmlformats-officedocument", body: str = "<w:document/>") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_entry("[Content_Types].xml"), _CT.format(part=part, vendor=vendor, kind=kind))
        zf.writestr(_entry("_rels/.rels"), _RELS.format(part=part))
        zf.writestr(_entry(part), body)
    return buf.getvalue()


def docx_bytes() -> bytes:
    return ooxml_bytes()


def xlsx_bytes() -> bytes:
    return ooxml_bytes("xl/workbook.xml", "spreadsheetml.sheet", body="<workbook/>")


def pptx_bytes() -> bytes:
    return ooxml_bytes("ppt/presentation.xml", "presentationml.presentation", body="<p:presentation/>")


def docm_bytes() -> bytes:
    return ooxml_bytes(kind="document.macroEnabled", vendor="ms-word")


def plain_zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(_entry("readme.txt"), "hello")
        zf.writestr(_entry("payload/run.bat"), "echo hi")
    return buf.getvalue()


def ole2_bytes(stream: str) -> bytes:
    """An OLE2 compound-file header and a directory entry naming ``stream`` (UTF-16LE), as Office writes them."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\x00")
    name = (stream.encode("utf-16-le") + b"\x00\x00").ljust(64, b"\x00")
    entry = name + struct.pack("<H", len(stream) * 2 + 2) + b"\x02\x01"
    return header + entry.ljust(128, b"\x00") + b"\x00" * 384


def exe_bytes() -> bytes:
    """A DOS/PE executable header: 'MZ', the DOS stub message, and 'PE\\0\\0' at e_lfanew."""
    dos = bytearray(b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
    dos = dos.ljust(0x3C, b"\x00") + struct.pack("<I", 0x80)
    dos += b"\x0e\x1f\xba\x0e\x00\xb4\t\xcd!\xb8\x01L\xcd!This program cannot be run in DOS mode.\r\r\n$"
    return bytes(dos.ljust(0x80, b"\x00")) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


SAMPLES = {
    "png": png_bytes, "jpeg": jpeg_bytes, "gif": gif_bytes, "pdf": pdf_bytes, "docx": docx_bytes,
    "xlsx": xlsx_bytes, "pptx": pptx_bytes, "docm": docm_bytes, "zip": plain_zip_bytes, "exe": exe_bytes,
    "doc": lambda: ole2_bytes("WordDocument"), "xls": lambda: ole2_bytes("Workbook"),
    "ppt": lambda: ole2_bytes("PowerPoint Document"), "msi": lambda: ole2_bytes("SummaryInformation"),
}
