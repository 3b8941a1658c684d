from django.contrib import admin

from staff.models import IncubatorGroup


@admin.register(IncubatorGroup)
class IncubatorGroupAdmin(admin.ModelAdmin):
    """Superusers link a group to an incubator (or use the incubators' action, or the command)."""

    list_display = ("group", "incubator")
    list_select_related = ("group", "incubator")
    autocomplete_fields = ("incubator",)
    search_fields = ("group__name", "incubator__title")
