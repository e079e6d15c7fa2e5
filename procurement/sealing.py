"""Sealing of bids: what a bid says is encrypted with the sealing key
(`BID_SEALING_KEYS`, Fernet keys from the settings, newest first) the moment it is
received, and only the opening service (`procurement.services.project_open`) reads it.

A database dump or a copy of the media folder shows ciphertext only. The key is not
the one for personal data (core.crypto), so a person who may read ID numbers still
cannot open a bid.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in settings.BID_SEALING_KEYS])


def seal_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def seal_json(value: dict[str, Any]) -> str:
    return seal_bytes(json.dumps(value, ensure_ascii=False).encode("utf-8")).decode(
        "ascii"
    )


class SealBroken(Exception):
    """The sealed content cannot be read with the configured keys."""


def unseal_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise SealBroken from exc


def unseal_json(token: str) -> dict[str, Any]:
    return json.loads(unseal_bytes(token.encode("ascii")).decode("utf-8"))
