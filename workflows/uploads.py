"""Safe file uploads for the semiannual reports: type from content, per-type limits, streaming storage,
re-encoded pictures (no EXIF/XMP, so no GPS position) and thumbnails.

* The type is decided by the bytes (``filetype`` plus checks of our own where it is weak): pictures are
  JPEG, PNG or WebP and must decode completely; videos are MP4 with a sound box structure; documents are
  PDF (header and ``%%EOF`` trailer) or DOCX (a zip holding ``[Content_Types].xml`` and
  ``word/document.xml``). SVG, HTML, executables and archives are refused, and so is a file whose
  extension, browser claim or upload field does not match its content.
* Data is copied in chunks from the incoming stream to a temporary file in ``<upload_dir>/tmp`` and
  renamed atomically to a random name only after every check passed; a refused upload leaves nothing.
* No Flask here: the web layer passes the stream, the limits and the folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import struct
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype
from PIL import Image, ImageOps

CHUNK_SIZE = 1024 * 1024
HEAD_SIZE = 8192
MAX_PIXELS = 60_000_000  # a 60-megapixel photo is already far beyond any camera phone
THUMB_SIZE = (480, 480)
MAX_NAME_LENGTH = 120

KIND_LABELS: dict[str, str] = {"picture": "图片", "video": "视频", "document": "文档", "scan": "扫描件"}
KIND_HINTS: dict[str, str] = {
    "picture": "JPEG、PNG 或 WebP 格式",
    "video": "MP4 格式",
    "document": "PDF 或 Word（.docx）格式",
    "scan": "JPEG、PNG、WebP 图片或 PDF",
}
# What each upload field accepts ("scan": a publicity item's scanned copy, a picture or a PDF).
ACCEPTED: dict[str, tuple[str, ...]] = {
    "picture": ("jpeg", "png", "webp"),
    "video": ("mp4",),
    "document": ("pdf", "docx"),
    "scan": ("jpeg", "png", "webp", "pdf"),
}


@dataclass(frozen=True)
class Format:
    """One accepted file format."""

    code: str
    kind: str
    mime: str
    ext: str
    label: str
    extensions: tuple[str, ...]
    mimes: tuple[str, ...]  # what browsers send for it (the claim is checked, not trusted)


FORMATS: dict[str, Format] = {f.code: f for f in (
    Format("jpeg", "picture", "image/jpeg", "jpg", "JPEG 图片", ("jpg", "jpeg", "jpe", "jfif"),
           ("image/jpeg", "image/jpg", "image/pjpeg")),
    Format("png", "picture", "image/png", "png", "PNG 图片", ("png",), ("image/png", "image/x-png")),
    Format("webp", "picture", "image/webp", "webp", "WebP 图片", ("webp",), ("image/webp",)),
    Format("mp4", "video", "video/mp4", "mp4", "MP4 视频", ("mp4", "m4v"), ("video/mp4", "video/x-m4v")),
    Format("pdf", "document", "application/pdf", "pdf", "PDF 文档", ("pdf",), ("application/pdf",)),
    Format("docx", "document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "docx", "Word 文档", ("docx",),
           ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)),
)}
_EXT_TO_FORMAT = {ext: f.code for f in FORMATS.values() for ext in f.extensions}
# Browser claims that say nothing (the content decides).
_GENERIC_MIMES = {"", "application/octet-stream", "binary/octet-stream", "application/x-download",
                  "application/force-download", "application/unknown"}

# Stored names are ours: 32 hex characters and one of our extensions (a thumbnail adds ".thumb").
STORED_NAME = re.compile(r"^[0-9a-f]{32}(\.thumb)?\.(jpg|png|webp|mp4|pdf|docx)$")

MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41",
              b"mp42", b"mp71", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"msnv", b"MSNV", b"f4v ",
              b"hvc1", b"av01", b"XAVC", b"mmp4", b"cmfc"}


@dataclass(frozen=True)
class UploadLimits:
    """Largest accepted file per kind, in bytes (config: UPLOAD_MAX_*_BYTES)."""

    picture: int = 10 * 1024 * 1024
    video: int = 500 * 1024 * 1024
    document: int = 20 * 1024 * 1024

    def of(self, kind: str) -> int:
        if kind == "scan":
            return max(self.picture, self.document)
        return int(getattr(self, kind))

    @property
    def largest(self) -> int:
        return max(self.picture, self.video, self.document)


class UploadRefused(Exception):
    """The file was not stored; ``message`` (Chinese) says why and names the file."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredUpload:
    """A file that passed every check and now lives under ``upload_dir`` with a random name."""

    stored_name: str
    thumb_name: str | None
    original_name: str
    kind: str
    format: str
    mime: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None


def human_size(size: int) -> str:
    """1048576 -> '1 MB' (binary units, as people read them)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


# --------------------------------------------------------------------------------------------------
# Filenames


def clean_filename(name: str | None) -> str:
    """The name to show and to give back on download: the last path component only, without control
    or bidi-override characters, without leading/trailing dots and spaces, at most 120 characters.
    Chinese is kept (it is never used to build a path)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ")
    name = name.strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    return name or "未命名"


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def download_name(original_name: str, fmt: str) -> str:
    """The original name, with the format's extension added when it had none of its own."""
    code = FORMATS[fmt]
    return original_name if _extension(original_name) in code.extensions else f"{original_name}.{code.ext}"


# --------------------------------------------------------------------------------------------------
# Content detection


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
    ext = _extension(original_name)
    if ext and _EXT_TO_FORMAT.get(ext) != fmt:
        if ext in ("zip", "rar", "7z", "gz", "tar", "tgz", "bz2", "xz"):
            raise UploadRefused("压缩包不允许上传，请上传文件本身")
        raise UploadRefused(f"文件扩展名 .{ext} 与文件内容（{found.label}）不符")
    mime = (claimed_mime or "").split(";", 1)[0].strip().lower()
    if mime and mime not in _GENERIC_MIMES and mime not in found.mimes:
        raise UploadRefused(f"文件声明的类型（{mime}）与文件内容（{found.label}）不符")


def _check_picture(path: Path, fmt: str) -> tuple[int, int]:
    expected = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[expected]) as im:
                if im.format != expected:
                    raise UploadRefused("图片内容与其格式不符")
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise UploadRefused(f"图片像素过大（{width}×{height}），请缩小后上传")
                im.verify()
            with Image.open(path, formats=[expected]) as im:
                im.load()  # full decode: a truncated or corrupt picture raises here
    except UploadRefused:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            struct.error, EOFError) as exc:
        raise UploadRefused("图片文件不完整或已损坏，无法打开") from exc
    return width, height


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
        fh.seek(0)
        carry = b""
        while chunk := fh.read(CHUNK_SIZE):
            window = carry + chunk
            if b"/JavaScript" in window or b"/Launch" in window or b"/EmbeddedFile" in window:
                raise UploadRefused("PDF 文件含有脚本、启动命令或嵌入文件，不允许上传")
            carry = window[-16:]


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
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, RuntimeError, ValueError,
            NotImplementedError) as exc:
        raise UploadRefused("Word 文档不完整或已损坏，无法打开") from exc
    if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRefused("含有宏的 Word 文档不允许上传，请另存为普通 .docx")
    if b"wordprocessingml.document.main+xml" not in types:
        raise UploadRefused("文件是压缩包而不是 Word 文档（.docx），不允许上传")


def verify(path: Path, fmt: str, limits: UploadLimits) -> tuple[int | None, int | None]:
    """Full content check of a file on disk; (width, height) for pictures."""
    if fmt in ("jpeg", "png", "webp"):
        return _check_picture(path, fmt)
    if fmt == "mp4":
        _check_mp4(path)
    elif fmt == "pdf":
        _check_pdf(path)
    elif fmt == "docx":
        _check_docx(path, limits.document)
    return None, None


# --------------------------------------------------------------------------------------------------
# Pictures: re-encode without metadata, thumbnails


def _reencode(src: Path, dst: Path, fmt: str) -> tuple[int, int]:
    """Write a clean copy of a picture: orientation applied, first frame only, every metadata block
    (EXIF with its GPS position, XMP, comments, text chunks) left behind; the ICC colour profile kept."""
    with Image.open(src) as opened:
        icc = opened.info.get("icc_profile")
        im = ImageOps.exif_transpose(opened)
        im.info = {}
        if fmt == "jpeg":
            if im.mode not in ("RGB", "L", "CMYK"):
                im = im.convert("RGB")
            options: dict = {"quality": 90, "optimize": True}
        elif fmt == "webp":
            if im.mode not in ("RGB", "RGBA"):
                im = im.convert("RGBA" if "A" in im.getbands() or im.mode == "P" else "RGB")
            options = {"quality": 90}
        else:
            options = {"optimize": True}
        if icc:
            options["icc_profile"] = icc
        im.save(dst, format={"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt], **options)
        return im.size


def _thumbnail(src: Path, dst: Path) -> None:
    with Image.open(src) as opened:
        opened.thumbnail(THUMB_SIZE)
        im: Image.Image = opened
        if im.mode in ("RGBA", "LA", "P"):
            rgba = im.convert("RGBA")
            im = Image.new("RGB", rgba.size, (255, 255, 255))
            im.paste(rgba, mask=rgba.getchannel("A"))
        elif im.mode != "RGB":
            im = im.convert("RGB")
        im.save(dst, format="JPEG", quality=80, optimize=True)


# --------------------------------------------------------------------------------------------------
# Storage


def path_of(upload_dir: str | os.PathLike[str], stored_name: str) -> Path:
    """Where a stored file lives; refuses anything that is not one of our random names."""
    if not STORED_NAME.match(stored_name or ""):
        raise FileNotFoundError(stored_name)
    return Path(upload_dir) / stored_name[:2] / stored_name


def _tmp_dir(upload_dir: str | os.PathLike[str]) -> Path:
    path = Path(upload_dir) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def spool_dir(upload_dir: str | os.PathLike[str]) -> str:
    """Folder for the multipart parser's own spill files (same filesystem as the uploads, not /tmp,
    which is often memory-backed)."""
    return str(_tmp_dir(upload_dir))


def receive(stream: IO[bytes], filename: str | None, kind: str, *, upload_dir: str | os.PathLike[str],
            limits: UploadLimits, claimed_mime: str | None = None) -> StoredUpload:
    """Copy ``stream`` in chunks to a temporary file, check it, and move it to a random name.
    Raises UploadRefused (with the file's name in the message) and leaves nothing behind."""
    original = clean_filename(filename)
    if kind not in KIND_LABELS:
        raise UploadRefused(f"「{original}」：不支持的上传类别")
    try:
        return _receive(stream, original, kind, Path(upload_dir), limits, claimed_mime)
    except UploadRefused as exc:
        raise UploadRefused(f"「{original}」未上传：{exc.message}。") from exc


def _receive(stream: IO[bytes], original: str, kind: str, upload_dir: Path, limits: UploadLimits,
             claimed_mime: str | None) -> StoredUpload:
    limit = limits.of(kind)
    tmp_dir = _tmp_dir(upload_dir)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, suffix=".part")
    tmp = Path(tmp_name)
    clean: Path | None = None
    made: list[Path] = []
    try:
        digest = hashlib.sha256()
        head = b""
        fmt: str | None = None
        total = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK_SIZE):
                total += len(chunk)
                if total > limit:
                    raise UploadRefused(f"超过{KIND_LABELS[kind]}大小上限 {human_size(limit)}")
                if fmt is None:
                    head += chunk[: HEAD_SIZE - len(head)]
                    if len(head) >= HEAD_SIZE:
                        fmt = detect(head)  # refuse early, before the rest of a large file is copied
                        check_claims(fmt, kind, original, claimed_mime)
                digest.update(chunk)
                out.write(chunk)
        if total == 0:
            raise UploadRefused("文件是空的")
        if fmt is None:
            fmt = detect(head)
            check_claims(fmt, kind, original, claimed_mime)
        found_kind = FORMATS[fmt].kind
        if total > limits.of(found_kind):
            raise UploadRefused(f"超过{KIND_LABELS[found_kind]}大小上限 {human_size(limits.of(found_kind))}")
        width, height = verify(tmp, fmt, limits)
        token = secrets.token_hex(16)
        final = path_of(upload_dir, f"{token}.{FORMATS[fmt].ext}")
        final.parent.mkdir(parents=True, exist_ok=True)
        thumb_name: str | None = None
        size = total
        sha = digest.hexdigest()
        if FORMATS[fmt].kind == "picture":
            clean = tmp.with_suffix(".clean")
            width, height = _reencode(tmp, clean, fmt)
            thumb = path_of(upload_dir, f"{token}.thumb.jpg")
            _thumbnail(clean, thumb)
            made.append(thumb)
            thumb_name = thumb.name
            size = clean.stat().st_size
            sha = _sha256_of(clean)
            os.replace(clean, final)
        else:
            os.replace(tmp, final)
        made.append(final)
        return StoredUpload(final.name, thumb_name, original, found_kind, fmt, FORMATS[fmt].mime, size, sha,
                            width, height)
    except BaseException:
        for path in made:
            path.unlink(missing_ok=True)
        raise
    finally:
        tmp.unlink(missing_ok=True)
        if clean is not None:
            clean.unlink(missing_ok=True)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def discard(upload_dir: str | os.PathLike[str], names: Iterable[str | None]) -> None:
    """Delete stored files (after the database no longer points at them); missing files are fine."""
    for name in names:
        if not name:
            continue
        try:
            path_of(upload_dir, name).unlink(missing_ok=True)
        except FileNotFoundError:
            continue


def content_disposition(name: str, inline: bool) -> str:
    """RFC 6266 / RFC 5987 header value: an ASCII fallback ``filename`` for old clients and the exact
    UTF-8 name in ``filename*`` (Chinese names survive the round trip)."""
    from urllib.parse import quote

    name = clean_filename(name)
    stem, dot, ext = name.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem if dot else name).strip("_ ") or "file"
    ascii_ext = re.sub(r"[^A-Za-z0-9]+", "", ext) if dot else ""
    fallback = f"{ascii_stem}.{ascii_ext}" if ascii_ext else ascii_stem
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
