"""The admin login: locked after repeated failures (django-axes), strong passwords, cookies."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True


def attempt(client, password: str):
    return client.post(
        LOGIN,
        {"username": "agent", "password": password, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.1",
    )


def test_five_failures_lock_the_username_for_an_hour(client, lockout):
    UserFactory(username="agent", is_superuser=True)
    for _ in range(4):
        assert attempt(client, "mauvais").status_code == 200
    locked = attempt(client, "mauvais")
    assert locked.status_code == 429
    assert "Connexion bloquée" in locked.content.decode()
    # Even the right password is refused while locked, from any address.
    assert attempt(client, "un-mot-de-passe-solide-42").status_code == 429
    call_command("axes_reset_username", "agent", verbosity=0)
    assert attempt(client, "un-mot-de-passe-solide-42").status_code == 302


def test_a_success_resets_the_failures(client, lockout):
    UserFactory(username="agent", is_superuser=True)
    for _ in range(4):
        attempt(client, "mauvais")
    assert attempt(client, "un-mot-de-passe-solide-42").status_code == 302
    client.logout()
    assert attempt(client, "mauvais").status_code == 200


@pytest.mark.parametrize("password", ["court1", "password1234", "123456789012345", "agent-agent-1"])
def test_weak_passwords_are_refused(password):
    user = UserFactory(username="agent-agent")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_session_cookie_is_secure_outside_development():
    assert django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.SESSION_COOKIE_SECURE is not django_settings.DEBUG
    assert django_settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


def test_admin_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("admin:startups_startup_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_the_admin_session_cookie_is_secure_httponly_and_same_site(client):
    """Outside development (tests run with DEBUG off, as production does)."""
    assert not django_settings.DEBUG
    UserFactory(username="agent", is_superuser=True)
    response = attempt(client, "un-mot-de-passe-solide-42")
    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) <= 8 * 60 * 60
    csrf = client.get(LOGIN).cookies.get(django_settings.CSRF_COOKIE_NAME)
    assert csrf is None or csrf["secure"] is True


def test_the_login_page_is_in_french(client):
    page = client.get(LOGIN).content.decode()
    assert "Nom d’utilisateur" in page
    assert "Connexion" in page
