import xml.etree.ElementTree as ET

import pytest

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
