"""The probe's crash on the follow-up pages (issue 10 item 9), as the probe sent it."""
import pytest

from akta.followup.engine import ParameterError
from akta.followup.services import normalize_params


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.mark.parametrize("query", ["as_of=9999-12-31", "as_of=0001-01-01", "as_of=9999-12-31&format=csv"])
def test_a_far_date_is_a_400_naming_the_parameter(login, chief, query):
    response = login(chief).get(f"/uppfoljning/indikator/utredningar_open/?{query}")
    assert response.status_code == 400
    assert "as_of" in response.content.decode()


@pytest.mark.parametrize("name, value", [("from", "9999-01-01"), ("to", "9999-12-31")])
def test_far_period_dates_are_refused_by_the_shared_parser(name, value):
    params = {"from_date": "2024-01-01", "to_date": "2024-12-31"}
    params[{"from": "from_date", "to": "to_date"}[name]] = value
    with pytest.raises(ParameterError, match=name):
        normalize_params("cases_closed", **params)
