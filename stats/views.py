import csv
import datetime

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from betagouv.downloads import spreadsheet_safe
from startups.models import PhaseGroup, PhaseSlug
from startups.templatetags.portfolio import long_date
from stats.figures import FEW_PERIODS, PHASES, compute, summary
from stats.forms import FIRST_DAY, StatisticsDateForm
from stats.tables import TABLES, Table


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    """The statistics page for `?date=` (today by default).

    A wrong date gives today's figures with the form's error, and a 400 status.
    """
    form = StatisticsDateForm(request.GET if "date" in request.GET else None)
    valid = not form.is_bound or form.is_valid()
    day = form.day()
    figures = compute(day)
    # A dated page is its own: the figures on that day never move. Without a date, today's.
    canonical = reverse("stats:statistics")
    if form.asked_day():
        canonical += f"?date={day.isoformat()}"
    return render(
        request,
        "stats/statistics.html",
        {
            "form": form,
            "day": day,
            "canonical": canonical,
            "page_title": statistics_title(valid, form.asked_day()),
            **page_context(figures, day),
        },
        status=200 if valid else 400,
    )


def statistics_title(valid: bool, asked: datetime.date | None) -> str:
    """The page's title: its date when one was asked, first that it answers an error when
    the date was wrong (RGAA 8.6)."""
    if not valid:
        return "Erreur : Statistiques"
    return f"Statistiques au {long_date(asked)}" if asked else "Statistiques"


def page_context(figures: dict, day: datetime.date) -> dict:
    """What the template shows, arranged in rows; every number comes from `figures`."""
    labels = figures["labels"]
    on_day = figures["on_day"]
    totals = summary(figures)
    date_query = f"?date={day.isoformat()}"
    downloads = [
        {
            "table": table,
            "csv": reverse("stats:table_csv", args=[table.name]) + date_query,
            "json": reverse("stats:table_json", args=[table.name]) + date_query,
        }
        for table in TABLES.values()
    ]
    return {
        "first_day": FIRST_DAY,
        "today": timezone.localdate(),
        "permalink": reverse("stats:statistics") + date_query,
        "labels": labels,
        "figures": figures,
        "totals": {
            "startups": totals["startups"],
            "actives": totals["actives"],
            "members": totals["membres-actifs"],
        },
        "phases": [
            {
                "slug": phase.value,
                "label": labels[phase],
                "group": phase.group.label,
                "count": on_day[phase],
                "active": phase.counts_as_active,
            }
            for phase in PhaseSlug
        ],
        "groups": [
            {
                "slug": group.value,
                "label": group.label,
                "phases": [labels[phase].lower() for phase in PhaseSlug.in_group(group)],
                "count": totals[group.value],
            }
            for group in PhaseGroup
        ],
        "active_phases": [labels[phase].lower() for phase in PhaseSlug if phase.counts_as_active],
        "evolution_rows": [
            (f"{point:%d/%m/%Y}", [*(counts[p] for p in PHASES), sum(counts.values())])
            for point, counts in figures["evolution"].counted
        ],
        "incubator_rows": _breakdown_rows(figures["incubators"]),
        "domain_rows": _breakdown_rows(figures["domains"]),
        "flow_rows": [
            {
                "year": year.year,
                "launched": year.launched,
                "entered": [year.entered[p] for p in PHASES],
                "transferred": year.transferred,
                "abandoned": year.abandoned,
            }
            for year in figures["flows"]
        ],
        "duration_rows": [
            {
                "label": labels[row.phase],
                "completed": row.completed,
                "few": row.few,
                "values": [row.q1, row.median, row.q3],
            }
            for row in figures["durations"]
        ],
        "few_periods": FEW_PERIODS,
        "some_durations_few": any(row.few for row in figures["durations"]),
        "cohort_rows": [
            {
                "year": cohort.year,
                "launched": cohort.launched,
                "counts": [cohort.groups[group] for group in PhaseGroup.values],
            }
            for cohort in figures["cohorts"]
        ],
        "downloads": {item["table"].name.replace("-", "_"): item for item in downloads},
        "download_list": downloads,
    }


def _breakdown_rows(breakdowns: list) -> list[tuple[str, list[int]]]:
    return [(row.label, [*row.ordered_counts, row.total]) for row in breakdowns]


def _table_or_404(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise Http404("Tableau inconnu") from None


def _download_day(request: HttpRequest) -> tuple[datetime.date, str]:
    """The date a download asks for and, when it is wrong, the French message to answer."""
    form = StatisticsDateForm(request.GET if "date" in request.GET else None)
    if form.is_bound and not form.is_valid():
        return form.day(), "Paramètre date refusé : " + " ".join(form.errors["date"])
    return form.day(), ""


@require_safe
def table_csv(request: HttpRequest, name: str) -> HttpResponse:
    """One table as CSV: UTF-8 with a byte order mark, comma-separated, header row."""
    table = _table_or_404(name)
    day, error = _download_day(request)
    if error:
        return HttpResponse(error + "\n", status=400, content_type="text/plain; charset=utf-8")
    rows = table.rows(compute(day, list(table.figures)), day)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="statistiques-{table.name}-{day.isoformat()}.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(
        ["" if value is None else spreadsheet_safe(value) for value in row] for row in rows
    )
    return response


@require_safe
def table_json(request: HttpRequest, name: str) -> HttpResponse:
    """One table as JSON: the same rows as the CSV, as objects keyed by the column names."""
    table = _table_or_404(name)
    day, error = _download_day(request)
    if error:
        return JsonResponse({"error": error}, status=400, json_dumps_params={"ensure_ascii": False})
    rows = table.rows(compute(day, list(table.figures)), day)
    return JsonResponse(
        {
            "table": table.name,
            "title": table.title,
            "date": day.isoformat(),
            "columns": list(table.columns),
            "rows": [dict(zip(table.columns, row, strict=True)) for row in rows],
        },
        json_dumps_params={"ensure_ascii": False},
    )
