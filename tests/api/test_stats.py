"""The figures agree with the model methods the statistics page uses."""

import datetime

import pytest

from startups.models import Startup
from tests.factories import StartupFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["2015-06-01", "2019-12-31", None])
def test_phase_counts_are_the_model_counts(client, portfolio, today, day):
    response = client.get("/api/v1/stats/phases" + (f"?date={day}" if day else ""))
    body = response.json()
    expected_day = datetime.date.fromisoformat(day) if day else today
    assert body["date"] == expected_day.isoformat()
    assert body["phases"] == Startup.objects.phase_counts_on(expected_day)
    assert body["total"] == sum(body["phases"].values())


def test_today_counts_groups_and_active(client, portfolio):
    body = client.get("/api/v1/stats/phases").json()
    assert body["phases"]["construction"] == 2
    assert body["phases"]["abandon"] == 1
    assert body["groups"] == {"incubation": 2, "service-vivant": 0, "arret": 1}
    assert body["active"] == 2


def test_evolution_is_the_model_series(client, portfolio, today):
    body = client.get("/api/v1/stats/evolution").json()
    series = Startup.objects.phase_counts_by_month(today)
    assert body["until"] == today.isoformat()
    assert [(month["date"], month["phases"]) for month in body["months"]] == [
        (day.isoformat(), counts) for day, counts in series
    ]
    until = client.get("/api/v1/stats/evolution?until=2016-03-15").json()
    assert until["months"][-1] == {
        "date": "2016-03-15",
        "phases": Startup.objects.phase_counts_on(datetime.date(2016, 3, 15)),
    }


def test_evolution_before_the_first_phase_is_empty_as_on_the_page(client, portfolio):
    body = client.get("/api/v1/stats/evolution?until=2013-05-31").json()
    assert body == {"until": "2013-05-31", "months": []}
    download = client.get("/statistiques/evolution.json?date=2013-05-31").json()
    assert download["rows"] == []


def test_evolution_is_computed_once_per_version_of_the_data(
    client, portfolio, today, settings, django_assert_num_queries
):
    settings.RESPONSE_CACHE_SECONDS = 0  # The figure's own cache, not the response cache.
    client.get("/api/v1/stats/evolution")
    with django_assert_num_queries(1):  # The version only.
        before = client.get("/api/v1/stats/evolution").json()
    StartupFactory(phases=[("construction", today)])
    after = client.get("/api/v1/stats/evolution").json()
    assert after["months"][-1]["phases"]["construction"] == (
        before["months"][-1]["phases"]["construction"] + 1
    )


@pytest.mark.parametrize(
    "query",
    ["date=hier", "date=2021-13-01", "date=3021-01-01", "date=2021-02-29", "jour=2021-01-01"],
)
def test_bad_dates_are_400(client, query):
    response = client.get(f"/api/v1/stats/phases?{query}")
    assert response.status_code == 400
    assert response.json()["errors"]
