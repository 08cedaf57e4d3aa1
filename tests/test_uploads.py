"""workflows.uploads without Flask: content detection, refusals, limits, streaming, clean pictures,
filenames and the Content-Disposition header."""

from __future__ import annotations

import io
import re
import struct
import tracemalloc
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image

from tests import test_uploads_samples as samples
from workflows.uploads import formats as upload_formats
from workflows.uploads import names as upload_names
from workflows.uploads import storage as uploads
from workflows.uploads.formats import UploadLimits, UploadRefused

LIMITS = UploadLimits()


def receive(tmp_path: Path, data: bytes, name: str, kind: str, mime: str | None = None,
            limits: UploadLimits = LIMITS) -> upload_formats.StoredUpload:
    return uploads.receive(io.BytesIO(data), name, kind, upload_dir=tmp_path, limits=limits, claimed_mime=mime)


def files_in(tmp_path: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())


@pytest.mark.parametrize(("data", "name", "kind", "fmt", "mime"), [
    (samples.picture("JPEG"), "照片.jpg", "picture", "jpeg", "image/jpeg"),
    (samples.picture("JPEG"), "照片.JPEG", "picture", "jpeg", "image/jpeg"),
    (samples.picture("PNG"), "截图.png", "picture", "png", "image/png"),
    (samples.picture("WEBP"), "海报.webp", "picture", "webp", "image/webp"),
    (samples.mp4(), "视频.mp4", "video", "mp4", "video/mp4"),
    (samples.pdf(), "材料.pdf", "document", "pdf", "application/pdf"),
    (samples.docx(), "方案.docx", "document", "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (samples.pdf(), "报道扫描.pdf", "scan", "pdf", "application/pdf"),
    (samples.picture("JPEG"), "报道扫描.jpg", "scan", "jpeg", "image/jpeg"),
])
def test_accepted_formats_are_stored_under_random_names(tmp_path, data, name, kind, fmt, mime):  # type: ignore[no-untyped-def]
    stored = receive(tmp_path, data, name, kind, "application/octet-stream")
    assert (stored.format, stored.mime, stored.original_name) == (fmt, mime, name)
    assert re.fullmatch(r"[0-9a-f]{32}\.(jpg|png|webp|mp4|pdf|docx)", stored.stored_name)
    path = uploads.path_of(tmp_path, stored.stored_name)
    assert path.is_file() and path.stat().st_size == stored.size
    assert name not in " ".join(files_in(tmp_path))  # the original name never reaches the disk
    assert list((tmp_path / "tmp").iterdir()) == []
    if stored.kind == "picture":
        assert stored.thumb_name and (stored.width, stored.height) == (320, 240)
        with Image.open(uploads.path_of(tmp_path, stored.thumb_name)) as thumb:
            assert thumb.format == "JPEG" and max(thumb.size) <= 480
    else:
        assert stored.thumb_name is None and path.read_bytes() == data


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_gps_and_xmp_are_stripped_from_pictures(tmp_path, fmt):  # type: ignore[no-untyped-def]
    original = samples.picture(fmt, gps=True)
    assert b"TestCam" in original
    with Image.open(io.BytesIO(original)) as im:
        assert im.getexif().get_ifd(0x8825)
    stored = receive(tmp_path, original, f"gps.{fmt.lower()}", "picture")
    for name in (stored.stored_name, stored.thumb_name):
        raw = uploads.path_of(tmp_path, name).read_bytes()  # type: ignore[arg-type]
        assert b"TestCam" not in raw and b"xmpmeta" not in raw and b"GPSLatitude" not in raw
        with Image.open(io.BytesIO(raw)) as im:
            assert not im.getexif() and not im.getexif().get_ifd(0x8825)
            assert "xmp" not in im.info and "exif" not in im.info


def test_exif_orientation_is_applied_before_it_is_dropped(tmp_path):  # type: ignore[no-untyped-def]
    im = Image.new("RGB", (40, 20), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes())
    stored = receive(tmp_path, buf.getvalue(), "竖拍.jpg", "picture")
    assert (stored.width, stored.height) == (20, 40)


def _zip_with(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, content in names.items():
            zf.writestr(n, content)
    return buf.getvalue()


MACRO_DOCX = _zip_with({"[Content_Types].xml": samples.CONTENT_TYPES.replace(
    b"document.main+xml", b"document.macroEnabled.main+xml"), "word/document.xml": b"<w:document/>",
    "word/vbaProject.bin": b"\x00" * 10})
MOV = struct.pack(">I4s", 20, b"ftyp") + b"qt  " + bytes(4) + b"qt  " + struct.pack(">I4s", 8, b"moov")
HEIC = struct.pack(">I4s", 24, b"ftyp") + b"heic" + bytes(4) + b"mif1heic" + bytes(16)
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
JS_PDF = samples.pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>")
GZIP = b"\x1f\x8b\x08\x00" + bytes(100)
ELF = b"\x7fELF\x02\x01\x01" + bytes(100)


@pytest.mark.parametrize(("data", "name", "kind", "mime", "says"), [
    (samples.exe(), "photo.jpg", "picture", "image/jpeg", "可执行程序"),
    (ELF, "video.mp4", "video", "video/mp4", "可执行程序"),
    (samples.HTML, "photo.png", "picture", "image/png", "网页"),
    (b"\xef\xbb\xbf  \n<html><body>hi</body></html>", "说明.pdf", "document", None, "网页"),
    (samples.SVG, "logo.svg", "picture", "image/svg+xml", "SVG"),
    (samples.SVG, "logo.png", "picture", "image/png", "SVG"),
    (samples.truncated_jpeg(), "cut.jpg", "picture", "image/jpeg", "不完整或已损坏"),
    (samples.picture("PNG")[:-20], "cut.png", "picture", None, "不完整或已损坏"),
    (samples.plain_zip(), "材料.docx", "document", None, "压缩包而不是 Word 文档"),
    (samples.plain_zip(), "材料.zip", "document", "application/zip", "压缩包"),
    (GZIP, "材料.pdf", "document", None, "压缩包"),
    (MACRO_DOCX, "宏.docx", "document", None, "宏"),
    (OLE_DOC, "旧版.doc", "document", None, ".docx"),
    (JS_PDF, "脚本.pdf", "document", None, "脚本"),
    (samples.pdf()[:-30], "半截.pdf", "document", None, "不完整"),
    (samples.mp4()[:2000], "半截.mp4", "video", None, "不完整"),
    (samples.mp4() + b"PK\x03\x04trailing zip", "尾巴.mp4", "video", None, "不完整"),
    (MOV, "clip.mov", "video", "video/quicktime", "MP4"),
    (HEIC, "IMG_0001.heic", "picture", None, "HEIC"),
    (samples.picture("PNG"), "photo.jpg", "picture", "image/jpeg", "扩展名 .jpg 与文件内容（PNG 图片）不符"),
    (samples.picture("JPEG"), "photo.jpg", "picture", "text/html", "声明的类型"),
    (samples.picture("JPEG"), "photo.jpg", "video", None, "只能上传视频"),
    (samples.pdf(), "a.pdf", "picture", None, "只能上传图片"),
    (samples.mp4(), "a.mp4", "document", None, "只能上传文档"),
    (b"", "空.jpg", "picture", None, "空"),
    (b"just some text", "note.txt", "document", "text/plain", "无法识别"),
    (b"GIF89a" + bytes(100), "anim.gif", "picture", "image/gif", "GIF"),
])
def test_disguised_and_unwanted_files_are_refused_and_leave_nothing(tmp_path, data, name, kind, mime, says):  # type: ignore[no-untyped-def]
    with pytest.raises(UploadRefused) as err:
        receive(tmp_path, data, name, kind, mime)
    assert says in err.value.message, err.value.message
    assert err.value.message.startswith(f"「{upload_names.clean_filename(name)}」未上传：")
    assert files_in(tmp_path) == []


@pytest.mark.parametrize(("kind", "data", "name", "says"), [
    ("picture", samples.picture("PNG", size=(400, 400)), "大图.png", "超过图片大小上限 1 KB"),
    ("video", samples.mp4(4096), "大视频.mp4", "超过视频大小上限 2 KB"),
    ("document", samples.pdf() + b"%" * 2000 + b"\n%%EOF\n", "大文档.pdf", "超过文档大小上限 1.5 KB"),
])
def test_oversize_files_are_refused_per_kind_with_nothing_stored(tmp_path, kind, data, name, says):  # type: ignore[no-untyped-def]
    small = UploadLimits(picture=1024, video=2048, document=1536)
    assert len(data) > small.of(kind)
    with pytest.raises(UploadRefused) as err:
        receive(tmp_path, data, name, kind, limits=small)
    assert says in err.value.message
    assert files_in(tmp_path) == []


class LazyStream:
    """A file-like object producing ``total`` bytes after ``head`` without holding them."""

    def __init__(self, head: bytes, total: int, fill: bytes = b"\x00"):
        self.head, self.total, self.fill, self.position = head, total, fill, 0
        self.chunk = fill * 65536

    def read(self, size: int = -1) -> bytes:
        size = 1024 * 1024 if size is None or size < 0 else size
        if self.position >= self.total:
            return b""
        out = b""
        if self.position < len(self.head):
            out = self.head[self.position:self.position + size]
        while len(out) < size and self.position + len(out) < self.total:
            out += self.chunk[: min(size - len(out), self.total - self.position - len(out))]
        self.position += len(out)
        return out


def mp4_head(total: int) -> bytes:
    ftyp = struct.pack(">I4s", 24, b"ftyp") + b"isom" + struct.pack(">I", 512) + b"isomavc1"
    moov = struct.pack(">I4s", 8, b"moov")
    return ftyp + moov + struct.pack(">I4s", total - len(ftyp) - len(moov), b"mdat")


def test_large_video_is_streamed_not_held_in_memory(tmp_path):  # type: ignore[no-untyped-def]
    total = 64 * 1024 * 1024
    tracemalloc.start()
    try:
        stored = uploads.receive(LazyStream(mp4_head(total), total), "大视频.mp4", "video", upload_dir=tmp_path,
                                 limits=LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == total and uploads.path_of(tmp_path, stored.stored_name).stat().st_size == total
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes for a {total}-byte upload"


def test_refusal_comes_early_without_reading_the_whole_file(tmp_path):  # type: ignore[no-untyped-def]
    stream = LazyStream(samples.exe(), 200 * 1024 * 1024)
    with pytest.raises(UploadRefused):
        uploads.receive(stream, "setup.mp4", "video", upload_dir=tmp_path, limits=LIMITS)
    assert stream.position <= 2 * upload_formats.CHUNK_SIZE
    assert files_in(tmp_path) == []


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../../../etc/passwd.jpg", "passwd.jpg"),
    ("..\\..\\windows\\system32\\evil.png", "evil.png"),
    ("C:\\fakepath\\学徒风采.jpg", "学徒风采.jpg"),
    ("报告\r\nX-Injected: 1.pdf", "报告X-Injected: 1.pdf"),
    ("照片\u202egpj.exe", "照片gpj.exe"),  # right-to-left override would show it as 照片exe.jpg
    ("a\x00b.png", "ab.png"),
    ("  ..hidden.jpg. ", "hidden.jpg"),
    ("", "未命名"),
    ("/", "未命名"),
    ("..", "未命名"),
    ("长" * 300 + ".mp4", "长" * 116 + ".mp4"),  # 120 characters at most, extension kept
])
def test_filenames_are_cleaned_for_display_and_never_used_as_paths(raw, clean):  # type: ignore[no-untyped-def]
    assert upload_names.clean_filename(raw) == clean


def test_traversal_names_are_stored_inside_upload_dir(tmp_path):  # type: ignore[no-untyped-def]
    root = tmp_path / "uploads"
    stored = uploads.receive(io.BytesIO(samples.picture("JPEG")), "../../../../escape.jpg", "picture",
                             upload_dir=root, limits=LIMITS)
    assert stored.original_name == "escape.jpg"
    assert not list(tmp_path.rglob("escape.jpg"))
    assert all(str(p).startswith(str(root)) for p in tmp_path.rglob("*") if p.is_file())
    with pytest.raises(UploadRefused):  # the bidi trick does not get an .exe in as a picture
        uploads.receive(io.BytesIO(samples.picture("JPEG")), "照片\u202egpj.exe", "picture", upload_dir=root,
                        limits=LIMITS)


@pytest.mark.parametrize("name", ["../x.jpg", "abc.jpg", "0" * 32 + ".exe", "0" * 32 + ".jpg/../../a",
                                  "/etc/passwd", "0" * 31 + "g.jpg"])
def test_path_of_accepts_only_our_random_names(tmp_path, name):  # type: ignore[no-untyped-def]
    with pytest.raises(FileNotFoundError):
        uploads.path_of(tmp_path, name)


@pytest.mark.parametrize("name", ["黄埔区学徒风采.jpg", "培养方案（定稿）.docx", "a b&c;d\"e'f.pdf", "plain.mp4",
                                  "emoji😀.png"])
def test_content_disposition_round_trips_the_original_name(name):  # type: ignore[no-untyped-def]
    header = upload_names.content_disposition(name, inline=False)
    assert header.startswith("attachment; filename=\"")
    fallback = re.search(r'filename="([^"]*)"', header).group(1)  # type: ignore[union-attr]
    assert fallback.isascii() and "\r" not in fallback and "\n" not in fallback
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", header).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", encoded)
    assert unquote(encoded, encoding="utf-8", errors="strict") == name
    assert upload_names.content_disposition(name, inline=True).startswith("inline; ")
