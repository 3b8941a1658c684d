"""The member pages: the searchable list of everyone who worked in the network, and each
member's page with their missions."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from members.filters import MemberFilter
from members.models import Member, MissionStartup
from startups.models import Incubator
from startups.pages import alphabetical, paginate
from startups.views import problems_of, wants_partial


@require_GET
@vary_on_headers("HX-Request")
def member_list(request: HttpRequest) -> HttpResponse:
    partial = wants_partial(request)
    members = Member.objects.with_active_on(timezone.localdate()).order_by(
        *alphabetical("fullname")
    )
    filters = MemberFilter(request.GET, queryset=members)
    page, page_message = paginate(request, filters.qs)
    return render(
        request,
        "members/member_list.html#results" if partial else "members/member_list.html",
        {
            "filters": filters,
            "query": filters.selected("q"),
            "statut": filters.selected("statut"),
            "domain": filters.selected("domain"),
            "incubator": filters.selected("incubator"),
            "domains": filters.form.fields["domain"].choices,
            "incubators": Incubator.objects.values_list("slug", "title").order_by("title"),
            "problems": problems_of(filters),
            "page": page,
            "page_message": page_message,
            "oob": partial,
        },
    )


@require_GET
def member_detail(request: HttpRequest, slug: str) -> HttpResponse:
    member = get_object_or_404(Member.objects.with_active_on(timezone.localdate()), slug=slug)
    missions = member.missions.order_by("-start", "position").prefetch_related(
        Prefetch(
            "missionstartup_set",
            queryset=MissionStartup.objects.select_related("startup"),
            to_attr="startup_links",
        )
    )
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "missions": list(missions),
            "teams": list(member.teams.select_related("incubator")),
        },
    )
