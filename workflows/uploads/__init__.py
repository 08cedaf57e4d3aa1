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

Modules: ``storage`` (``receive``, ``path_of``, ``discard``), ``formats`` (formats and limits),
``names`` (file names), ``content`` (content checks) and ``pictures``.
"""
