import pytest
from django.core.cache import cache
from django.utils import translation
from django_scopes import scopes_disabled

from samen.core import demo
from samen.core.models import ApiToken, Municipality, User
from samen.core.tenancy import _forget_municipalities


@pytest.fixture(autouse=True)
def _fast_and_clean(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SAMEN_REQUIRE_2FA_CASEWORKERS = False
    settings.SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP
    translation.activate("nl")  # a request in an earlier test may have left English active
    cache.clear()
    _forget_municipalities()  # rows from an earlier test are gone: so is their cached copy


@pytest.fixture
def municipalities(db) -> dict[str, Municipality]:
    """The demo: Samenstad and Tweestad with their organisations, users and a few reports."""
    return demo.load()


@pytest.fixture
def samenstad(municipalities) -> Municipality:
    return municipalities["samenstad"]


@pytest.fixture
def tweestad(municipalities) -> Municipality:
    return municipalities["tweestad"]


@pytest.fixture
def user(municipalities):
    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def login(client, user):
    def as_user(username: str):
        client.force_login(user(username))
        return client

    return as_user


@pytest.fixture
def bearer(user):
    def token_for(username: str) -> dict[str, str]:
        _token, raw = ApiToken.issue(user(username))
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return token_for


@pytest.fixture
def unscoped():
    with scopes_disabled():
        yield
