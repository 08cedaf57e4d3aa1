"""Reference catalogues: occupations (职业工种) and the national planning textbook catalogue (R2, R9).

The catalogues live in the database (tables ``occupation`` and ``textbook``), where admins edit them;
the data files shipped in ``data/`` are loaded on first use (``admin.ensure_loaded``, ``flask catalogues
import``) and are what ``reads.occupations()`` / ``reads.textbooks()`` return while the tables are empty.

Reads are cached per process and keyed by a random token in ``catalogue_revision`` that every change
replaces, so a read costs one primary-key query and a change made by any process is seen at once.
``occupations()`` and ``textbooks()`` take an optional session; without one they use the session the
web layer registered with ``use_session`` (Flask-SQLAlchemy's scoped session), else the data files.

Modules: ``reads`` (data files, cached reads, admin lists), ``admin`` (edits, upserts, CSV import) and
``excel`` (textbook template and Excel import).
"""
