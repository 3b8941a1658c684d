import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from dsfr.forms import DsfrBaseForm

FIRST_DAY = datetime.date(2013, 1, 1)
# As the API and the date input write it: strptime alone also takes 2024-1-1 or " 2024-01-01",
# which the date input shows empty and the permalinks would repeat.
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
INVALID_DATE = (
    "Date invalide : saisissez une date réelle au format AAAA-MM-JJ, par exemple 2024-01-31."
)


def out_of_range(day: datetime.date) -> str:
    """Why the statistics do not cover `day`, in French ("" when they do): the page, its
    downloads and the API's statistics all take the days from FIRST_DAY to today (Paris
    time), a day announced for the future being no fact yet."""
    today = timezone.localdate()
    if FIRST_DAY <= day <= today:
        return ""
    return f"date attendue entre le 1er janvier 2013 et aujourd’hui ({today:%d/%m/%Y})"


class StatisticsDateForm(DsfrBaseForm):
    """The observation day of the statistics (`?date=AAAA-MM-JJ`, today when absent)."""

    date = forms.DateField(
        label="Date d’observation",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": INVALID_DATE},
    )

    def clean_date(self) -> datetime.date | None:
        day = self.cleaned_data["date"]
        if day is not None and not ISO_DAY.fullmatch(self.data["date"]):
            raise forms.ValidationError(INVALID_DATE, code="invalid")
        if day is not None and (problem := out_of_range(day)):
            raise forms.ValidationError(capfirst(problem) + ".", code="out_of_range")
        return day

    def asked_day(self) -> datetime.date | None:
        """The valid date asked; None without one, or with a wrong one."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["date"]
        return None

    def day(self) -> datetime.date:
        """The valid date asked, or today (no date, or a wrong one)."""
        return self.asked_day() or timezone.localdate()
