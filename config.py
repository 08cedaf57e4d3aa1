"""Application configuration, read from the environment with safe development defaults."""

from __future__ import annotations

import os
from pathlib import Path

from workflows import shipped_dir

BASE_DIR = Path(__file__).resolve().parent
# A checkout keeps its instance/ folder at its root; an installed wheel uses the working directory's
# (systemd's WorkingDirectory=) unless INSTANCE_PATH says otherwise.
_CHECKOUT = (BASE_DIR / "pyproject.toml").is_file()
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", (BASE_DIR if _CHECKOUT else Path.cwd()) / "instance"))


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


DEV_SECRET_KEY = "dev-only-not-secret"
APP_ENVS = ("development", "test", "production")
MIN_SECRET_KEY_BYTES = 32


class Config:
    """Development defaults; every value can be overridden by an environment variable."""

    # Unset means "not explicitly development": a real SECRET_KEY is then required (see check()).
    ENV_NAME = os.environ.get("APP_ENV", "")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'app.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection idle this long is pinged before a request uses it (webapp.ops.pool; 0: always).
    DB_PING_IDLE_SECONDS = _int("DB_PING_IDLE_SECONDS", 10)
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 600 * 1024 * 1024)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    BPMN_DIR = os.environ.get("BPMN_DIR", str(shipped_dir("bpmn")))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    # Operations: the number of reverse proxies in front (nginx = 1) whose X-Forwarded-* headers are trusted;
    # the bearer token /metrics asks for (unset: loopback only); log level of the JSON log lines on stderr.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
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
    # How often (seconds) a web process checks whether an administrator changed the holiday calendar (one
    # primary-key read; 0: before every request). A change reaches every process within this time.
    CALENDAR_REFRESH_SECONDS = _int("CALENDAR_REFRESH_SECONDS", 5)

    # Notification channels besides 站内信 (empty: off). E-mail: smtp://user:pass@host:587?starttls=1 or
    # smtps://host:465; webhook (e.g. a 粤政易 bridge): POSTed JSON signed with HMAC-SHA256 of WEBHOOK_SECRET.
    # Delivered from the outbox by `flask notifications deliver` and every `workflows tick`.
    SMTP_URL = os.environ.get("SMTP_URL", "")
    SMTP_FROM = os.environ.get("SMTP_FROM", "noreply@apprenticeship.gz.gov.cn")
    WEBHOOK_URL = os.environ.get("WEBHOOK_URL", "")
    WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET", "")
    SITE_URL = os.environ.get("SITE_URL", "")
    # Accounts and sessions (issue 11): lockout after failed sign-ins, idle and absolute session lifetime.
    LOGIN_LOCKOUT_ATTEMPTS = _int("LOGIN_LOCKOUT_ATTEMPTS", 5)
    LOGIN_LOCKOUT_MINUTES = _int("LOGIN_LOCKOUT_MINUTES", 15)
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", 12)
    # Resident ID numbers are encrypted with this key (URL-safe base64 of 32 random bytes, made by
    # `flask --app webapp pii generate-key`), kept outside the database: PII_KEY, or PII_KEY_FILE naming a
    # file that holds it. Only APP_ENV=development falls back to instance/pii.key, made on first run.
    PII_KEY = os.environ.get("PII_KEY", "")
    PII_KEY_FILE = os.environ.get("PII_KEY_FILE", "")

    @classmethod
    def check(cls) -> None:
        """Refuse to start with an unknown APP_ENV, or outside explicit development (APP_ENV=development)
        with the default or a short (< 32 bytes) SECRET_KEY."""
        if cls.ENV_NAME and cls.ENV_NAME not in APP_ENVS:
            raise RuntimeError(f"未知的 APP_ENV：{cls.ENV_NAME}（可选 {' / '.join(APP_ENVS)}）"
                               f" (unknown APP_ENV {cls.ENV_NAME!r})")
        if cls.ENV_NAME == "development":
            return
        key = cls.SECRET_KEY.encode("utf-8") if isinstance(cls.SECRET_KEY, str) else bytes(cls.SECRET_KEY or b"")
        if cls.SECRET_KEY == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_BYTES:
            raise RuntimeError(
                f"必须设置至少 {MIN_SECRET_KEY_BYTES} 字节的随机 SECRET_KEY 环境变量"
                "（仅 APP_ENV=development 可用默认值）"
                f" (SECRET_KEY must be a random value of at least {MIN_SECRET_KEY_BYTES} bytes outside "
                "APP_ENV=development)")


class ProductionConfig(Config):
    """APP_ENV=production: cookies only over HTTPS, SECRET_KEY required (check), no demo data (seed-demo)."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestConfig(Config):
    """Used by the test suite: a throw-away database, no CSRF on the test client unless asked."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-0123456789abcdef-not-for-production"
    PII_KEY = "dGVzdC1vbmx5LXBpaS1rZXktMDEyMzQ1Njc4OWFiY2Q"  # fixed test-only key (32 bytes)
    PII_KEY_FILE = ""
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SMTP_URL = ""
    WEBHOOK_URL = ""
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    CALENDAR_REFRESH_SECONDS = 0  # tests change the calendar and expect the next request to see it


def config_for(app_env: str | None) -> type[Config]:
    """The configuration class APP_ENV selects: ``production`` -> ProductionConfig, anything else the
    development defaults (create_app() with no argument asks this)."""
    return ProductionConfig if (app_env or "").strip() == "production" else Config
