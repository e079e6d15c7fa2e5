"""Dates as users and clients type them: one parser for services of every app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _


def as_date(raw: Any, field: str, errors: dict[str, list[Any]]) -> dt.date | None:
    """A date from a date or an ISO string, or None with the reason in `errors`."""
    if raw is None or raw == "":
        errors.setdefault(field, []).append(str(_("请填写日期。")))
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors.setdefault(field, []).append(str(_("日期格式应为 YYYY-MM-DD。")))
        return None
