"""Ids as users and clients send them (form values, JSON keys): only plain ASCII
digits of a sane length count. `"²".isdigit()` is true but `int("²")` fails, and a
5000-digit number overflows the database: both would otherwise be server errors."""

from __future__ import annotations

from typing import Any

MAX_DIGITS = 18  # below the 64-bit integer range of every primary key


def as_id(raw: Any) -> int | None:
    """The positive integer `raw` spells, or None."""
    text = str(getattr(raw, "pk", raw)).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    value = int(text)
    return value if value > 0 else None
