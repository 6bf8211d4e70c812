"""Type from content: accepted kinds, disguised files, limits, filenames (no database)."""

from __future__ import annotations

import filetype
import pytest

from surety.core.attachments.sniff import format_size, inspect_file, sanitize_filename
from surety.core.errors import ValidationFailed

LIMIT = 20 * 1024 * 1024


@pytest.mark.parametrize("kind, filename, mime", [
    ("png", "scan.png", "image/png"),
    ("jpeg", "photo.JPG", "image/jpeg"),
    ("jpeg", "photo.jpeg", "image/jpeg"),
    ("gif", "anim.gif", "image/gif"),
    ("pdf", "营业执照.pdf", "application/pdf"),
    ("docx", "contract.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "statements.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("pptx", "deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("doc", "old.doc", "application/msword"),
    ("xls", "old.xls", "application/vnd.ms-excel"),
    ("ppt", "old.ppt", "application/vnd.ms-powerpoint"),
])
def test_accepted_files_are_typed_from_their_content(sample, kind, filename, mime):
    sniffed = inspect_file(filename, sample(kind), LIMIT)
    assert sniffed.content_type == mime
    assert sniffed.filename == filename


def test_samples_are_recognised_by_filetype_as_well(sample):
    assert filetype.guess(sample("png")).mime == "image/png"
    assert filetype.guess(sample("pdf")).mime == "application/pdf"
    assert filetype.guess(sample("jpeg")).mime == "image/jpeg"
    assert filetype.guess(sample("exe")).mime == "application/x-msdownload"


def test_text_and_csv_in_utf8_or_gb18030():
    assert inspect_file("notes.txt", "审批意见：同意。\n".encode(), LIMIT).content_type == "text/plain"
    csv = "客户名称,金额\n北京某公司,1000000.00\n".encode("gbk")  # what Excel on Chinese Windows writes
    assert inspect_file("客户.csv", csv, LIMIT).content_type == "text/csv"
    with pytest.raises(ValidationFailed, match="named as a PDF document"):
        inspect_file("notes.pdf", b"just text\n", LIMIT)


def test_exe_renamed_pdf_is_refused_naming_the_problem(sample):
    with pytest.raises(ValidationFailed) as err:
        inspect_file("invoice.pdf", sample("exe"), LIMIT)
    exc = err.value
    assert exc.code == "VALIDATION_FAILED" and exc.field == "file" and exc.details["reason"] == "type_mismatch"
    assert "'invoice.pdf' is named as a PDF document (.pdf)" in exc.message
    assert "Windows executable" in exc.message


def test_zip_renamed_docx_without_word_part_is_refused(sample):
    with pytest.raises(ValidationFailed, match=r"named as a Word document \(\.docx\).*zip archive") as err:
        inspect_file("contract.docx", sample("zip"), LIMIT)
    assert err.value.details["reason"] == "type_mismatch"
    # A real spreadsheet named .docx is refused too: the content is an Excel workbook, not a Word document.
    with pytest.raises(ValidationFailed, match=r"content is an Excel workbook"):
        inspect_file("contract.docx", sample("xlsx"), LIMIT)


@pytest.mark.parametrize("kind, filename, fragment", [
    ("png", "photo.jpg", "content is a PNG image"),
    ("docm", "contract.docx", "macro-enabled"),
    ("msi", "setup.doc", "OLE2 compound file that is not a Word"),
    ("exe", "setup.exe", "Windows executable"),
    ("zip", "bundle.zip", "zip archive"),
])
def test_disguised_or_unaccepted_files_are_refused(sample, kind, filename, fragment):
    with pytest.raises(ValidationFailed, match=fragment):
        inspect_file(filename, sample(kind), LIMIT)


def test_a_file_without_extension_gets_the_canonical_one(sample):
    assert inspect_file("scan", sample("png"), LIMIT).filename == "scan.png"
    assert inspect_file("", sample("pdf"), LIMIT).filename == "file.pdf"


def test_empty_file_is_refused():
    with pytest.raises(ValidationFailed, match="'blank.pdf' is empty") as err:
        inspect_file("blank.pdf", b"", LIMIT)
    assert err.value.details["reason"] == "empty"


def test_oversize_file_is_refused_naming_the_limit(sample):
    data = sample("pdf") + b"\n" * (LIMIT + 1 - len(sample("pdf")))
    assert len(data) == LIMIT + 1
    with pytest.raises(ValidationFailed) as err:
        inspect_file("big.pdf", data, LIMIT)
    assert "the limit for an attachment is 20 MB (20971520 bytes)" in err.value.message
    assert {k: err.value.details[k] for k in ("reason", "limit", "size")} == {"reason": "too_large", "limit": LIMIT,
                                                                              "size": LIMIT + 1}
    assert inspect_file("big.pdf", data[:LIMIT], LIMIT).content_type == "application/pdf"  # exactly the limit


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\me\\报告.pdf", "报告.pdf"),
    ("a<b>c:d|e?.png", "a_b_c_d_e_.png"),
    ("  .hidden.pdf ", "hidden.pdf"),
    ("bad\x00name\r\n.pdf", "bad_name__.pdf"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ("", "file"),
])
def test_filenames_are_sanitised(raw, clean):
    assert sanitize_filename(raw) == clean


def test_format_size():
    assert format_size(20 * 1024 * 1024) == "20 MB"
    assert format_size(1536 * 1024) == "1.5 MB"
    assert format_size(2048) == "2 KB"
    assert format_size(12) == "12 bytes"
