import datetime
import xml.etree.ElementTree as ET

import pytest

from betagouv.sitemaps import MemberSitemap, StartupSitemap
from startups.templatetags.portfolio import sitemap_urls
from tests.factories import IncubatorFactory, MemberFactory, StartupFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client, url: str) -> dict[str, str | None]:
    response = client.get(url)
    assert response.status_code == 200
    tree = ET.fromstring(response.content)
    return {
        node.find(f"{SITEMAP}loc").text: getattr(node.find(f"{SITEMAP}lastmod"), "text", None)
        for node in tree
    }


def test_sitemap_lists_every_public_page_with_lastmod(client):
    startup = StartupFactory(slug="aides-jeunes")
    hidden = StartupFactory(slug="cachee", extra_front_matter="robots: noindex\n")
    MemberFactory(slug="marie.curie")
    IncubatorFactory(slug="dinum")
    index = locations(client, "/sitemap.xml")
    pages = {}
    for section in index:
        pages |= locations(client, section.removeprefix("http://testserver"))
    expected = [
        "/",
        "/startups/",
        "/membres/",
        "/incubateurs/",
        "/statistiques/",
        "/api/v1/docs",
        "/accessibilite/",
        "/startups/aides-jeunes/",
        "/membres/marie.curie/",
        "/incubateurs/dinum/",
        "/phases/construction/",
        f"/organisations/{startup.incubator.owner.slug}/",
    ]
    for path in expected:
        assert pages[f"http://testserver{path}"], path
    assert f"http://testserver{hidden.get_absolute_url()}" not in pages


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Disallow: /admin/" in response.text
    assert "Sitemap: http://testserver/sitemap.xml" in response.text


def test_sitemap_index_dates_sections_without_visiting_each_item(client, monkeypatch):
    """The index's lastmod of a section is one aggregate, not one `lastmod()` per item
    (350,000 members at 100× the real portfolio)."""
    StartupFactory()
    latest = MemberFactory()

    def visited(self, item):
        raise AssertionError("lastmod() called for an item while building the index")

    for sitemap in (StartupSitemap, MemberSitemap):
        monkeypatch.setattr(sitemap, "lastmod", visited)
    index = client.get("/sitemap.xml").text
    latest.refresh_from_db()
    members_lastmod = index.split("sitemap-membres.xml</loc><lastmod>")[1].split("<")[0]
    assert datetime.datetime.fromisoformat(members_lastmod) == latest.updated_at


def test_sitemap_index_is_computed_once_per_version_of_the_data(
    client, settings, django_assert_num_queries
):
    settings.RESPONSE_CACHE_SECONDS = 0  # The sections' cached facts, not the response cache.
    StartupFactory()
    MemberFactory()
    client.get("/sitemap.xml")
    with django_assert_num_queries(1):  # The portfolio version only.
        client.get("/sitemap.xml")
    latest = MemberFactory()  # A write: the next index counts and dates again.
    index = client.get("/sitemap.xml").text
    latest.refresh_from_db()
    members_lastmod = index.split("sitemap-membres.xml</loc><lastmod>")[1].split("<")[0]
    assert datetime.datetime.fromisoformat(members_lastmod) == latest.updated_at


def test_a_large_section_is_split_into_pages_the_index_lists(client, monkeypatch):
    monkeypatch.setattr(StartupSitemap, "limit", 1)
    StartupFactory(slug="aaa")
    StartupFactory(slug="bbb")
    index = locations(client, "/sitemap.xml")
    assert "http://testserver/sitemap-startups.xml?p=2" in index
    second = locations(client, "/sitemap-startups.xml?p=2")
    assert list(second) == ["http://testserver/startups/bbb/"]


def test_pages_of_a_large_section_start_from_their_first_slug(
    client, settings, monkeypatch, django_assert_num_queries
):
    """Each page reads from its first slug on (no OFFSET): the first slugs are read once per
    version of the data, by the first request for a page."""
    settings.RESPONSE_CACHE_SECONDS = 0
    monkeypatch.setattr(MemberSitemap, "limit", 2)
    for slug in ("eve", "ada", "dan", "bob", "cy"):
        MemberFactory(slug=slug)
    client.get("/sitemap.xml")  # The index counts the members: three pages.
    with django_assert_num_queries(3):  # The version, the pages' first slugs, the page.
        third = locations(client, "/sitemap-membres.xml?p=3")
    assert list(third) == ["http://testserver/membres/eve/"]
    with django_assert_num_queries(2):
        second = locations(client, "/sitemap-membres.xml?p=2")
    assert list(second) == ["http://testserver/membres/cy/", "http://testserver/membres/dan/"]
    assert client.get("/sitemap-membres.xml?p=4").status_code == 404
    assert client.get("/sitemap-membres.xml?p=x").status_code == 404


def test_sitemap_entries_are_dated_in_the_sites_time_zone_and_escaped():
    late_evening = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)  # Paris: Dec 1
    xml = sitemap_urls(
        [
            {
                "location": "http://testserver/membres/a&b/",
                "lastmod": late_evening,
                "changefreq": "daily",
                "priority": "0.3",
            },
            {"location": "http://testserver/", "lastmod": None, "changefreq": None, "priority": ""},
        ]
    )
    assert xml == (
        "<url><loc>http://testserver/membres/a&amp;b/</loc><lastmod>2026-12-01</lastmod>"
        "<changefreq>daily</changefreq><priority>0.3</priority></url>"
        "<url><loc>http://testserver/</loc></url>"
    )
