"""Start-up checks: production refuses to run half-configured or with demo passwords."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from config.settings import envbool
from core.checks import demo_password_check, verify_production_startup

ROOT = Path(__file__).resolve().parent.parent.parent


def _boot(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "SERVICEPACT_"))
    }
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings'); django.setup()",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


# A valid Fernet key (32 url-safe base64 bytes), for the production boots.
SEALING_KEY = "a2V5LWZvci10ZXN0cy1vbmx5LTMyLWJ5dGVzLWxvbmc="


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY"),
        (
            {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 50},
            "DJANGO_ALLOWED_HOSTS",
        ),
        (
            {
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": "x" * 50,
                "DJANGO_ALLOWED_HOSTS": "example.org",
            },
            "PostgreSQL",
        ),
        (
            {
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": "x" * 50,
                "DJANGO_ALLOWED_HOSTS": "example.org",
                "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/servicepact_unused",
            },
            "BID_SEALING_KEYS",
        ),
        ({"DJANGO_DEBUG": "maybe"}, "must be 'true' or 'false'"),
    ],
)
def test_production_refuses_to_start_half_configured(env, message):
    result = _boot(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_when_configured():
    result = _boot(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/servicepact_unused",
        BID_SEALING_KEYS=SEALING_KEY,
    )
    assert result.returncode == 0, result.stderr


def test_secret_is_read_from_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 50)
    result = _boot(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY_FILE=str(secret),
        DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/servicepact_unused",
        BID_SEALING_KEYS=SEALING_KEY,
    )
    assert result.returncode == 0, result.stderr


def test_envbool_rejects_anything_but_true_or_false(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    with pytest.raises(ImproperlyConfigured):
        envbool("X_FLAG", "false")


@override_settings(DEBUG=False)
def test_demo_password_blocks_production(personas):
    # given: an account that still has the published demo password
    personas.officer.set_password("demo-pass-2015")
    personas.officer.save()
    # then: the system check and the WSGI start-up both refuse
    assert [e.id for e in demo_password_check()] == ["servicepact.E001"]
    with pytest.raises(ImproperlyConfigured, match="p_officer"):
        verify_production_startup()
    # and once the password is changed, both pass
    personas.officer.set_password("a-real-secret-2026")
    personas.officer.save()
    assert demo_password_check() == []
    verify_production_startup()
