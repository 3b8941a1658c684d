"""`{% admin_link obj %}`: from a public page to the object's admin page, for its editors only.

Renders nothing for visitors (no query) and for staff who may not change that object (another
incubator's startup): the link is the way back from the site to the admin, where the admin's
"Voir sur le site" is the way there.
"""

from django import template
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_link(context: template.Context, obj: models.Model) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return ""
    model = type(obj)
    if not admin.site.is_registered(model):
        return ""
    if not admin.site.get_model_admin(model).has_change_permission(request, obj):
        return ""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return format_html(
        '<a class="fr-link fr-icon-edit-line fr-link--icon-left" href="{}">'
        "Modifier dans l’administration</a>",
        url,
    )
