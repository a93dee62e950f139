"""Loaded before Django's settings (pytest `-p tests.env`): a test-only key so settings load with DEBUG off."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-only-key")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
