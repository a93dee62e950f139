"""Loaded before Django's settings (pytest `-p tests.env`): a test-only key so settings load with DEBUG off."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-only-key")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
# Idle torch threads spin instead of sleeping; on a small shared CPU that slows every other process.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
