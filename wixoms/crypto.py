"""Fernet encryption at rest for OAuth tokens and other secrets stored in the database."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

_fernet: Fernet | None = None


def configure(key: str) -> None:
    """Set the key used by EncryptedText (called by create_app)."""
    global _fernet
    _fernet = Fernet(key.encode() if isinstance(key, str) else key)


def encrypt(value: str) -> str:
    if _fernet is None:
        raise RuntimeError("encryption key not configured")
    return _fernet.encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if _fernet is None:
        raise RuntimeError("encryption key not configured")
    try:
        return _fernet.decrypt(value.encode()).decode()
    except InvalidToken as exc:  # a changed WIXOMS_ENCRYPTION_KEY makes old tokens unreadable
        raise ValueError("stored secret cannot be decrypted with the current key") from exc


class EncryptedText(TypeDecorator):
    """A text column whose value is Fernet-encrypted in the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
