"""Benchmark: peak memory of streaming a large video upload through the real route.

A district reviewer posts a typical case with one MP4 of --mb megabytes (default 500, the default video
limit) to /reports/<id>/cases/new with the Flask test client. The request body is produced on the fly
by a file-like object (a valid MP4 header - ftyp, moov, mdat - followed by filler), so the benchmark
itself never holds the file either. Prints the Python heap peak (tracemalloc) and the process's peak
resident set (ru_maxrss) before and after, the time taken and the throughput. Asserts nothing.

Run: .venv/bin/python bench/bench_upload.py [--mb 500]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import struct
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig  # noqa: E402
from workflows.reports import opening as report_opening  # noqa: E402

MB = 1024 * 1024


class MultipartBody:
    """multipart/form-data with the case's text fields and one MP4 file part of ``size`` bytes,
    generated while it is read (read(n) never returns more than n bytes; nothing is buffered whole)."""

    def __init__(self, fields: dict[str, str], file_field: str, filename: str, size: int):
        self.boundary = "----bench-boundary-7d3f9a"
        head = "".join(
            f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            for k, v in fields.items())
        head += (f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; "
                 f"filename=\"{filename}\"\r\nContent-Type: video/mp4\r\n\r\n")
        mp4_head = self._mp4_header(size)
        first = head.encode("utf-8") + mp4_head
        self.filler = bytes(range(256)) * 4096  # 1 MB, repeated
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.filler_start = len(first)
        self.filler_end = len(first) + size - len(mp4_head)
        self.first = first
        self.length = self.filler_end + len(self.tail)
        self.pos = 0

    @staticmethod
    def _mp4_header(size: int) -> bytes:
        ftyp = struct.pack(">I4s", 24, b"ftyp") + b"isom" + struct.pack(">I", 512) + b"isomavc1"
        mvhd = struct.pack(">I4s", 108, b"mvhd") + bytes(100)
        moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
        mdat_size = size - len(ftyp) - len(moov)
        return ftyp + moov + struct.pack(">I4s", mdat_size, b"mdat")

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    # The file-like protocol the WSGI input needs: read, tell, seek (to measure the length).
    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.length + offset}[whence]
        return self.pos

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = MB
        out = bytearray()
        while len(out) < n and self.pos < self.length:
            want = n - len(out)
            if self.pos < self.filler_start:
                piece = self.first[self.pos:self.pos + want]
            elif self.pos < self.filler_end:
                offset = (self.pos - self.filler_start) % len(self.filler)
                piece = self.filler[offset:offset + min(want, self.filler_end - self.pos)]
            else:
                offset = self.pos - self.filler_end
                piece = self.tail[offset:offset + want]
            out += piece
            self.pos += len(piece)
        return bytes(out)


def rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=500, help="size of the video in MB")
    args = parser.parse_args()
    size = args.mb * MB
    tmp = Path(tempfile.mkdtemp(prefix="bench-upload-"))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'bench.db'}"
        UPLOAD_DIR = str(tmp / "uploads")
        UPLOAD_MAX_VIDEO_BYTES = max(size, 500 * MB)

    from webapp import create_app
    from webapp.extensions import db
    from workflows.db import Base
    from workflows.models.report_models import ReportAttachment

    try:
        app = create_app(Cfg)
        with app.app_context():
            Base.metadata.create_all(db.engine)
            from tests.factories import make_world

            make_world(db.session)
            report = report_opening.open_report(db.session, "440112", 2027, 1)
            report_id = report.id
            db.session.remove()

        client: Any = app.test_client()
        login = client.post("/login", data={"username": "review-440112", "password": "Demo@2026"})
        assert login.status_code == 302
        body = MultipartBody({"title": "大视频案例", "enterprise_name": "广州黄埔精密模具有限公司",
                              "occupation_code": "6-18-01-01", "apprenticeship_type": "enterprise_apprentice",
                              "narrative": "基准测试"}, "videos", "实训全程录像.mp4", size)
        rss_before = rss_mb()
        tracemalloc.start()
        started = time.perf_counter()
        response = client.post(f"/reports/{report_id}/cases/new", input_stream=body,
                               content_type=body.content_type, content_length=body.length)
        elapsed = time.perf_counter() - started
        _, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = rss_mb()

        with app.app_context():
            stored = db.session.query(ReportAttachment).one_or_none()
            stored_size = stored.size_bytes if stored is not None else 0
            db.session.remove()
        print(f"upload of a {args.mb} MB MP4 through POST /reports/<id>/cases/new (test client, SQLite)")
        print(f"  response status                  {response.status_code}")
        print(f"  stored file size                 {stored_size / MB:,.1f} MB")
        print(f"  time                             {elapsed:,.1f} s ({args.mb / elapsed:,.0f} MB/s)")
        print(f"  Python heap peak (tracemalloc)   {heap_peak / MB:,.1f} MB")
        print(f"  process peak RSS (ru_maxrss)     {rss_before:,.1f} MB before -> {rss_after:,.1f} MB after "
              f"(+{rss_after - rss_before:,.1f} MB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
