"""Schemathesis against the OpenAPI schema at /api/schema/, every operation, in process (WSGI).

Each operation is one test over the imported valid exchange, authenticated as a caseworker of
barn_och_unga (HTTP Basic). Besides what schemathesis generates from the schema, a share of the
cases is steered onto real data: known case and person ids (visible ones and others' ones),
references to real events with the case's current version, and a real unit and person for new
cases. So the deep paths (state, masking, writes, conflicts) are exercised too, not only the 404s
and 400s of random ids.

No request may produce a 5xx, and responses must match the schema (status codes, content types,
bodies). `positive_data_acceptance` is left out: a request can match the schema and still be
refused on the domain rules (an unknown reference, a date before the case opened) with a 400.
"""
import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from akta.cases.models import Case
from akta.wsgi import application

USERNAME, PASSWORD = "schemat", "schemathesis-lösen-1"

CASE_IDS = ["C4", "C1", "C2"]  # C1, C4 are the caseworker's; C2 is another unit's
PERSON_IDS = ["P4", "P1", "P2"]
EVENT_IDS = ["E1", "E4", "E7", "E40", "E41", "E42", "E43", "E46", "E47", "E21"]
# Events that fit case C4's history (and so are recorded, or refused as conflicts).
EVENT_TEMPLATES = [
    {"type": "verkstalld", "beslut_id": "E46", "date": "2024-10-15"},
    {"type": "avbrott", "beslut_id": "E43", "date": "2024-12-01", "reason": "flytt"},
    {"type": "utredning_forlangd", "utredning_id": "E42", "date": "2024-10-15", "until": "2025-01-31", "reason": "väntar"},
    {"type": "utredning_avslutad", "utredning_id": "E42", "date": "2024-10-15", "outcome": "insats"},
    {"type": "insats_avslutad", "beslut_id": "E43", "date": "2025-06-01", "reason": "klart"},
    {"type": "arende_avslutat", "date": "2025-06-01"},
    {"type": "aktualisering", "date": "2025-06-01", "kind": "anmalan"},
]
UNITS = ["barn_och_unga", "ekonomiskt_bistand"]
PERSONNUMMER = ["20180101-0016", "201801010016", "20120704-2381", "20150310-2384"]

# Credentials for the schema's `basicAuth` scheme, so schemathesis knows the request is
# authenticated (and probes that dropping or spoiling the credentials is refused).
CONFIG = schemathesis.Config.from_dict({"auth": {"openapi": {"basicAuth": {"username": USERNAME, "password": PASSWORD}}}})
# Examples per operation; raise it for a longer hunt: AKTA_SCHEMATHESIS_EXAMPLES=500 pytest …
EXAMPLES = int(os.environ.get("AKTA_SCHEMATHESIS_EXAMPLES", "25"))



def _load_schema():
    """The schema Akta serves at /api/schema/, generated in process: the endpoint needs a login,
    and the database (for the user) is not open while tests are collected."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw, config=CONFIG)
    loaded.app = application
    return loaded


schema = _load_schema()


@pytest.fixture
def caseworker(imported):
    """A caseworker of barn_och_unga (the conftest's fast hasher keeps Basic auth cheap per request)."""
    from akta.access.models import Role, Unit, User

    user = User.objects.create_user(username=USERNAME, password=PASSWORD, role=Role.HANDLAGGARE)
    user.units.set(Unit.objects.filter(code="barn_och_unga"))
    return user


@pytest.fixture
def keep_test_connection():
    """Requests go straight to the WSGI app, not through Django's test client, so stop the
    request signals from closing the connection that holds the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def steer(case, data):
    """Replace some generated values by real ones, so the deep paths are reached too."""
    # Hypothesis leans towards the first element of sampled_from: the real values come first,
    # None (keep the generated value) last.
    if "id" in (case.path_parameters or {}):
        pool = PERSON_IDS if case.path.startswith("/api/persons/") else CASE_IDS
        real = data.draw(st.sampled_from([*pool, None]), label="id")
        if real is not None:
            case.path_parameters["id"] = real
    if case.method.upper() != "POST" or not isinstance(case.body, dict) or not data.draw(st.sampled_from([True, True, False]), label="real body"):
        return
    body = dict(case.body)
    if case.path.endswith("/events/"):
        template = data.draw(st.sampled_from([*EVENT_TEMPLATES, None]), label="template")
        if template is not None:
            body = {**body, **template}
        for ref in ("aktualisering_id", "utredning_id", "beslut_id"):
            if ref in body and (template is None or ref not in template):
                body[ref] = data.draw(st.sampled_from(EVENT_IDS), label=ref)
        case_id = case.path_parameters.get("id")
        current = Case.objects.filter(ext_id=case_id).values_list("version", flat=True).first()
        if current is not None:
            body["version"] = current - data.draw(st.sampled_from([0, 1]), label="stale")
        if template is None and data.draw(st.booleans(), label="real date"):
            body["date"] = data.draw(st.sampled_from(["2024-10-15", "2025-06-01", "2024-01-01"]), label="date")
    else:
        body["unit"] = data.draw(st.sampled_from(UNITS), label="unit")
        body.pop("person_id", None)
        body.pop("personnummer", None)
        who = data.draw(st.sampled_from(["person_id", "personnummer", "birth_date"]), label="person by")
        if who == "person_id":
            body["person_id"] = data.draw(st.sampled_from(PERSON_IDS), label="person")
        elif who == "personnummer":
            body["personnummer"] = data.draw(st.sampled_from(PERSONNUMMER), label="personnummer")
        else:
            body["birth_date"] = "2001-02-03"
    case.body = body


@schema.given(data=st.data())
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("AKTA_SCHEMATHESIS_RANDOM") != "1",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api(case, data, caseworker, keep_test_connection):
    steer(case, data)
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    event(f"status {response.status_code}")  # see --hypothesis-show-statistics
    assert response.status_code < 500, response.text
