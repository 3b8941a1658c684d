import csv
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from startups.models import PhaseSlug, Startup
from stats import figures
from stats.tables import TABLES
from tests.factories import (
    IncubatorFactory,
    MemberFactory,
    MissionFactory,
    OrganisationFactory,
    StartupFactory,
)
from tests.stats.conftest import DAY

pytestmark = pytest.mark.django_db

D = datetime.date
URL = reverse("stats:statistics")


def download(client, name: str, extension: str, **params):
    return client.get(reverse(f"stats:table_{extension}", args=[name]), params)


def read_csv(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def test_the_page_shows_the_figures_of_the_date_asked(client, portfolio):
    response = client.get(URL, {"date": "2024-06-30"})
    assert response.status_code == 200
    assert response.context["day"] == DAY
    assert response.context["totals"] == {"startups": 4, "actives": 1, "members": 2}
    phases = {row["slug"]: row["count"] for row in response.context["phases"]}
    assert phases == Startup.objects.phase_counts_on(DAY)
    html = response.text
    assert "Statistiques au 30 juin 2024" in html
    assert 'id="methodologie"' in html
    assert "/statistiques/phases.csv?date=2024-06-30" in html
    assert "/statistiques/?date=2024-06-30" in html  # The permalink.


def test_a_dated_page_is_its_own_canonical_page_and_today_is_the_address_alone(client, portfolio):
    canonical = '<link rel="canonical" href="http://testserver/statistiques/?date=2024-06-30">'
    og_url = '<meta property="og:url" content="http://testserver/statistiques/?date=2024-06-30">'
    dated = client.get(URL, {"date": "2024-06-30", "utm_source": "x"}).text
    assert canonical in dated
    assert og_url in dated
    for params in ({}, {"date": ""}, {"date": "abc"}):
        text = client.get(URL, params).text
        assert '<link rel="canonical" href="http://testserver/statistiques/">' in text
        assert '<meta property="og:url" content="http://testserver/statistiques/">' in text


def test_without_a_date_the_page_shows_today(client, portfolio):
    for params in ({}, {"date": ""}):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert response.context["day"] == timezone.localdate()
        assert not response.context["form"].errors


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-45", "Date invalide"),
        ("abc", "Date invalide"),
        ("2024-02-30", "Date invalide"),
        ("2024-1-1", "Date invalide"),
        (" 2024-01-01", "Date invalide"),
        ("2012-12-31", "entre le 1er janvier 2013 et aujourd’hui"),
        ("2999-01-01", "entre le 1er janvier 2013 et aujourd’hui"),
    ],
)
def test_a_wrong_date_gives_today_with_a_french_message_and_400(client, portfolio, value, message):
    response = client.get(URL, {"date": value})
    assert response.status_code == 400
    assert response.context["day"] == timezone.localdate()
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Les chiffres affichés sont ceux d’aujourd’hui" in response.text


def test_tomorrow_is_refused_and_today_accepted(client):
    today = timezone.localdate()
    assert client.get(URL, {"date": today.isoformat()}).status_code == 200
    tomorrow = today + datetime.timedelta(days=1)
    assert client.get(URL, {"date": tomorrow.isoformat()}).status_code == 400
    assert client.get(URL, {"date": "2013-01-01"}).status_code == 200


def test_phases_csv_is_what_a_spreadsheet_expects(client, portfolio):
    response = download(client, "phases", "csv", date="2024-06-30")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="statistiques-phases-2024-06-30.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["phase", "label", "count"]
    assert [row[0] for row in rows[1:]] == PhaseSlug.values
    counts = Startup.objects.phase_counts_on(DAY)
    assert {row[0]: int(row[2]) for row in rows[1:]} == counts
    labels = dict(row[:2] for row in rows[1:])
    assert labels["acceleration"] == "Accélération"  # Accents intact.
    assert response.content.count(b"\r\n") == 9


def test_evolution_csv_has_one_row_per_month_and_one_column_per_phase(client, portfolio):
    rows = read_csv(download(client, "evolution", "csv", date="2024-06-30"))
    assert rows[0] == ["month", "date", *PhaseSlug.values]
    # From March 2019 (the first phase) to June 2024, the last counted on the day asked.
    assert len(rows) == 1 + 64
    assert rows[1][:2] == ["2019-03", "2019-03-31"]
    assert rows[-1][:2] == ["2024-06", "2024-06-30"]
    for month, day, *values in rows[1:]:
        expected = Startup.objects.phase_counts_on(D.fromisoformat(day))
        assert dict(zip(PhaseSlug.values, map(int, values), strict=True)) == expected, month


def test_values_with_commas_are_quoted(client, portfolio):
    response = download(client, "incubateurs", "csv", date="2024-06-30")
    assert b'"Incubateur A, le premier"' in response.content
    rows = read_csv(response)
    assert rows[0] == ["incubator", "title", *PhaseSlug.values, "total"]
    assert rows[1][:2] == ["incubateur-a", "Incubateur A, le premier"]
    assert rows[1][-1] == "2"


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_downloads_as_csv_and_json_with_the_same_rows(client, portfolio, name):
    csv_rows = read_csv(download(client, name, "csv", date="2024-06-30"))
    response = download(client, name, "json", date="2024-06-30")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["table"] == name
    assert data["date"] == "2024-06-30"
    assert data["columns"] == csv_rows[0] == list(TABLES[name].columns)
    assert len(data["rows"]) == len(csv_rows) - 1 > 0
    for from_json, from_csv in zip(data["rows"], csv_rows[1:], strict=True):
        assert list(from_json) == data["columns"]
        assert ["" if value is None else str(value) for value in from_json.values()] == from_csv


def test_summary_download_agrees_with_the_page(client, portfolio):
    page = client.get(URL, {"date": "2024-06-30"}).context
    rows = {
        row[0]: int(row[2])
        for row in read_csv(download(client, "synthese", "csv", date="2024-06-30"))[1:]
    }
    assert rows == {
        "startups": page["totals"]["startups"],
        "incubation": 0,
        "service-vivant": 2,
        "arret": 2,
        "actives": page["totals"]["actives"],
        "membres-actifs": page["totals"]["members"],
    }


@pytest.mark.parametrize("value", ["2024-13-45", "abc", "2024-1-1", "2012-12-31", "2999-01-01"])
def test_downloads_refuse_a_wrong_date_with_400(client, value):
    response = download(client, "phases", "csv", date=value)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("Paramètre date refusé : ")
    response = download(client, "evolution", "json", date=value)
    assert response.status_code == 400
    assert response.json()["error"].startswith("Paramètre date refusé : ")


def test_an_unknown_table_is_404(client):
    assert download(client, "inconnu", "csv").status_code == 404
    assert download(client, "inconnu", "json").status_code == 404


def test_downloads_default_to_today(client, portfolio):
    data = download(client, "phases", "json").json()
    assert data["date"] == timezone.localdate().isoformat()


def test_the_counts_on_a_day_are_downloaded_without_the_monthly_history(
    client, portfolio, django_assert_num_queries
):
    # Version, labels, counts on the day: the evolution's two scans of the history are not run.
    with django_assert_num_queries(3):
        rows = read_csv(download(client, "phases", "csv", date="2024-06-30"))
    assert {row[0]: int(row[2]) for row in rows[1:]} == Startup.objects.phase_counts_on(DAY)


def test_query_count_does_not_grow_with_the_data(client, portfolio, django_assert_num_queries):
    # Version (for the ETag and the figures' cache), labels, counts on the day (also the
    # evolution's last point), 2 for the evolution's month ends, 2 flows, durations,
    # cohorts, 2 for incubators (counts, names), domains, members per domain, 2 member flows.
    with django_assert_num_queries(15):
        client.get(URL, {"date": "2024-06-30"})
    for index in range(4):
        StartupFactory(
            phases=[("investigation", D(2018, 1, 1 + index)), ("abandon", D(2023, 1, 1))],
        )
        MissionFactory(member=MemberFactory(), start=D(2020, 1, 1), end=None)
    cache.clear()
    with django_assert_num_queries(15):
        client.get(URL, {"date": "2024-06-30"})
    with django_assert_num_queries(1):  # The version: cached until the next write, downloads too.
        client.get(URL, {"date": "2024-06-30"})
    with django_assert_num_queries(1):
        download(client, "phases", "csv", date="2024-06-30")


def test_charts_are_svg_images_with_their_patterns_and_no_inline_style(client, portfolio):
    html = client.get(URL, {"date": "2024-06-30"}).text
    assert html.count('<svg class="stats-chart"') == 7
    assert html.count('role="img"') == 7
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"
    for reference in set(re.findall(r"url\(#([^)]+)\)", html)):
        assert reference in ids, reference
    assert " style=" not in html
    assert "<script>" not in html


def test_a_title_that_looks_like_a_formula_downloads_as_text(client, portfolio):
    incubator = IncubatorFactory(title="=1+1 incubateur")
    StartupFactory(incubator=incubator, phases=[("investigation", "2024-01-01")])
    rows = read_csv(download(client, "incubateurs", "csv", date="2024-06-30"))
    assert [row[1] for row in rows if "incubateur" in row[1]] == ["'=1+1 incubateur"]


def _table(html: str, caption: str) -> str:
    """The HTML of the table with this caption (the page's own markup)."""
    return re.search(rf"<caption[^>]*>{caption}.*?</table>", html, re.S)[0]


def _counts(html: str) -> list[int]:
    return [int(count) for count in re.findall(r'<td class="stats-num">(\d+)</td>', html)]


def test_the_groups_add_up_to_the_total_and_actives_are_a_part_apart(client, portfolio):
    response = client.get(URL, {"date": "2024-06-30"})
    groups, total, part = _table(response.text, "Groupes de phases").split("<tbody>")[1:]
    # The first row group is the three groups, which make the total: 0 + 2 + 2 = 4.
    assert groups.count('<th scope="row">') == 3
    assert sum(_counts(groups)) == _counts(total)[0] == 4
    assert "Total des trois groupes" in total
    # Active startups (1, « Dossier », opéré) are their own row group, headed « Dont ».
    assert '<th scope="rowgroup" colspan="4">Dont (startups déjà comptées' in part
    assert "Startups actives" in part
    assert "Startups actives" not in groups + total
    assert _counts(part) == [1]
    labels = response.context["labels"]
    active = ["investigation", "construction", "acceleration", "consolidation", "opere"]
    assert ", ".join(labels[phase].lower() for phase in active) in part


def test_the_summary_download_says_actives_are_counted_in_the_groups(client, portfolio):
    for rows in (
        read_csv(download(client, "synthese", "csv", date="2024-06-30"))[1:],
        [list(row.values()) for row in download(client, "synthese", "json").json()["rows"]],
    ):
        labels = {row[0]: row[1] for row in rows}
        assert labels["actives"].startswith("Dont startups actives")
        assert "déjà comptées dans leur groupe" in labels["actives"]


def test_domains_are_in_the_order_of_their_french_labels_no_sponsor_last(client, portfolio):
    for domain in ("bercy", "armees", "environnement", "autres"):
        StartupFactory(
            sponsors=[OrganisationFactory(ministerial_domain=domain)],
            phases=[("investigation", D(2024, 1, 1))],
        )
    labels = [
        "Armées",
        "Autres",
        "Économie et finances",
        "Éducation nationale",
        "Justice",
        "Transition écologique",
        "Aucun sponsor",
    ]
    assert [row.label for row in figures.by_sponsor_domain(DAY)] == labels
    page = client.get(URL, {"date": "2024-06-30"}).context
    assert [label for label, _ in page["domain_rows"]] == labels
    rows = read_csv(download(client, "domaines", "csv", date="2024-06-30"))[1:]
    assert [row[1] for row in rows] == labels
    assert rows[-1][0] == "aucun-sponsor"


def test_incubators_are_in_the_order_of_their_french_names(client, portfolio):
    for title in ("École du numérique", "fabrique", "Zèbre"):
        StartupFactory(
            incubator=IncubatorFactory(title=title), phases=[("investigation", D(2024, 1, 1))]
        )
    rows = read_csv(download(client, "incubateurs", "csv", date="2024-06-30"))[1:]
    assert [row[1] for row in rows] == [
        "École du numérique",
        "fabrique",
        "Incubateur A, le premier",
        "Incubateur B",
        "Zèbre",
    ]


def test_durations_from_few_periods_are_marked_and_not_drawn(client, portfolio):
    # Ten more completed investigations: 12 in all; construction has 3, accélération 1.
    for index in range(10):
        StartupFactory(
            phases=[("investigation", D(2018, 1, 1 + index)), ("construction", D(2018, 9, 1))]
        )
    response = client.get(URL, {"date": "2024-06-30"})
    rows = dict(zip(PhaseSlug.values, response.context["duration_rows"], strict=True))
    assert (rows["investigation"]["completed"], rows["investigation"]["few"]) == (12, False)
    assert (rows["construction"]["completed"], rows["construction"]["few"]) == (3, True)
    assert (rows["opere"]["completed"], rows["opere"]["few"]) == (0, False)
    html = response.text
    table = _table(html, "Durée des phases terminées")
    marker = "(moins de 10 périodes terminées : à lire avec prudence)"
    assert table.count(marker) == 2  # Construction and accélération; none completed: no mark.
    assert re.search(r"<th scope=\"row\">Construction</th><td[^>]*>3<span aria-hidden", table)
    assert "Moins de 10 périodes terminées : à lire avec prudence" in html  # The footnote.
    # The chart draws one box, investigation's; the others say why not, the table keeps all.
    chart = re.search(r'<svg[^>]*aria-labelledby="graphique-durees-titre.*?</svg>', html, re.S)[0]
    assert chart.count('class="stats-chart__mark"') == 1
    assert chart.count("trop peu pour une boîte") == 2
    assert "1 phase terminée : trop peu" in chart
    assert "3 phases terminées : trop peu" in chart
    assert table.count('<th scope="row">') == len(PhaseSlug)


def test_the_title_says_the_date_asked_or_that_the_page_answers_an_error(client, portfolio):
    assert "<title>Statistiques — " in client.get(URL).text
    assert "<title>Statistiques au 1er juin 2024 — " in client.get(URL, {"date": "2024-06-01"}).text
    for value in ("abc", "2012-12-31"):
        response = client.get(URL, {"date": value})
        assert response.status_code == 400
        assert "<title>Erreur : Statistiques — " in response.text
