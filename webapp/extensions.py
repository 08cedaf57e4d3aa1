"""Flask extensions, created here and attached in create_app."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from workflows.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def db_session() -> Session:
    """The current app context's SQLAlchemy session, typed as the ``Session`` that workflows/ takes.

    ``db.session`` is Flask-SQLAlchemy's ``scoped_session`` proxy; calling it returns the session it stands
    for (one per app context, the one ``db.session`` reaches), so views hand workflows/ a real ``Session``.
    Call it where the session is used: after ``db.session.remove()`` the next call gives a fresh one."""
    return db.session()
