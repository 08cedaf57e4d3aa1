"""What a file really is, decided by its bytes: ``detect`` the format from the first bytes (refusing
executables, HTML/SVG, archives, old Office files, QuickTime, HEIC), ``check_claims`` against the upload
field, the extension and the browser's claim, and ``verify`` the whole file on disk (pictures decode
completely, MP4 boxes add up, PDFs end properly and, read with a real parser (pypdf: names with ``#xx``
escapes decoded, objects inside object streams included), carry no scripts, actions or embedded files; DOCX is
a real Word document without macros, remote templates, altChunk or other external content).

Raises ``UploadRefused`` with a Chinese reason.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import filetype
from lxml import etree
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from workflows.uploads.formats import (
    ACCEPTED,
    CHUNK_SIZE,
    FORMATS,
    KIND_HINTS,
    KIND_LABELS,
    UploadLimits,
    UploadRefused,
)
from workflows.uploads.names import file_extension
from workflows.uploads.pictures import check_picture

HEAD_SIZE = 8192

_EXT_TO_FORMAT = {ext: f.code for f in FORMATS.values() for ext in f.extensions}
# Browser claims that say nothing (the content decides).
_GENERIC_MIMES = {"", "application/octet-stream", "binary/octet-stream", "application/x-download",
                  "application/force-download", "application/unknown"}


MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41",
              b"mp42", b"mp71", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"msnv", b"MSNV", b"f4v ",
              b"hvc1", b"av01", b"XAVC", b"mmp4", b"cmfc"}


def _refused_kind(head: bytes) -> str | None:
    """A Chinese description of content we never accept, or None."""
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or head[:4] in (
            b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe") or head.startswith(b"#!") or head.startswith(b"\x00asm"):
        return "可执行程序"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n\x00").lower().replace(b"\x00", b"")
    if text.startswith(b"<"):
        return "SVG 矢量图（可包含脚本）" if b"<svg" in text else "网页或 XML 文件（HTML/XML）"
    if head.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00",
                        b"\x28\xb5\x2f\xfd", b"MSCF", b"LZIP", b"\x04\x22\x4d\x18")) \
            or head[257:262] == b"ustar":
        return "压缩包"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "旧版 Office 文档（.doc/.xls），请另存为 .docx 或 PDF"
    return None


def _is_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"))


def detect(head: bytes) -> str:
    """The format code of ``head`` (the first bytes of a file), or UploadRefused with the reason.
    A zip is reported as ``docx``; ``verify`` then decides whether it really is a Word document."""
    refused = _refused_kind(head)
    if refused:
        raise UploadRefused(f"文件内容是{' ' if refused[0].isascii() else ''}{refused}，不允许上传")
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        box_end = min(struct.unpack(">I", head[:4])[0], 64)
        brands = {head[8:12]} | {head[i:i + 4] for i in range(16, box_end, 4)}
        if brands & MP4_BRANDS:
            return "mp4"
        if b"qt  " in brands:
            raise UploadRefused("文件内容是 QuickTime（.mov）视频，请转换为 MP4 格式后上传")
        if brands & {b"heic", b"heix", b"mif1", b"msf1", b"avif"}:
            raise UploadRefused("文件内容是 HEIC/AVIF 照片，请转换为 JPEG 后上传")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if _is_zip(head):
        return "docx"
    guess = filetype.guess(head)
    label = f"{guess.extension.upper()} 格式" if guess is not None else "无法识别的格式"
    raise UploadRefused(f"文件内容是{label}，只接受 JPEG、PNG、WebP 图片、MP4 视频、PDF 或 Word（.docx）文档")


def check_claims(fmt: str, kind: str, original_name: str, claimed_mime: str | None) -> None:
    """The content must match the upload field's kind, the file's extension and the browser's claim."""
    found = FORMATS[fmt]
    if fmt not in ACCEPTED[kind]:
        raise UploadRefused(
            f"文件内容是 {found.label}，这里只能上传{KIND_LABELS[kind]}（{KIND_HINTS[kind]}）")
    ext = file_extension(original_name)
    if ext and _EXT_TO_FORMAT.get(ext) != fmt:
        if ext in ("zip", "rar", "7z", "gz", "tar", "tgz", "bz2", "xz"):
            raise UploadRefused("压缩包不允许上传，请上传文件本身")
        raise UploadRefused(f"文件扩展名 .{ext} 与文件内容（{found.label}）不符")
    mime = (claimed_mime or "").split(";", 1)[0].strip().lower()
    if mime and mime not in _GENERIC_MIMES and mime not in found.mimes:
        raise UploadRefused(f"文件声明的类型（{mime}）与文件内容（{found.label}）不符")


def _check_mp4(path: Path) -> None:
    """Walk the top-level boxes: ftyp first, sizes adding up exactly to the file, a moov box present."""
    size = path.stat().st_size
    seen: list[bytes] = []
    with path.open("rb") as fh:
        pos = 0
        while pos < size:
            fh.seek(pos)
            header = fh.read(8)
            if len(header) < 8:
                raise UploadRefused("视频文件不完整（可能上传中断），请重新上传")
            box_size, box_type = struct.unpack(">I4s", header)
            header_size = 8
            if box_size == 1:
                large = fh.read(8)
                if len(large) < 8:
                    raise UploadRefused("视频文件不完整（可能上传中断），请重新上传")
                box_size, header_size = struct.unpack(">Q", large)[0], 16
            elif box_size == 0:
                box_size = size - pos
            if not all(32 <= b < 127 for b in box_type) or box_size < header_size:
                raise UploadRefused("视频文件结构无效，不是有效的 MP4 文件")
            if pos + box_size > size:
                raise UploadRefused("视频文件不完整（可能上传中断），请重新上传")
            seen.append(box_type)
            if len(seen) > 10_000:
                raise UploadRefused("视频文件结构无效，不是有效的 MP4 文件")
            pos += box_size
    if not seen or seen[0] != b"ftyp" or b"moov" not in seen:
        raise UploadRefused("视频文件结构无效，不是有效的 MP4 文件")


def _check_pdf(path: Path) -> None:
    size = path.stat().st_size
    with path.open("rb") as fh:
        if not re.match(rb"%PDF-[12]\.\d", fh.read(8)):
            raise UploadRefused("PDF 文件头无效")
        fh.seek(max(size - 2048, 0))
        if b"%%EOF" not in fh.read():
            raise UploadRefused("PDF 文件不完整（缺少文件结尾），请重新导出后上传")
        _check_pdf_objects(path)  # the parser names what it found; the byte scan below is a second net
        fh.seek(0)
        carry = b""
        while chunk := fh.read(CHUNK_SIZE):
            window = carry + chunk
            if b"/JavaScript" in window or b"/Launch" in window or b"/EmbeddedFile" in window:
                raise UploadRefused("PDF 文件含有脚本、启动命令或嵌入文件，不允许上传")
            carry = window[-16:]


# PDF keys and action types that run something: (what, Chinese label). Checked on every object the file holds.
_PDF_ACTIVE_KEYS = {
    "/JS": "JavaScript 脚本", "/JavaScript": "JavaScript 脚本", "/AA": "自动触发的动作（/AA）",
    "/Launch": "启动外部程序的命令", "/EmbeddedFile": "嵌入文件", "/EmbeddedFiles": "嵌入文件",
    "/XFA": "XFA 动态表单（可含脚本）", "/RichMedia": "富媒体（可含脚本）",
}
_PDF_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript 脚本", "/Launch": "启动外部程序的命令", "/ImportData": "导入外部数据的动作",
    "/RichMediaExecute": "富媒体脚本", "/GoToE": "打开嵌入文件的动作",
}
_PDF_MAX_OBJECTS = 500_000


def _pdf_active_content(reader: PdfReader) -> str | None:
    """What in the parsed PDF would run (a Chinese label), or None. Walks every object reachable from the
    trailer and every object the cross-reference table lists (including those inside object streams)."""
    stack: list = [reader.trailer]
    for generation, numbers in getattr(reader, "xref", {}).items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    stack.extend(IndirectObject(number, 0, reader) for number in getattr(reader, "xref_objStm", {}))
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        visited += 1
        if visited > _PDF_MAX_OBJECTS:
            raise UploadRefused("PDF 文件结构过于复杂，无法检查其内容，不允许上传")
        if isinstance(item, DictionaryObject):  # streams too: their dictionaries
            for key, value in dict.items(item):
                if key in _PDF_ACTIVE_KEYS:
                    return f"{_PDF_ACTIVE_KEYS[key]}（{key}）"
                if key == "/S" and value in _PDF_ACTIVE_ACTIONS:
                    return f"{_PDF_ACTIVE_ACTIONS[value]}（{value}）"
                if key == "/Type" and value == "/EmbeddedFile":
                    return "嵌入文件（/EmbeddedFile）"
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def _check_pdf_objects(path: Path) -> None:
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRefused("加密（设有打开密码）的 PDF 无法检查其内容，不允许上传，请去除密码后重新上传")
        found = _pdf_active_content(reader)
    except UploadRefused:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError, RecursionError,
            NotImplementedError, AssertionError, ZeroDivisionError) as exc:
        raise UploadRefused("PDF 文件结构无效，无法检查其内容，请重新导出后上传") from exc
    if found:
        raise UploadRefused(f"PDF 文件含有{found}，不允许上传，请去除后重新导出")


# Relationship types a .docx may point outside itself with (clicked by a person, never fetched by Word).
_DOCX_SAFE_EXTERNAL = {"hyperlink"}
_DOCX_LINK_SCHEMES = ("http://", "https://", "mailto:")
_DOCX_EXTERNAL_LABELS = {
    "attachedTemplate": "远程模板", "oleObject": "外部对象（OLE）", "image": "外部图片", "frame": "外部框架网页",
    "subDocument": "外部子文档", "aFChunk": "外部格式内容（altChunk）",
}
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _docx_external(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """The first relationship that makes Word load or embed content from elsewhere (a Chinese label)."""
    for name in sorted(n for n in names if n.lower().endswith(".rels")):
        try:
            root = etree.fromstring(zf.read(name)[:5_000_000], parser=_XML)
        except etree.XMLSyntaxError as exc:
            raise UploadRefused("Word 文档不完整或已损坏，无法打开") from exc
        for rel in root.iter("{*}Relationship"):
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            external = (rel.get("TargetMode") or "").lower() == "external"
            target = (rel.get("Target") or "").strip().lower()
            if kind == "aFChunk":
                return _DOCX_EXTERNAL_LABELS[kind]
            if external and (kind not in _DOCX_SAFE_EXTERNAL or not target.startswith(_DOCX_LINK_SCHEMES)):
                label = _DOCX_EXTERNAL_LABELS.get(kind, "外部内容" if kind not in _DOCX_SAFE_EXTERNAL else "非网页链接")
                return f"{label}（{rel.get('Target') or ''}）"[:200]
    return None


def _check_docx(path: Path, limit: int) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise UploadRefused("文件是压缩包而不是 Word 文档（.docx），不允许上传")
            if len(infos) > 5000 or sum(i.file_size for i in infos) > max(limit * 10, 50 * 1024 * 1024):
                raise UploadRefused("Word 文档内容异常（解压后过大），不允许上传")
            types = zf.read("[Content_Types].xml")[:1_000_000]
            external = _docx_external(zf, names)
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, RuntimeError, ValueError,
            NotImplementedError) as exc:
        raise UploadRefused("Word 文档不完整或已损坏，无法打开") from exc
    if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRefused("含有宏的 Word 文档不允许上传，请另存为普通 .docx")
    if b"wordprocessingml.document.main+xml" not in types:
        raise UploadRefused("文件是压缩包而不是 Word 文档（.docx），不允许上传")
    if external:
        raise UploadRefused(f"Word 文档引用了{external}，打开时会从外部加载内容，不允许上传；"
                            "请另存为不含外部引用的普通 .docx 后上传")


def verify(path: Path, fmt: str, limits: UploadLimits) -> tuple[int | None, int | None]:
    """Full content check of a file on disk; (width, height) for pictures."""
    if fmt in ("jpeg", "png", "webp"):
        return check_picture(path, fmt)
    if fmt == "mp4":
        _check_mp4(path)
    elif fmt == "pdf":
        _check_pdf(path)
    elif fmt == "docx":
        _check_docx(path, limits.document)
    return None, None
