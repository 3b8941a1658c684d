"""The way back from a public page to the admin: `{% admin_link obj %}`, for editors only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from tests.factories import IncubatorFactory, MemberFactory, StartupFactory, UserFactory

pytestmark = pytest.mark.django_db

TEMPLATE = Template("{% load admin_links %}{% admin_link startup %}")


def render(user, startup) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return TEMPLATE.render(Context({"request": request, "startup": startup}))


def test_editors_get_a_link_to_the_admin_page():
    startup = StartupFactory()
    html = render(UserFactory(incubators=[startup.incubator]), startup)
    assert f'href="/admin/startups/startup/{startup.pk}/change/"' in html
    assert "Modifier dans l’administration" in html


@pytest.mark.parametrize("who", ["anonymous", "other incubator", "no group"])
def test_others_get_nothing(who, django_assert_num_queries):
    startup = StartupFactory()
    user = {
        "anonymous": AnonymousUser(),
        "other incubator": UserFactory(incubators=[IncubatorFactory()]),
        "no group": UserFactory(),
    }[who]
    if who == "anonymous":
        with django_assert_num_queries(0):
            assert render(user, startup) == ""
    else:
        assert render(user, startup) == ""


FROM_SITE = "/admin/startups/startup/depuis-le-site/"


def test_from_any_public_page_to_its_admin_page(client):
    startup = StartupFactory()
    member = MemberFactory()
    client.force_login(UserFactory(is_superuser=True))
    for obj in (startup, startup.incubator, startup.incubator.owner, member):
        page = obj.get_absolute_url()
        response = client.get(FROM_SITE, {"page": f"https://startups.beta.gouv.fr{page}?q=1"})
        meta = obj._meta
        assert response.url == f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"


def test_the_admin_page_then_applies_the_editors_rights(client):
    startup = StartupFactory()
    client.force_login(UserFactory(incubators=[IncubatorFactory()]))
    response = client.get(FROM_SITE, {"page": startup.get_absolute_url()}, follow=True)
    assert response.status_code == 403
    client.logout()
    assert client.get(FROM_SITE, {"page": startup.get_absolute_url()}).url.startswith(
        "/admin/login/"
    )


@pytest.mark.parametrize(
    "page", ["", "/", "/startups/", "/startups/inconnue/", "javascript:alert(1)", "/%00", "//x"]
)
def test_pages_without_a_record_are_not_found(client, page):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(FROM_SITE, {"page": page}).status_code == 404


def test_public_pages_link_editors_to_the_admin(client):
    startup = StartupFactory(phases=[("investigation", "2020-01-01")])
    member = MemberFactory()
    pages = {
        startup.get_absolute_url(): f"/admin/startups/startup/{startup.pk}/change/",
        startup.incubator.get_absolute_url(): (
            f"/admin/startups/incubator/{startup.incubator.pk}/change/"
        ),
        member.get_absolute_url(): f"/admin/members/member/{member.pk}/change/",
    }
    for page, admin_url in pages.items():
        assert admin_url not in client.get(page).text
    client.force_login(UserFactory(is_superuser=True))
    for page, admin_url in pages.items():
        assert f'href="{admin_url}"' in client.get(page).text
