from django.urls import path, re_path

from api import compat
from api.v1 import api, index

urlpatterns = [
    # Before ninja's own root, which stays for its reverse() and only answers 404.
    path("v1/", index, name="api_index"),
    path("v1/", api.urls),
    path("v2.7/startups.json", compat.startups_json, name="compat_startups_json"),
    path("v2.7/startups.csv", compat.startups_csv, name="compat_startups_csv"),
    path("v2.7/authors.json", compat.authors_json, name="compat_authors_json"),
    path("v2.7/incubators.json", compat.incubators_json, name="compat_incubators_json"),
    path("v2.7/organisations.json", compat.organisations_json, name="compat_organisations_json"),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^.*$", compat.not_found),
]
