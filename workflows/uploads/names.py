"""File names of uploads: the cleaned name people see, the download name with its extension, and the
``Content-Disposition`` header that gives a Chinese name back intact.

Names are never used to build paths (stored files get random names).
"""

from __future__ import annotations

import re
import unicodedata

from workflows.uploads.formats import FORMATS

MAX_NAME_LENGTH = 120


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


def file_extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def download_name(original_name: str, fmt: str) -> str:
    """The original name, with the format's extension added when it had none of its own."""
    code = FORMATS[fmt]
    return original_name if file_extension(original_name) in code.extensions else f"{original_name}.{code.ext}"


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
