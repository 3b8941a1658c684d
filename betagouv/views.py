from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Everything public may be indexed, except the admin and the endless search results."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Disallow: {reverse('startups:search')}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement a public site owes its readers (law 2005-102, art. 47)."""
    return render(request, "accessibility.html", {"contact_email": settings.CONTACT_EMAIL})
