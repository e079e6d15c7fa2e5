"""Helpers to show a service's ValidationFailed on a Django form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _g

from .exceptions import DomainError, ValidationFailed


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Attach the error's field messages to the form's fields (others to the form)."""
    placed = False
    for field, messages in exc.fields.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message if target else f"{field}: {message}")
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, str(exc.message))


def place_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's `fields` on the form: a key the form has goes on that field;
    `rows.2.share` goes on the `rows` field as "第2行：…"; a form may map keys itself
    with a `map_error_key(key) -> field | None` attribute; anything else goes above
    the form — never a raw key."""
    placed = False
    mapper = getattr(form, "map_error_key", None)
    for key, messages in exc.fields.items():
        parts = str(key).split(".")
        target = mapper(str(key)) if mapper else None
        prefix = ""
        if target is None:
            target = key if key in form.fields else parts[0]
            if len(parts) > 1 and parts[1].isdigit():
                prefix = _g("第%(n)s行：") % {"n": parts[1]}
        for message in messages:
            text = f"{prefix}{message}"
            if target in form.fields:
                form.add_error(target, text)
            else:
                form.add_error(None, text)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def form_service_call(
    form: forms.Form,
    call: Callable[[], Any],
    *,
    place: Callable[[forms.Form, DomainError], None] = place_errors,
    as_permission_denied: bool = False,
) -> tuple[bool, Any, int]:
    """Run a service for a valid form. Returns (ok, result, status): on success
    (True, call's return, 200); a ValidationFailed is placed on the form (`place`)
    with 400; any other refusal (409 etc.) goes above the form with its own status.
    403 and 404 propagate to DomainErrorMixin; with `as_permission_denied` a 403 is
    raised as Django's PermissionDenied (the site's 403 page with the reason)."""
    try:
        result = call()
    except ValidationFailed as exc:
        place(form, exc)
        return False, None, 400
    except DomainError as exc:
        if exc.status_code == 403 and as_permission_denied:
            raise PermissionDenied(str(exc.message)) from exc
        if exc.status_code in (403, 404):
            raise
        form.add_error(None, str(exc.message))
        return False, None, exc.status_code
    return True, result, 200


def query_text(params, name: str, max_length: int = 200) -> str:
    """A free-text query parameter, trimmed, without NUL characters (PostgreSQL
    refuses them in a query, which would otherwise be a server error)."""
    return (params.get(name) or "").replace("\x00", "").strip()[:max_length]
