"""Throttles for the account pages: login lockout (django-axes) and sign-ups per client address."""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone

MESSAGE_LOCKED = "Too many failed logins for this account or from this address. Try again in {seconds} s."
MESSAGE_SIGNUP_THROTTLED = "Too many sign-ups from this address. Try again in {seconds} s."
SIGNUP_WINDOW = 3600  # seconds


def client_ip(request) -> str:
    """The client's address. Behind proxies (NUM_PROXIES > 0), the entry the nearest proxy appended to
    X-Forwarded-For, counted from the right: entries further left are the client's to invent."""
    proxies = int(getattr(settings, "NUM_PROXIES", 0))
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 (an address stored, never bound)


def login_wait_seconds(*, request, credentials: dict | None) -> int:
    """Seconds until the most recent failure that counts against this account or address is forgotten."""
    from axes.models import AccessAttempt
    from django.db.models import Q

    username = (credentials or {}).get("username") or request.POST.get("username", "")
    match = Q(ip_address=client_ip(request))
    if username:
        match |= Q(username=username)
    last = AccessAttempt.objects.filter(match).order_by("-attempt_time").values_list("attempt_time", flat=True).first()
    cooloff = settings.AXES_COOLOFF_TIME.total_seconds()
    if last is None:
        return math.ceil(cooloff)
    return max(1, math.ceil(cooloff - (timezone.now() - last).total_seconds()))


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (login and admin login): 429, Retry-After and the wait in words."""
    seconds = login_wait_seconds(request=request, credentials=credentials)
    response = render(request, "registration/locked_out.html",
                      {"message": MESSAGE_LOCKED.format(seconds=seconds)}, status=429)  # fmt: skip
    response["Retry-After"] = str(seconds)
    return response


def signup_throttle_wait(*, request) -> int:
    """0 when this address may sign up now (and counts this attempt), else the seconds to wait."""
    now = time.time()
    window = int(now // SIGNUP_WINDOW)
    key = f"signup:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=SIGNUP_WINDOW)
    count = cache.incr(key)
    if count > settings.SIGNUP_LIMIT_PER_HOUR:
        return max(1, math.ceil((window + 1) * SIGNUP_WINDOW - now))
    return 0
