"""Pictures: a complete decode before a picture is accepted, a clean re-encoded copy (no EXIF/XMP, so no
GPS position; orientation applied, ICC profile kept) and a JPEG thumbnail.

Pillow only, no Flask.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from workflows.uploads.formats import UploadRefused

MAX_PIXELS = 60_000_000  # a 60-megapixel photo is already far beyond any camera phone
THUMB_SIZE = (480, 480)


def check_picture(path: Path, fmt: str) -> tuple[int, int]:
    """(width, height) of a picture that decodes completely as ``fmt``; UploadRefused otherwise."""
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


def reencode(src: Path, dst: Path, fmt: str) -> tuple[int, int]:
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


def thumbnail(src: Path, dst: Path) -> None:
    """A JPEG thumbnail within THUMB_SIZE, transparency flattened onto white."""
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
