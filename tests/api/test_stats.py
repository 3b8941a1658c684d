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


def test_stats_take_exactly_the_days_of_the_statistics_page(client, portfolio, today):
    """Before 2013 or after today (a transfer announced for the future is no fact yet), the
    API refuses the date as the page does, with the page's rule and message."""
    tomorrow = today + datetime.timedelta(days=1)
    for value in ["1900-01-01", "2012-12-31", tomorrow.isoformat(), "2030-01-01"]:
        page = client.get("/statistiques/", {"date": value})
        assert page.status_code == 400
        for path, parameter in [("phases", "date"), ("evolution", "until")]:
            response = client.get(f"/api/v1/stats/{path}?{parameter}={value}")
            assert response.status_code == 400, (path, value)
            message = f"date attendue entre le 1er janvier 2013 et aujourd’hui ({today:%d/%m/%Y})"
            assert response.json() == {
                "detail": f"Paramètre(s) invalide(s) : {parameter}",
                "errors": [{"parameter": parameter, "message": message}],
            }
            assert f"D{message[1:]}." in page.text  # The page writes it as a sentence.
    for value in ["2013-01-01", today.isoformat()]:
        assert client.get(f"/api/v1/stats/phases?date={value}").status_code == 200
        assert client.get(f"/api/v1/stats/evolution?until={value}").status_code == 200
    # Other endpoints keep their own range: any day of 1900–2099.
    assert client.get("/api/v1/startups?phase_on=2030-01-01").status_code == 200
    assert client.get("/api/v1/startups?phase_on=1900-01-01").status_code == 200


def test_a_well_written_day_that_does_not_exist_is_named_so(client):
    (error,) = client.get("/api/v1/stats/phases?date=2024-02-30").json()["errors"]
    assert error == {
        "parameter": "date",
        "message": "date inexistante : 2024-02-30 n’est pas un jour du calendrier",
    }
    (error,) = client.get("/api/v1/stats/phases?date=2024-2-3").json()["errors"]
    assert error["message"].startswith("date attendue au format AAAA-MM-JJ")
