from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps_views
from django.urls import include, path
from django.views.decorators.http import require_safe

from betagouv.sitemaps import SITEMAPS
from betagouv.views import accessibility, robots_txt

urlpatterns = [
    path("", include("startups.urls")),
    path("membres/", include("members.urls")),
    path("statistiques/", include("stats.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("flux/", include("startups.feed_urls")),
    path("accessibilite/", accessibility, name="accessibility"),
    path("robots.txt", robots_txt, name="robots_txt"),
    # Django's sitemap views answer any method: like every public page, they take GET and HEAD.
    path("sitemap.xml", require_safe(sitemaps_views.index), {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        require_safe(sitemaps_views.sitemap),
        {"sitemaps": SITEMAPS, "template_name": "sitemap_section.xml"},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]
