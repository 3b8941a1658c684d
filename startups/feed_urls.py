from django.urls import path

import startups.converters  # noqa: F401 (registers the content_slug converter)
from startups.feeds import NewStartupsFeed, PhaseChangesFeed

app_name = "feeds"

urlpatterns = [
    path("nouvelles-startups.atom", NewStartupsFeed(), name="new_startups"),
    path(
        "incubateurs/<content_slug:incubator>/nouvelles-startups.atom",
        NewStartupsFeed(),
        name="incubator_new_startups",
    ),
    path("changements-de-phase.atom", PhaseChangesFeed(), name="phase_changes"),
    path(
        "incubateurs/<content_slug:incubator>/changements-de-phase.atom",
        PhaseChangesFeed(),
        name="incubator_phase_changes",
    ),
    path("phases/<content_slug:phase>.atom", PhaseChangesFeed(), name="phase_entries"),
]
