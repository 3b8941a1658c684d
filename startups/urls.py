from django.urls import path

import startups.converters  # noqa: F401 (registers the content_slug converter)
from startups import views

app_name = "startups"

urlpatterns = [
    path("", views.home, name="home"),
    path("startups/", views.startup_list, name="startup_list"),
    path("startups/<content_slug:slug>/", views.startup_detail, name="startup_detail"),
    path("incubateurs/", views.incubator_list, name="incubator_list"),
    path("incubateurs/<content_slug:slug>/", views.incubator_detail, name="incubator_detail"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path(
        "organisations/<content_slug:slug>/",
        views.organisation_detail,
        name="organisation_detail",
    ),
    path("phases/<content_slug:slug>/", views.phase_detail, name="phase_detail"),
    path("recherche/", views.search, name="search"),
]
