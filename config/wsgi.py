"""WSGI entry point (gunicorn). Runs the production start-up checks first."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from core.checks import verify_production_startup  # noqa: E402

verify_production_startup()
