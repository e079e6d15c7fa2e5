"""Helpers to show a service's ValidationFailed on a Django form."""

from __future__ import annotations

from django import forms

from .exceptions import DomainError


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


def query_text(params, name: str, max_length: int = 200) -> str:
    """A free-text query parameter, trimmed, without NUL characters (PostgreSQL
    refuses them in a query, which would otherwise be a server error)."""
    return (params.get(name) or "").replace("\x00", "").strip()[:max_length]
