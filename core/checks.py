"""Start-up checks: production refuses to run with demo passwords in place."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


def _demo_accounts() -> list[str]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    try:
        return list(
            User.objects.filter(has_demo_password=True, is_active=True).values_list(
                "username", flat=True
            )[:20]
        )
    except DatabaseError:  # tables not migrated yet
        return []


@register()
def demo_password_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEBUG:
        return []
    names = _demo_accounts()
    if not names:
        return []
    return [
        Error(
            "Accounts still have the demo password while DJANGO_DEBUG=false: "
            + ", ".join(names),
            hint="Change their passwords (manage.py changepassword NAME) or deactivate them.",
            id="servicepact.E001",
        )
    ]


def verify_production_startup() -> None:
    """Called by the WSGI entry point: refuse to serve with demo passwords."""
    if settings.DEBUG:
        return
    names = _demo_accounts()
    if names:
        raise ImproperlyConfigured(
            "Refusing to start: accounts still have the demo password: "
            + ", ".join(names)
        )
