"""From a public page to its admin page: the way back, for editors, without touching the site.

`/admin/startups/startup/depuis-le-site/?page=/startups/zam/` opens the admin page of what the
public page shows (a startup, an incubator, an organisation, a phase, a member); the admin
page itself then applies the editor's rights (403 for another incubator's startup). A
bookmark (README, "Administration") makes it one click from any public page.
"""

from urllib.parse import urlsplit

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import Resolver404, resolve

from members.models import Member
from startups.models import Incubator, Organisation, Phase, Startup

PUBLIC_PAGES = {
    "startups:startup_detail": Startup,
    "startups:incubator_detail": Incubator,
    "startups:organisation_detail": Organisation,
    "startups:phase_detail": Phase,
    "members:member_detail": Member,
}


def admin_page_of_public_page(request: HttpRequest) -> HttpResponse:
    path = urlsplit(request.GET.get("page", "")).path
    try:
        match = resolve(path)
    except Resolver404:
        raise Http404("Aucune page publique à cette adresse.") from None
    model = PUBLIC_PAGES.get(match.view_name)
    if model is None:
        raise Http404("Cette page publique ne montre pas une fiche modifiable.")
    obj = get_object_or_404(model, slug=match.kwargs["slug"])
    meta = model._meta
    return redirect(f"admin:{meta.app_label}_{meta.model_name}_change", obj.pk)
