from django.contrib.staticfiles.apps import StaticFilesConfig


class SiteStaticFilesConfig(StaticFilesConfig):
    """collectstatic without the builds that no page loads.

    django-dsfr ships the DSFR's every variant (per-component, legacy, analytics builds),
    django-htmx four htmx builds, django-ninja Redoc beside Swagger UI. Directories are
    matched by their name only, so a folder is ignored through its files' paths (`dir/*`).
    What the pages load stays: the DSFR bundle (`dsfr/dist/dsfr`), the utility classes and
    the icons and fonts they refer to (collectstatic fails on a missing reference).
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "dsfr/dist/analytics/*",
        "dsfr/dist/component/*",
        "dsfr/dist/core/*",
        "dsfr/dist/layout/*",
        "dsfr/dist/legacy/*",
        "dsfr/dist/scheme/*",
        "dsfr/dist/*.legacy.min.css",
        "dsfr/dist/dsfr.main.min.css",
        "dsfr/dist/utility/colors/*",
        "dsfr/dist/utility/icons/*",
        "dsfr/dist/utility/pictograms/*",
        "dsfr/dist/utility/utility.legacy.min.css",
        "dsfr/dist/utility/utility.main.min.css",
        "dsfr/dist/README.md",
        "django_htmx/htmax-*",
        "django_htmx/htmx-4*",
        "django_htmx/ext/*",
        "ninja/redoc.standalone.js*",
    ]
