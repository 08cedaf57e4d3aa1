"""Sample files built in code for the upload and report tests (no binary fixtures in the repository),
plus checks that the samples themselves are what they claim."""

from __future__ import annotations

import io
import struct
import zipfile

from PIL import Image

GPS_LATITUDE = 23.1291  # Guangzhou


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0112] = 1  # Orientation
    gps = {1: "N", 2: (23.0, 7.0, 44.76), 3: "E", 4: (113.0, 15.0, 53.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    return exif


XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="23,7.746N"/>'
       b"</rdf:RDF></x:xmpmeta>")


def picture(fmt: str = "JPEG", size: tuple[int, int] = (320, 240), gps: bool = True,
            color: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A picture with noise-free content; JPEG/WebP/PNG carry EXIF with a GPS position when ``gps``."""
    im = Image.new("RGB", size, color)
    for x in range(0, size[0], 8):
        im.putpixel((x, size[1] // 2), (0, 0, 255))
    buf = io.BytesIO()
    options: dict = {}
    if gps:
        options["exif"] = _gps_exif().tobytes()
        if fmt in ("JPEG", "WEBP"):
            options["xmp"] = XMP
    im.save(buf, format=fmt, **options)
    return buf.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(payload_size: int = 4096) -> bytes:
    """A structurally valid MP4: ftyp, a small moov (mvhd) and an mdat of ``payload_size`` bytes."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = _box(b"mvhd", bytes(4) + bytes(8) + struct.pack(">II", 1000, 0) + bytes(80))
    moov = _box(b"moov", mvhd)
    return ftyp + moov + _box(b"mdat", bytes(range(256)) * (payload_size // 256) + bytes(payload_size % 256))


def pdf() -> bytes:
    """A tiny one-page PDF."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
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


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>")


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2027, 1, 1, 0, 0, 0))  # fixed: the same bytes on every call
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def docx(text: str = "典型案例材料") -> bytes:
    """A minimal Word document built by hand (python-docx is not installed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_entry("[Content_Types].xml"), CONTENT_TYPES)
        zf.writestr(_entry("_rels/.rels"),
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/relationships"><Relationship Id="rId1" '
                    'Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    'relationships/officeDocument" '
                    'Target="word/document.xml"/></Relationships>')
        zf.writestr(_entry("word/document.xml"),
                    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                    f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(_entry("readme.txt"), "not a word document")
    return buf.getvalue()


def exe() -> bytes:
    """The start of a Windows PE executable."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(46) + struct.pack("<I", 64) + \
        b"PE\x00\x00" + bytes(2000)


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b"<script>alert(1)</script><rect width='10' height='10'/></svg>")


def truncated_jpeg() -> bytes:
    data = picture("JPEG", size=(640, 480), gps=False)
    return data[: len(data) // 2]


# ---- the samples are what they say ---------------------------------------------------------------


def test_samples_open() -> None:
    for fmt in ("JPEG", "PNG", "WEBP"):
        with Image.open(io.BytesIO(picture(fmt))) as im:
            im.load()
            assert im.format == fmt
    assert mp4()[4:8] == b"ftyp"
    assert pdf().startswith(b"%PDF-1.4") and pdf().rstrip().endswith(b"%%EOF")
    with zipfile.ZipFile(io.BytesIO(docx())) as zf:
        assert "word/document.xml" in zf.namelist()
    assert docx() == docx()
    with Image.open(io.BytesIO(picture("JPEG"))) as im:
        assert im.getexif().get_ifd(0x8825)  # the GPS block really is there before upload
