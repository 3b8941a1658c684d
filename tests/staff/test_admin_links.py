"""The way back from a public page to the admin: `{% admin_link obj %}`, for editors only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from tests.factories import IncubatorFactory, StartupFactory, UserFactory

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
