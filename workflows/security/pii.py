"""Resident ID numbers at rest: AES-256-GCM (``cryptography``) with a key held outside the database, and a
keyed blind index (HMAC-SHA256 of the normalised number) for the duplicate and overlap checks.

One master key (32 random bytes, given as URL-safe base64 in ``PII_KEY`` or a key file) is expanded with
HKDF-SHA256 into two independent keys: one encrypts, one computes the blind index; neither is stored. A
ciphertext names the key that made it (``v1.<key id>.<nonce + ciphertext + tag>``), so ``rotate`` can
re-encrypt row by row with the old key still readable. Nothing here reads Flask config: the web's
``create_app`` (and the CLI) call ``install`` with the key once at start-up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from workflows.rules.ids import normalize_id_number

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
DEV_KEY_FILE = "pii.key"
# Binds each ciphertext to what it is: a value moved to another column or table does not decrypt there.
_AAD = b"trainee.id_number"


class PiiKeyError(RuntimeError):
    """The PII key is missing, malformed, or not the one the data was encrypted with."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"apprenticeship-pii/" + purpose
                ).derive(master)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Key:
    """The two working keys expanded from one master key, and the key's public id."""

    key_id: str
    cipher: AESGCM = field(repr=False)
    index_key: bytes = field(repr=False)

    @classmethod
    def from_master(cls, master: bytes) -> Key:
        if len(master) != KEY_BYTES:
            raise PiiKeyError(f"PII 密钥应为 {KEY_BYTES} 字节（URL 安全的 base64 编码）")
        return cls(key_id=_derive(master, b"key-id").hex()[:8], cipher=AESGCM(_derive(master, b"encrypt")),
                   index_key=_derive(master, b"blind-index"))


@dataclass(frozen=True)
class Keyring:
    """The key new values are written with (``primary``) and older keys still accepted for reading."""

    primary: Key
    previous: tuple[Key, ...] = ()

    def _key(self, key_id: str) -> Key:
        for key in (self.primary, *self.previous):
            if key.key_id == key_id:
                return key
        raise PiiKeyError(f"身份证号码由另一把密钥（{key_id}）加密，当前配置的 PII_KEY 无法解密")

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.primary.cipher.encrypt(nonce, plain.encode("utf-8"), _AAD)
        return f"{VERSION}.{self.primary.key_id}.{_b64(nonce + sealed)}"

    def decrypt(self, token: str) -> str:
        try:
            version, key_id, body = token.split(".", 2)
            raw = _unb64(body)
        except (ValueError, binascii.Error) as exc:
            raise PiiKeyError("身份证号码密文格式无效") from exc
        if version != VERSION:
            raise PiiKeyError(f"未知的密文版本 {version}")
        try:
            return self._key(key_id).cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _AAD).decode("utf-8")
        except InvalidTag as exc:
            raise PiiKeyError("身份证号码密文校验失败（数据被改动或密钥不符）") from exc

    def key_id_of(self, token: str) -> str:
        return token.split(".", 2)[1] if token.count(".") >= 2 else ""

    def blind_index(self, plain: str) -> str:
        """HMAC-SHA256 of the normalised number under the primary key: equal numbers, equal index."""
        return hmac.new(self.primary.index_key, normalize_id_number(plain).encode("utf-8"), hashlib.sha256).hexdigest()


_keyring: Keyring | None = None


def parse_key(text: str) -> bytes:
    """A master key from its text form (URL-safe base64 of 32 bytes, as ``generate_key`` prints)."""
    try:
        raw = _unb64(text.strip())
    except (ValueError, binascii.Error) as exc:
        raise PiiKeyError("PII 密钥不是有效的 base64 文本") from exc
    if len(raw) != KEY_BYTES:
        raise PiiKeyError(f"PII 密钥应为 {KEY_BYTES} 字节（当前 {len(raw)} 字节）")
    return raw


def generate_key() -> str:
    """A fresh random master key in its text form."""
    return _b64(secrets.token_bytes(KEY_BYTES))


def read_key_file(path: str | Path) -> bytes:
    return parse_key(Path(path).read_text(encoding="ascii"))


def load_key(key: str = "", key_file: str = "", dev_dir: str | Path | None = None) -> bytes:
    """The master key: ``key`` (PII_KEY) if given, else ``key_file`` (PII_KEY_FILE), else, in development
    only (``dev_dir`` given), the instance folder's ``pii.key``, made on first run (mode 0600)."""
    if key:
        return parse_key(key)
    if key_file:
        return read_key_file(key_file)
    if dev_dir is None:
        raise PiiKeyError("必须通过 PII_KEY 环境变量或 PII_KEY_FILE 密钥文件提供身份证号码加密密钥"
                        "（PII_KEY or PII_KEY_FILE is required outside development）")
    path = Path(dev_dir) / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as fh:
            fh.write(generate_key() + "\n")
    return read_key_file(path)


def make_keyring(master: bytes, previous: Sequence[bytes] = ()) -> Keyring:
    return Keyring(Key.from_master(master), tuple(Key.from_master(m) for m in previous))


def install(master: bytes, previous: Sequence[bytes] = ()) -> Keyring:
    """Make ``master`` the key every ID number is written with (``previous`` keys stay readable)."""
    global _keyring
    _keyring = make_keyring(master, previous)
    return _keyring


def keyring() -> Keyring:
    if _keyring is None:
        raise RuntimeError("PII key not installed: call workflows.service.configure_pii() at start-up")
    return _keyring


def encrypt(plain: str) -> str:
    return keyring().encrypt(plain)


def decrypt(token: str) -> str:
    return keyring().decrypt(token)


def blind_index(plain: str) -> str:
    return keyring().blind_index(plain)
