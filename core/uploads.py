"""Checks for uploaded files: the type is read from the content, not the name."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .exceptions import ValidationFailed

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}


def sniff(head: bytes) -> str | None:
    for kind, prefixes in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            return kind
    return None


def validate_upload(
    upload: Any, *, field: str, allowed: tuple[str, ...], max_bytes: int
) -> str:
    """Return the detected type of `upload`, or raise with the field and the reason.

    Raises:
        ValidationFailed: the file is empty, too large, or not of an allowed type.
    """
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationFailed(fields={field: [_("文件是空的。")]})
    if size > max_bytes:
        raise ValidationFailed(
            fields={
                field: [
                    _("文件过大（%(size)s MB），上限 %(max)s MB。")
                    % {"size": round(size / 1048576, 1), "max": max_bytes // 1048576}
                ]
            }
        )
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    if kind not in allowed:
        raise ValidationFailed(
            fields={
                field: [
                    _("只接受 %(types)s 文件。")
                    % {"types": "、".join(LABELS[a] for a in allowed)}
                ]
            }
        )
    return kind
