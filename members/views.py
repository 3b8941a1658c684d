"""The member pages: the searchable list of everyone who worked in the network, and each
member's page with their missions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from betagouv.caching import wants_fragment
from members.filters import MemberFilter
from members.models import Member, MissionStartup, mark_active_on
from startups.models import Incubator
from startups.pages import alphabetical, list_title, paginate
from startups.views import problems_of


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def member_list(request: HttpRequest) -> HttpResponse:
    partial = wants_fragment(request)
    filters = MemberFilter(request.GET, queryset=Member.objects.order_by(*alphabetical("fullname")))
    page, page_message = paginate(request, filters.qs, count=filters.total())
    page.object_list = mark_active_on(list(page.object_list), timezone.localdate())
    return render(
        request,
        "members/member_list.html#results" if partial else "members/member_list.html",
        {
            "filters": filters,
            "query": filters.selected("q"),
            "statut": filters.selected("statut"),
            "domain": filters.selected("domain"),
            "incubator": filters.selected("incubator"),
            # The select has its own "all" option: not the form's empty choice.
            "domains": [choice for choice in filters.form.fields["domain"].choices if choice[0]],
            "incubators": Incubator.objects.order_by(*alphabetical("title")).values_list(
                "slug", "title"
            ),
            "problems": problems_of(filters),
            "page": page,
            "page_message": page_message,
            "page_title": list_title("Membres", filters.chosen(), page),
            "oob": partial,
        },
    )


@require_safe
def member_detail(request: HttpRequest, slug: str) -> HttpResponse:
    member = get_object_or_404(Member.objects.with_active_on(timezone.localdate()), slug=slug)
    missions = list(member.missions.order_by("-start", "position"))
    # The startups of every mission in one query, even for a member without missions (a
    # prefetch would then be skipped, and the page's query count would depend on the data).
    startups: dict[int, list] = {}
    links = MissionStartup.objects.filter(mission__member=member).select_related("startup")
    for link in links.order_by("mission", "position"):
        startups.setdefault(link.mission_id, []).append(link.startup)
    for mission in missions:
        mission.startup_list = startups.get(mission.pk, [])
    in_missions = [startup for startup_list in startups.values() for startup in startup_list]
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "missions": missions,
            "other_startups": member.startups_outside_missions(besides=in_missions),
            "teams": list(member.teams.select_related("incubator")),
        },
    )
