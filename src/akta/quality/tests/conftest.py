"""Fixtures of the quality tests: users of each role in the imported test municipality."""
import datetime as dt

import pytest

from akta.access.models import Role


@pytest.fixture
def ku(imported, make_user):
    """A kvalitetsutvecklare (no case units)."""
    return make_user("david", role=Role.KVALITETSUTVECKLARE)


@pytest.fixture
def sysadmin(imported, make_user):
    return make_user("eva", role=Role.SYSTEMFORVALTARE)


@pytest.fixture
def unit(imported):
    from akta.access.models import Unit

    return Unit.objects.get(code="barn_och_unga")


@pytest.fixture
def day():
    """Dates well in the past, so no step lies in the future."""
    return lambda n: dt.date(2024, 1, 1) + dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; these tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
