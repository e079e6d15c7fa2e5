"""Encryption of personal data at rest (resident ID numbers of related persons).

Keys come from FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first, so
old values stay readable after a rotation); without it, a key is derived from
SECRET_KEY, which suits development only.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    raw = os.environ.get("FIELD_ENCRYPTION_KEYS", "")
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        digest = hashlib.sha256(
            ("servicepact-field-key:" + settings.SECRET_KEY).encode()
        ).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """The plain text, or "" when the token cannot be read with the current keys."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return ""


def blind_index(value: str) -> str:
    """A keyed hash for finding equal values (duplicates, conflict checks) without
    decrypting every row."""
    key = hashlib.sha256(
        ("servicepact-blind-index:" + settings.SECRET_KEY).encode()
    ).digest()
    return hashlib.blake2b(value.encode("utf-8"), key=key, digest_size=16).hexdigest()
