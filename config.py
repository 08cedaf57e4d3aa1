"""Application configuration, read from the environment with safe development defaults."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    """Development defaults; every value can be overridden by an environment variable."""

    ENV_NAME = os.environ.get("APP_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'app.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 600 * 1024 * 1024)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    BPMN_DIR = os.environ.get("BPMN_DIR", str(BASE_DIR / "bpmn"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    # Policy parameter defaults (admins version them in the database; these seed the first version).
    RESUBMIT_WINDOW_DAYS = _int("RESUBMIT_WINDOW_DAYS", 15)
    SCHEDULER_ENABLED = os.environ.get("SCHEDULER_ENABLED", "0") == "1"
    SCHEDULER_INTERVAL_SECONDS = _int("SCHEDULER_INTERVAL_SECONDS", 60)
    PAGE_SIZE = 20
    # Semiannual reports and their uploads (SPEC R10): per-file limits by kind, due day of the month after
    # the half-year, reminder days before it.
    UPLOAD_MAX_PICTURE_BYTES = _int("UPLOAD_MAX_PICTURE_BYTES", 10 * 1024 * 1024)
    UPLOAD_MAX_VIDEO_BYTES = _int("UPLOAD_MAX_VIDEO_BYTES", 500 * 1024 * 1024)
    UPLOAD_MAX_DOCUMENT_BYTES = _int("UPLOAD_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)
    # The receipt (备案回执): the CJK font embedded in the PDF ("path" or "path#index" for a collection;
    # empty: WenQuanYi Micro Hei or Noto Sans CJK SC as installed by `make fonts`), and the public address
    # its QR code and verification URL start with (empty: this site's own address).
    RECEIPT_FONT = os.environ.get("RECEIPT_FONT", "")
    RECEIPT_BASE_URL = os.environ.get("RECEIPT_BASE_URL", "")
    REPORT_DUE_DAY = _int("REPORT_DUE_DAY", 10)
    REPORT_REMINDER_DAYS = _int("REPORT_REMINDER_DAYS", 5)

    # Quarterly district plans (SPEC R11): due day of the quarter's first month, reminder days before it;
    # PERIOD_AUTO_OPEN lets `workflows tick` / the scheduler open every district's plan when a quarter begins.
    PLAN_DUE_DAY = _int("PLAN_DUE_DAY", 10)
    PLAN_REMINDER_DAYS = _int("PLAN_REMINDER_DAYS", 5)
    PERIOD_AUTO_OPEN = os.environ.get("PERIOD_AUTO_OPEN", "1") == "1"

    # Notification channels besides 站内信 (empty: off). E-mail: smtp://user:pass@host:587?starttls=1 or
    # smtps://host:465; webhook (e.g. a 粤政易 bridge): POSTed JSON signed with HMAC-SHA256 of WEBHOOK_SECRET.
    # Delivered from the outbox by `flask notifications deliver` and every `workflows tick`.
    SMTP_URL = os.environ.get("SMTP_URL", "")
    SMTP_FROM = os.environ.get("SMTP_FROM", "noreply@apprenticeship.gz.gov.cn")
    WEBHOOK_URL = os.environ.get("WEBHOOK_URL", "")
    WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET", "")
    SITE_URL = os.environ.get("SITE_URL", "")
    # Resident ID numbers are encrypted with this key (URL-safe base64 of 32 random bytes, made by
    # `flask --app webapp pii generate-key`), kept outside the database: PII_KEY, or PII_KEY_FILE naming a
    # file that holds it. Only APP_ENV=development falls back to instance/pii.key, made on first run.
    PII_KEY = os.environ.get("PII_KEY", "")
    PII_KEY_FILE = os.environ.get("PII_KEY_FILE", "")
    @classmethod
    def check(cls) -> None:
        """Refuse to start a production instance without a real secret key."""
        if cls.ENV_NAME == "production" and (
            not os.environ.get("SECRET_KEY") or cls.SECRET_KEY == "dev-only-not-secret"
        ):
            raise RuntimeError("生产环境必须设置 SECRET_KEY 环境变量 (SECRET_KEY is required in production)")


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestConfig(Config):
    """Used by the test suite: a throw-away database, no CSRF on the test client unless asked."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret"
    PII_KEY = "dGVzdC1vbmx5LXBpaS1rZXktMDEyMzQ1Njc4OWFiY2Q"  # fixed test-only key (32 bytes)
    PII_KEY_FILE = ""
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SMTP_URL = ""
    WEBHOOK_URL = ""
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
