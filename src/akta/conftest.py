"""Fixtures shared by every component's tests."""
from pathlib import Path

import pytest

VALID_EXCHANGE = Path(__file__).parent / "exchange" / "tests" / "data" / "valid"
PASSWORD = "test-lösenord-123"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """argon2 costs ~0.7 s per user; tests use a fast hasher (test_access checks argon2 itself)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def imported(db):
    """The hand-made valid exchange (exchange/tests/data/valid) imported: 5 persons, 5 cases.

    Units: barn_och_unga (C1, C4 — P4 in C4 has protected identity), ekonomiskt_bistand (C2),
    vuxna_missbruk (C3), familjeratt (C5).
    """
    from akta.exchange.importer import import_exchange

    return import_exchange(VALID_EXCHANGE)


@pytest.fixture
def make_user(db):
    from akta.access.models import Role, Unit, User

    def make(username, role=Role.HANDLAGGARE, units=(), may_view_protected=False):
        user = User.objects.create_user(username=username, password=PASSWORD, role=role, may_view_protected=may_view_protected)
        user.units.set(Unit.objects.filter(code__in=units))
        return user

    return make


@pytest.fixture
def bou_user(imported, make_user):
    """A caseworker in barn_och_unga without the right to see protected identities."""
    return make_user("anna", units=["barn_och_unga"])


@pytest.fixture
def eb_user(imported, make_user):
    """A caseworker in ekonomiskt_bistand."""
    return make_user("bertil", units=["ekonomiskt_bistand"])


@pytest.fixture
def chief(imported, make_user):
    """A unit manager of every unit, with the explicit right to see protected identities."""
    from akta.access.models import Role, Unit

    return make_user("cecilia", role=Role.ENHETSCHEF, units=list(Unit.objects.values_list("code", flat=True)), may_view_protected=True)


from akta.browser_testing import chromium_browser, page_as  # noqa: E402,F401  (browser test fixtures)


@pytest.fixture(autouse=True)
def _audit_files_per_test(settings, tmp_path_factory):
    """The audit log's key file and checkpoint file (akta/audit/integrity.py) live outside the
    database; each test gets its own, so checkpoints of one test's database never meet another's."""
    d = tmp_path_factory.mktemp("audit")
    settings.AUDIT_KEY_FILE = d / "audit.key"
    settings.AUDIT_CHECKPOINT_FILE = d / "audit-checkpoints.jsonl"
