"""What an upload may be: the upload kinds (picture, video, document, scan) with their labels, the
accepted ``FORMATS``, per-kind size ``UploadLimits``, the ``UploadRefused`` error, the ``StoredUpload``
record of a file that passed, and ``human_size`` for messages.

No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

CHUNK_SIZE = 1024 * 1024

KIND_LABELS: dict[str, str] = {"picture": "图片", "video": "视频", "document": "文档", "scan": "扫描件",
                               "evidence": "证明材料"}
KIND_HINTS: dict[str, str] = {
    "picture": "JPEG、PNG 或 WebP 格式",
    "video": "MP4 格式",
    "document": "PDF 或 Word（.docx）格式",
    "scan": "JPEG、PNG、WebP 图片或 PDF",
    "evidence": "PDF、JPEG/PNG 图片或 Word（.docx）格式",
}
# What each upload field accepts ("scan": a publicity item's scanned copy, a picture or a PDF).
ACCEPTED: dict[str, tuple[str, ...]] = {
    "picture": ("jpeg", "png", "webp"),
    "video": ("mp4",),
    "document": ("pdf", "docx"),
    "scan": ("jpeg", "png", "webp", "pdf"),
    # a filing's supporting document (劳动合同、营业执照、协议…): a scan, a photo or the document itself
    "evidence": ("jpeg", "png", "pdf", "docx"),
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


@dataclass(frozen=True)
class UploadLimits:
    """Largest accepted file per kind, in bytes (config: UPLOAD_MAX_*_BYTES)."""

    picture: int = 10 * 1024 * 1024
    video: int = 500 * 1024 * 1024
    document: int = 20 * 1024 * 1024

    def of(self, kind: str) -> int:
        if kind in ("scan", "evidence"):
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
