"""The open-data API, version 1 (`/api/v1/`), with django-ninja: the OpenAPI 3.1 schema and
the documentation page are generated from these functions and the models in `api.schemas`.

Views stay thin: parameters are validated by ninja (then `reject_unknown` refuses the
parameters it does not know), the startups are filtered by the public list's `StartupFilter`,
figures come from the model methods, and `api.rows` builds the items in fixed queries.
"""

from __future__ import annotations

import copy
import datetime
import re
from functools import cache
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_safe
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from api import rows
from api.responses import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ApiError,
    bad_request,
    json_response,
    list_response,
    validation_errors,
)
from api.schemas import (
    Error,
    Evolution,
    IncubatorDetail,
    IncubatorItem,
    IncubatorPage,
    MemberDetail,
    MemberItem,
    MemberPage,
    OrganisationDetail,
    OrganisationItem,
    OrganisationPage,
    PhaseItem,
    PhasePage,
    PhaseStats,
    StartupDetail,
    StartupItem,
    StartupPage,
)
from members.models import Member
from startups.filters import SORT_CHOICES, StartupFilter
from startups.models import (
    Incubator,
    MinisterialDomain,
    Organisation,
    OrganisationKind,
    Phase,
    PhaseGroup,
    PhaseSlug,
    Startup,
    content_slug_validator,
    count_active,
    count_groups,
)
from stats.figures import compute
from stats.forms import FIRST_DAY, out_of_range

DESCRIPTION = """\
Les données du portefeuille des Startups d’État, en lecture seule, sans authentification.

- Listes paginées : `page` et `page_size` (1 à 1000 ; 100 par défaut), `count`, `next` et
  `previous` (adresses absolues). Une page au-delà de la dernière répond 400.
- `fields=slug,title` ne renvoie que ces champs (`slug` toujours inclus).
- `format=csv` (ou le suffixe `.csv` : `/api/v1/startups.csv`) : CSV en UTF-8 avec BOM, une
  ligne d’en-tête, les colonnes de la liste JSON ; listes de textes jointes par `|`, listes
  d’objets en JSON, objets imbriqués en colonnes `links.website`…
- Toutes les dates sont au format ISO 8601 (`AAAA-MM-JJ`). Un champ sans valeur vaut `null`
  (une liste vide `[]`) : tous les champs sont toujours présents, sauf avec `fields`.
- Paramètre inconnu, valeur inconnue, date invalide, mauvais type : 400 et un corps JSON
  `{"detail", "errors": [{"parameter", "message"}]}`.
- Les statistiques (`stats/…`) couvrent les mêmes jours que la page Statistiques : du
  1er janvier 2013 à aujourd’hui (heure de Paris) ; une autre date répond 400.
- `ETag` et `Last-Modified` (réponse 304 à la revalidation), CORS ouvert en lecture,
  compression brotli ou gzip, limite de requêtes par adresse IP (429 et `Retry-After`).

Les règles (phase d’une startup à une date, membre actif…) sont celles du site, décrites
sur la page d’accueil du dépôt. Les anciens fichiers de beta.gouv.fr sont servis, à
l’identique, sous `/api/v2.7/` (`startups.json`, `authors.json`, `incubators.json`,
`organisations.json`, `startups.csv`).
"""

DATE_PATTERN = r"^(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
SLUG_PATTERN = r"^\w[\w.-]*$"
NAME_PATTERN = r"^[^\x00-\x1f\x7f]+$"


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        if not re.fullmatch(DATE_PATTERN, value):
            raise PydanticCustomError("date_format", "date attendue au format AAAA-MM-JJ")
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            # Well written, but no such day (2024-02-30): say so, not that the format is wrong.
            raise PydanticCustomError(
                "no_such_day",
                "date inexistante : {day} n’est pas un jour du calendrier",
                {"day": value},
            ) from None
    return value


def _statistics_day(day: datetime.date) -> datetime.date:
    """The statistics' days are the statistics page's (`stats.forms.out_of_range`)."""
    if problem := out_of_range(day):
        raise PydanticCustomError("statistics_range", problem)
    return day


IsoDate = Annotated[
    datetime.date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
# A day the statistics cover: from 2013-01-01 to today (Paris time), as on the page.
StatisticsDay = Annotated[IsoDate, AfterValidator(_statistics_day)]
SlugParam = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=200)]
NameParam = Annotated[str, Field(pattern=NAME_PATTERN, max_length=100)]


def fields_param(item: type[Schema]) -> Any:
    names = "|".join(re.escape(name) for name in item.model_fields)
    return Field(
        None,
        pattern=rf"^({names})(,({names}))*$",
        description="Champs à renvoyer, séparés par des virgules (`slug` est toujours inclus).",
    )


class ListParams(Schema):
    page: int = Field(1, ge=1, description="Numéro de la page, à partir de 1.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    format: Literal["json", "csv"] = Field("json", description="`csv` pour un fichier CSV.")


class StartupParams(ListParams):
    q: str | None = Field(
        None, max_length=200, description="Mots cherchés (casse et accents ignorés)."
    )
    phase: list[PhaseSlug] = Field(
        [], description="Phase actuelle (ou à la date `phase_on`) ; répétable."
    )
    groupe: list[PhaseGroup] = Field([], description="Groupe de phases ; répétable.")
    incubator: SlugParam | None = Field(None, description="Incubateur (co-incubation comprise).")
    sponsor: SlugParam | None = Field(None, description="Organisation sponsor.")
    domain: MinisterialDomain | None = Field(None, description="Domaine ministériel d’un sponsor.")
    thematique: NameParam | None = None
    usertype: NameParam | None = None
    sort: Literal[tuple(value for value, _ in SORT_CHOICES)] | None = Field(  # type: ignore[misc]
        None, description="Ordre : `phase` (par défaut), `title`, `-latest`, `-launch`, `launch`."
    )
    phase_on: IsoDate | None = Field(
        None,
        description="Les filtres `phase` et `groupe` portent sur la phase à cette date ; "
        "seul, ne garde que les startups ayant une phase à cette date.",
    )
    fields: str | None = fields_param(StartupItem)


class MemberParams(ListParams):
    q: str | None = Field(None, max_length=200, description="Nom, identifiant ou GitHub.")
    active: bool | None = Field(None, description="Avec (`true`) ou sans mission ce jour.")
    domain: NameParam | None = Field(None, description="Domaine (« Développement »…).")
    fields: str | None = fields_param(MemberItem)


class IncubatorParams(ListParams):
    q: str | None = Field(None, max_length=200)
    fields: str | None = fields_param(IncubatorItem)


class OrganisationParams(ListParams):
    q: str | None = Field(None, max_length=200)
    kind: OrganisationKind | None = None
    domain: MinisterialDomain | None = None
    fields: str | None = fields_param(OrganisationItem)


class PhaseParams(ListParams):
    fields: str | None = fields_param(PhaseItem)


STATISTICS_DAYS = f"du {FIRST_DAY.isoformat()} à aujourd’hui, heure de Paris"


class StatsParams(Schema):
    date: StatisticsDay | None = Field(
        None, description=f"La date ({STATISTICS_DAYS} ; aujourd’hui par défaut)."
    )


class EvolutionParams(Schema):
    until: StatisticsDay | None = Field(
        None, description=f"Dernier jour compté ({STATISTICS_DAYS} ; aujourd’hui par défaut)."
    )


def reject_unknown(request: HttpRequest, params: type[Schema]) -> None:
    unknown = [name for name in request.GET if name not in params.model_fields]
    if unknown:
        known = ", ".join(params.model_fields)
        detail = f"paramètres possibles : {known}" if known else "cette adresse n’en prend aucun"
        raise ApiError(
            400,
            f"Paramètre(s) inconnu(s) : {', '.join(unknown)}",
            [(name, f"paramètre inconnu ({detail})") for name in unknown],
        )


def is_csv(request: HttpRequest, params: ListParams) -> bool:
    return params.format == "csv" or request.path.endswith(".csv")


def slug_or_404(slug: str, kind: str) -> str:
    if len(slug) > 200 or not re.match(content_slug_validator.regex, slug):
        raise ApiError(404, f"{kind} « {slug} » introuvable.")
    return slug


class SiteSwagger(Swagger):
    """Swagger UI inside the site's own page (DSFR, strict CSP), from ninja's static files."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, "api/docs.html", {"swagger_settings": settings})


# Operations that also answer CSV (`format=csv`): their schema says so.
CSV_OPERATIONS: set[str] = set()


def filled(query: QueryDict) -> QueryDict:
    """`query` without its empty values: an empty value is no value, as in the site's filter
    form, which sends every field, filled or not (`?q=&sponsor=&incubator=dinum`)."""
    kept = QueryDict(mutable=True)
    for name, values in query.lists():
        if values := [value for value in values if value != ""]:
            kept.setlist(name, values)
    return kept


class EmptyIsUnset(Parser):
    """Parameters read from the query string's filled values (`filled`)."""

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        return super().parse_querydict(filled(data), list_fields, request)


class OpenDataApi(NinjaAPI):
    """The schema is computed once per process and completed where ninja cannot say it all.

    Every GET operation answers HEAD too, as the site's pages do (`require_safe`): link
    checkers and monitors ask for the headers only. The schema lists GET alone.
    """

    def get(self, path: str, **kwargs: Any) -> Any:  # type: ignore[override]
        return self.api_operation(["GET", "HEAD"], path, **kwargs)

    @cache  # noqa: B019 (one API object per process)
    def _schema(self, path_prefix: str) -> dict:
        schema = copy.deepcopy(dict(super().get_openapi_schema(path_prefix=path_prefix)))
        for path_item in schema["paths"].values():
            del path_item["head"]
            for operation in path_item.values():
                if operation["operationId"] in CSV_OPERATIONS:
                    operation["responses"][200]["content"]["text/csv"] = {
                        "schema": {"type": "string"}
                    }
        components = schema["components"]["schemas"]
        for item in (StartupItem, MemberItem, IncubatorItem, OrganisationItem, PhaseItem):
            # With `fields=`, an item holds only the fields asked for: only `slug` is certain.
            components[item.__name__]["required"] = ["slug"]
        return schema

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):  # type: ignore[override]
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return self._schema(path_prefix)


api = OpenDataApi(
    title="API des Startups d’État",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=SiteSwagger(settings={"defaultModelsExpandDepth": 0, "tryItOutEnabled": True}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=EmptyIsUnset(),
)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return error.response()


@api.exception_handler(ValidationError)
def parameter_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return validation_errors(error.errors).response()


LIST_ERRORS = {400: Error, 429: Error}
DETAIL_ERRORS = {404: Error, 429: Error}


def list_operation(path: str, item_page: type[Schema], name: str, summary: str, tag: str):
    """Register a list at `path` and `path.csv`; its schema documents JSON and CSV."""
    CSV_OPERATIONS.add(name)

    def register(view):
        responses = {200: item_page, **LIST_ERRORS}
        api.get(f"{path}.csv", response=responses, include_in_schema=False, url_name=f"{name}_csv")(
            view
        )
        return api.get(
            path,
            response=responses,
            operation_id=name,
            url_name=name,
            summary=summary,
            tags=[tag],
        )(view)

    return register


def detail_operation(path: str, detail: type[Schema], name: str, summary: str, tag: str):
    return api.get(
        path,
        response={200: detail, **DETAIL_ERRORS},
        operation_id=name,
        url_name=name,
        summary=summary,
        tags=[tag],
    )


@list_operation("/startups", StartupPage, "startups", "Startups, filtrées", "Startups")
def startups(request: HttpRequest, params: Query[StartupParams]) -> HttpResponse:
    """Les filtres sont ceux de la liste publique du site, avec les mêmes noms."""
    reject_unknown(request, StartupParams)
    filters = StartupFilter(filled(request.GET), queryset=rows.startup_queryset())
    if params.phase_on:
        filters.today = params.phase_on
    if not filters.is_valid():
        raise ApiError(
            400,
            f"Valeur(s) inconnue(s) : {', '.join(filters.errors)}",
            [(name, " ".join(messages)) for name, messages in filters.errors.items()],
        )
    queryset = filters.qs
    if params.phase_on and not (params.phase or params.groupe):
        queryset = queryset.in_phase_on(PhaseSlug.values, params.phase_on)
    return list_response(
        request,
        queryset=queryset,
        build=rows.startup_items,
        item=StartupItem,
        page=params.page,
        page_size=params.page_size,
        fields=params.fields,
        csv_format=is_csv(request, params),
        filename="startups",
    )


@detail_operation("/startups/{slug}", StartupDetail, "startup", "Une startup", "Startups")
def startup(request: HttpRequest, slug: str) -> HttpResponse:
    """Avec l’historique des phases, les événements, l’équipe actuelle et les anciens."""
    reject_unknown(request, Schema)
    found = rows.startup_queryset().filter(slug=slug_or_404(slug, "Startup"))
    items = rows.startup_items(request, found)
    if not items:
        raise ApiError(404, f"Startup « {slug} » introuvable.")
    instance = Startup.objects.only("pk", "description").get(slug=slug)
    today = timezone.localdate()
    return json_response(
        {
            **items[0],
            "description": instance.description,
            "team": rows.team_items(request, Member.objects.in_team_of(instance, today)),
            "alumni": rows.team_items(request, Member.objects.alumni_of(instance, today)),
        }
    )


@list_operation("/members", MemberPage, "members", "Membres", "Membres")
def members(request: HttpRequest, params: Query[MemberParams]) -> HttpResponse:
    reject_unknown(request, MemberParams)
    today = timezone.localdate()
    queryset = Member.objects.order_by("fullname", "slug")
    if params.q:
        queryset = queryset.search(params.q)
    if params.active is not None:
        queryset = queryset.with_active_on(today).filter(is_active=params.active)
    if params.domain is not None:
        if not Member.objects.filter(domain=params.domain).exists():
            raise bad_request("domain", f"aucun membre du domaine « {params.domain} »")
        queryset = queryset.filter(domain=params.domain)
    return list_response(
        request,
        queryset=queryset,
        build=rows.member_items,
        item=MemberItem,
        page=params.page,
        page_size=params.page_size,
        fields=params.fields,
        csv_format=is_csv(request, params),
        filename="membres",
    )


@detail_operation("/members/{slug}", MemberDetail, "member", "Un membre", "Membres")
def member(request: HttpRequest, slug: str) -> HttpResponse:
    """Avec ses missions (dates, statut, employeur, startups)."""
    reject_unknown(request, Schema)
    found = Member.objects.filter(slug=slug_or_404(slug, "Membre"))
    items = rows.member_items(request, found)
    if not items:
        raise ApiError(404, f"Membre « {slug} » introuvable.")
    bio = Member.objects.filter(slug=slug).values_list("bio", flat=True).get()
    return json_response({**items[0], "bio": bio})


@list_operation("/incubators", IncubatorPage, "incubators", "Incubateurs", "Incubateurs")
def incubators(request: HttpRequest, params: Query[IncubatorParams]) -> HttpResponse:
    reject_unknown(request, IncubatorParams)
    queryset = Incubator.objects.order_by("title", "slug")
    if params.q:
        queryset = queryset.search(params.q)
    return list_response(
        request,
        queryset=queryset,
        build=rows.incubator_items,
        item=IncubatorItem,
        page=params.page,
        page_size=params.page_size,
        fields=params.fields,
        csv_format=is_csv(request, params),
        filename="incubateurs",
    )


@detail_operation(
    "/incubators/{slug}", IncubatorDetail, "incubator", "Un incubateur", "Incubateurs"
)
def incubator(request: HttpRequest, slug: str) -> HttpResponse:
    reject_unknown(request, Schema)
    found = Incubator.objects.filter(slug=slug_or_404(slug, "Incubateur"))
    items = rows.incubator_items(request, found)
    if not items:
        raise ApiError(404, f"Incubateur « {slug} » introuvable.")
    instance = Incubator.objects.only("pk", "description").get(slug=slug)
    return json_response(
        {
            **items[0],
            "description": instance.description,
            "highlighted_startups": rows.highlighted_startups(instance),
        }
    )


@list_operation(
    "/organisations", OrganisationPage, "organisations", "Organisations", "Organisations"
)
def organisations(request: HttpRequest, params: Query[OrganisationParams]) -> HttpResponse:
    reject_unknown(request, OrganisationParams)
    queryset = Organisation.objects.order_by("name", "slug")
    if params.q:
        queryset = queryset.search(params.q)
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    if params.domain:
        queryset = queryset.filter(ministerial_domain=params.domain)
    return list_response(
        request,
        queryset=queryset,
        build=rows.organisation_items,
        item=OrganisationItem,
        page=params.page,
        page_size=params.page_size,
        fields=params.fields,
        csv_format=is_csv(request, params),
        filename="organisations",
    )


@detail_operation(
    "/organisations/{slug}", OrganisationDetail, "organisation", "Une organisation", "Organisations"
)
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    reject_unknown(request, Schema)
    found = Organisation.objects.filter(slug=slug_or_404(slug, "Organisation"))
    items = rows.organisation_items(request, found)
    if not items:
        raise ApiError(404, f"Organisation « {slug} » introuvable.")
    instance = Organisation.objects.only("pk", "description").get(slug=slug)
    owned = instance.incubators_owned.order_by("title", "slug").values_list("slug", flat=True)
    return json_response(
        {**items[0], "description": instance.description, "incubators": list(owned)}
    )


@list_operation("/phases", PhasePage, "phases", "Les huit phases", "Phases")
def phases(request: HttpRequest, params: Query[PhaseParams]) -> HttpResponse:
    reject_unknown(request, PhaseParams)
    return list_response(
        request,
        queryset=Phase.objects.order_by("order"),
        build=rows.phase_items,
        item=PhaseItem,
        page=params.page,
        page_size=params.page_size,
        fields=params.fields,
        csv_format=is_csv(request, params),
        filename="phases",
    )


@api.get(
    "/stats/phases",
    response={200: PhaseStats, 400: Error, 429: Error},
    operation_id="stats_phases",
    by_alias=True,
    url_name="stats_phases",
    summary="Startups par phase à une date",
    tags=["Statistiques"],
)
def stats_phases(request: HttpRequest, params: Query[StatsParams]) -> HttpResponse:
    """Les chiffres de la page Statistiques : `Startup.objects.phase_counts_on(date)`."""
    reject_unknown(request, StatsParams)
    day = params.date or timezone.localdate()
    # The statistics page's figure, cached until the next write.
    counts = compute(day, ["on_day"])["on_day"]
    return json_response(
        {
            "date": day,
            "phases": counts,
            "groups": {group.value: total for group, total in count_groups(counts).items()},
            "active": count_active(counts),
            "total": sum(counts.values()),
        }
    )


@api.get(
    "/stats/evolution",
    response={200: Evolution, 400: Error, 429: Error},
    operation_id="stats_evolution",
    by_alias=True,
    url_name="stats_evolution",
    summary="Startups par phase, mois par mois",
    tags=["Statistiques"],
)
def stats_evolution(request: HttpRequest, params: Query[EvolutionParams]) -> HttpResponse:
    """La série de la page Statistiques : `Startup.objects.phase_counts_by_month(until)`,
    les effectifs à la fin de chaque mois, le dernier mois compté le jour `until`."""
    reject_unknown(request, EvolutionParams)
    until = params.until or timezone.localdate()
    # The statistics page's figure, cached until the next write.
    # Counted: none while no startup has had a phase, as the page and its downloads.
    series = compute(until, ["evolution"])["evolution"].counted
    return json_response(
        {"until": until, "months": [{"date": day, "phases": counts} for day, counts in series]}
    )


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """`/api/v1/`: where the documentation, the schema and each list are (ninja's own root
    only answers 404)."""

    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(f"api-v1:{name}"))

    lists = ("startups", "members", "incubators", "organisations", "phases")
    return json_response(
        {
            "documentation": url("openapi-view"),
            "schema": url("openapi-json"),
            "resources": {name: url(name) for name in lists},
            "statistics": {"phases": url("stats_phases"), "evolution": url("stats_evolution")},
        }
    )
