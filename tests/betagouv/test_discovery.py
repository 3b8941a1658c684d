import datetime
import xml.etree.ElementTree as ET

import pytest

from betagouv.sitemaps import MemberSitemap, StartupSitemap
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
