"""Template helpers shared by every app."""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist

register = template.Library()


@register.filter(name="action_label")
def action_label_filter(value: str) -> object:
    """The label of an audit action code (core.events.register_action_labels)."""
    from core.events import action_label

    return action_label(value)


@register.filter
def state_label(value: str, event) -> str:
    """The label of a stored state code, read from the status field of the event's model."""
    if not value:
        return value
    model = event.content_type.model_class()
    try:
        choices = dict(model._meta.get_field("status").choices or [])
    except (FieldDoesNotExist, AttributeError):
        return value
    return str(choices.get(value, value))
