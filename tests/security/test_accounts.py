"""Accounts: login and admin login locked per account and per address with the wait in seconds, sign-up throttled
per address, Django's password validators on, one message for a taken or a refused username."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from quiz.bank.forms import MESSAGE_USERNAME_REFUSED

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
GOOD_PASSWORD = "an-unusual-passphrase-42"  # noqa: S105 - a test account's
DIGITS_PASSWORD = "90817263544"  # noqa: S105


def fail_login(client, username, *, url=LOGIN, addr="10.0.0.1"):
    return client.post(url, {"username": username, "password": "wrong-password-1"}, REMOTE_ADDR=addr)


def test_five_wrong_passwords_lock_the_account_with_the_wait_in_seconds(client, user, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert fail_login(client, user.username).status_code == 200  # the form again, "wrong password"
    locked = fail_login(client, user.username)
    assert locked.status_code == 429
    seconds = int(locked["Retry-After"])
    assert 0 < seconds <= settings.AXES_COOLOFF_TIME.total_seconds()
    assert f"Try again in {seconds} s." in locked.content.decode()
    # the right password from another address is refused too while the account is locked
    right = client.post(LOGIN, {"username": user.username, "password": password}, REMOTE_ADDR="10.9.9.9")
    assert right.status_code == 429


def test_one_address_trying_many_accounts_is_locked_by_address(client, user, password, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client, f"someone{n}", addr="10.0.0.2")
    response = client.post(LOGIN, {"username": user.username, "password": password}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429 and "Try again in" in response.content.decode()
    other = client.post(LOGIN, {"username": user.username, "password": password}, REMOTE_ADDR="10.0.0.3")
    assert other.status_code == 302  # the account itself is not locked: another address logs in


def test_admin_login_is_throttled_the_same_way(client, django_user_model, settings):
    admin = django_user_model.objects.create_superuser("root", password=GOOD_PASSWORD)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client, admin.username, url=url, addr="10.0.0.4")
    locked = fail_login(client, admin.username, url=url, addr="10.0.0.4")
    assert locked.status_code == 429 and "Try again in" in locked.content.decode()


def test_a_successful_login_resets_the_count(client, user, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        fail_login(client, user.username)
    assert (
        client.post(LOGIN, {"username": user.username, "password": password}, REMOTE_ADDR="10.0.0.1").status_code == 302
    )
    client.logout()
    assert fail_login(client, user.username).status_code == 200


def signup(client, username, password=GOOD_PASSWORD, addr="10.1.0.1"):
    data = {"username": username, "password1": password, "password2": password}
    return client.post(reverse("signup"), data, REMOTE_ADDR=addr)


def test_taken_and_invalid_usernames_get_the_same_message(client, user):
    taken = signup(client, user.username).content.decode()
    invalid = signup(client, "no spaces allowed!").content.decode()
    assert MESSAGE_USERNAME_REFUSED in taken and MESSAGE_USERNAME_REFUSED in invalid
    assert "already exists" not in taken


def test_an_all_digit_password_is_refused(client):
    response = signup(client, "newcomer", password=DIGITS_PASSWORD)
    assert response.status_code == 200 and "entirely numeric" in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_signups_are_throttled_per_address(client, settings):
    settings.SIGNUP_LIMIT_PER_HOUR = 2
    from django.core.cache import cache

    cache.clear()
    assert signup(client, "first", addr="10.1.0.9").status_code == 302
    client.logout()
    assert signup(client, "second", addr="10.1.0.9").status_code == 302
    client.logout()
    third = signup(client, "third", addr="10.1.0.9")
    assert third.status_code == 429 and int(third["Retry-After"]) > 0
    assert "Too many sign-ups from this address. Try again in" in third.content.decode()
    assert not get_user_model().objects.filter(username="third").exists()
    client.logout()
    assert signup(client, "fourth", addr="10.1.0.10").status_code == 302  # another address is not affected
