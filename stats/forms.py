import datetime

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

FIRST_DAY = datetime.date(2013, 1, 1)


class StatisticsDateForm(DsfrBaseForm):
    """The observation day of the statistics (`?date=AAAA-MM-JJ`, today when absent)."""

    date = forms.DateField(
        label="Date d’observation",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Date invalide : saisissez une date réelle au format AAAA-MM-JJ, "
            "par exemple 2024-01-31."
        },
    )

    def clean_date(self) -> datetime.date | None:
        day = self.cleaned_data["date"]
        today = timezone.localdate()
        if day is not None and not FIRST_DAY <= day <= today:
            raise forms.ValidationError(
                "Choisissez une date entre le 1er janvier 2013 et aujourd’hui (%(today)s).",
                params={"today": today.strftime("%d/%m/%Y")},
                code="out_of_range",
            )
        return day

    def day(self) -> datetime.date:
        """The valid date asked, or today (no date, or a wrong one)."""
        if self.is_bound and self.is_valid() and self.cleaned_data["date"]:
            return self.cleaned_data["date"]
        return timezone.localdate()
