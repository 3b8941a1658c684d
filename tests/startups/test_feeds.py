import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import IncubatorFactory, StartupFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = datetime.date.today()
DAYS = datetime.timedelta(days=1)


def entries(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]


@pytest.fixture
def portfolio():
    dinum, ademe = IncubatorFactory(slug="dinum"), IncubatorFactory(slug="ademe")
    StartupFactory(
        title="Aides Jeunes",
        incubator=dinum,
        phases=[("investigation", TODAY - 30 * DAYS), ("construction", TODAY - 2 * DAYS)],
    )
    StartupFactory(
        title="Écobalyse",
        incubator=ademe,
        incubators=[dinum],
        phases=[("construction", TODAY - 10 * DAYS), ("investigation", TODAY - 10 * DAYS)],
    )
    StartupFactory(title="Futur", incubator=ademe, phases=[("investigation", TODAY + 5 * DAYS)])


def test_new_startups_latest_launch_first_and_not_before_launch(client, portfolio):
    assert entries(client, "/flux/nouvelles-startups.atom") == ["Écobalyse", "Aides Jeunes"]
    assert entries(client, "/flux/incubateurs/ademe/nouvelles-startups.atom") == ["Écobalyse"]


def test_phase_changes_skip_a_phase_overridden_the_same_day(client, portfolio):
    assert entries(client, "/flux/changements-de-phase.atom") == [
        "Aides Jeunes : Construction",
        "Écobalyse : Construction",
        "Aides Jeunes : Investigation",
    ]


def test_phase_changes_per_incubator_include_co_incubation(client, portfolio):
    titles = entries(client, "/flux/incubateurs/dinum/changements-de-phase.atom")
    assert "Écobalyse : Construction" in titles
    assert entries(client, "/flux/incubateurs/ademe/changements-de-phase.atom") == [
        "Écobalyse : Construction"
    ]


def test_entries_into_one_phase(client, portfolio):
    assert entries(client, "/flux/phases/investigation.atom") == ["Aides Jeunes : Investigation"]


def test_unknown_incubator_or_phase_is_a_404(client):
    assert client.get("/flux/incubateurs/inconnu/nouvelles-startups.atom").status_code == 404
    assert client.get("/flux/phases/prototype.atom").status_code == 404


def test_feeds_run_a_fixed_number_of_queries(client, portfolio, django_assert_num_queries):
    with django_assert_num_queries(3):
        client.get("/flux/incubateurs/dinum/changements-de-phase.atom")
    StartupFactory.create_batch(4, phases=[("investigation", TODAY - 3 * DAYS)])
    with django_assert_num_queries(3):
        client.get("/flux/incubateurs/dinum/changements-de-phase.atom")


def test_every_page_announces_the_site_wide_feeds(client, portfolio):
    html = client.get(reverse("startups:startup_list")).text
    for name in ("feeds:new_startups", "feeds:phase_changes"):
        link = 'type="application/atom+xml" title="'
        assert link in html
        assert f'href="{reverse(name)}"' in html


FEEDS = [
    "/flux/nouvelles-startups.atom",
    "/flux/incubateurs/dinum/nouvelles-startups.atom",
    "/flux/changements-de-phase.atom",
    "/flux/incubateurs/dinum/changements-de-phase.atom",
    "/flux/phases/construction.atom",
]


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_is_valid_atom(client, portfolio, url):
    """What RFC 4287 requires and feed readers rely on: an author for the feed, and for each
    entry one absolute id (no two alike), one updated date, a title and a link."""
    feed = ET.fromstring(client.get(url).content)
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "beta.gouv.fr"
    assert feed.find(f"{ATOM}id").text == f"http://testserver{url}"
    ids = []
    for entry in feed.iter(f"{ATOM}entry"):
        (entry_id,) = entry.findall(f"{ATOM}id")
        assert entry_id.text.startswith("http://testserver/startups/")
        ids.append(entry_id.text)
        assert len(entry.findall(f"{ATOM}updated")) == 1
        assert entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/startups/")
    assert ids
    assert len(set(ids)) == len(ids)


def test_texts_pasted_from_anywhere_make_a_valid_feed(client):
    """A control character (Word's line break) is dropped; `<` and `&` in a plain text are
    escaped for the HTML summary, so a reader shows them as they are."""
    StartupFactory(
        title="R&D <Santé>",
        mission="Simplifier les PV\x0bcopié depuis Word, avec <b>gras</b>",
        phases=[("investigation", TODAY - DAYS)],
    )
    for url in ("/flux/nouvelles-startups.atom", "/flux/changements-de-phase.atom"):
        response = client.get(url)
        assert response.status_code == 200
        entry = ET.fromstring(response.content).find(f"{ATOM}entry")
        assert entry.find(f"{ATOM}title").text.startswith("R&D <Santé>")
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "html"
        assert "Simplifier les PVcopié depuis Word, avec &lt;b&gt;gras&lt;/b&gt;" in summary.text


def test_incubator_and_phase_pages_announce_and_link_their_own_feeds(client, portfolio):
    incubator = client.get("/incubateurs/dinum/").text
    phase = client.get("/phases/construction/").text
    for html, feed in [
        (incubator, "/flux/incubateurs/dinum/nouvelles-startups.atom"),
        (incubator, "/flux/incubateurs/dinum/changements-de-phase.atom"),
        (phase, "/flux/phases/construction.atom"),
    ]:
        assert '<link rel="alternate" type="application/atom+xml" title="' in html
        assert html.count(f'href="{feed}"') == 2  # in the head, and a link on the page
        assert client.get(feed).status_code == 200
