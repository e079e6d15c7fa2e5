"""Test settings: the same module with the test speed overrides switched on."""

import os

os.environ.setdefault("SERVICEPACT_TESTING", "true")

from .settings import *  # noqa: E402,F403
