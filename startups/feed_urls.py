from django.urls import path
from django.views.decorators.http import require_safe

import startups.converters  # noqa: F401 (registers the content_slug converter)
from startups.feeds import NewStartupsFeed, PhaseChangesFeed

# Django's feed views answer any method: like every public page, they take GET and HEAD.
new_startups = require_safe(NewStartupsFeed())
phase_changes = require_safe(PhaseChangesFeed())

app_name = "feeds"

urlpatterns = [
    path("nouvelles-startups.atom", new_startups, name="new_startups"),
    path(
        "incubateurs/<content_slug:incubator>/nouvelles-startups.atom",
        new_startups,
        name="incubator_new_startups",
    ),
    path("changements-de-phase.atom", phase_changes, name="phase_changes"),
    path(
        "incubateurs/<content_slug:incubator>/changements-de-phase.atom",
        phase_changes,
        name="incubator_phase_changes",
    ),
    path("phases/<content_slug:phase>.atom", phase_changes, name="phase_entries"),
]
