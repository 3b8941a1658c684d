"""Factories for every model. Phases are passed as `phases=[("construction", date), ...]`."""

import datetime

import factory

from members.models import Member, Mission, MissionStartup, Team, TeamMembership
from startups.models import (
    Event,
    Incubator,
    MinisterialDomain,
    Organisation,
    OrganisationKind,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupSponsor,
    StartupThematique,
    StartupUsertype,
    Thematique,
    Usertype,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Direction numéro {n}")
    acronym = factory.Sequence(lambda n: f"DN{n}")
    kind = OrganisationKind.CENTRAL
    ministerial_domain = MinisterialDomain.SOLIDARITE_SANTE


class IncubatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incubator
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"incubateur-{n}")
    title = factory.Sequence(lambda n: f"Incubateur numéro {n}")
    owner = factory.SubFactory(OrganisationFactory)
    short_description = "Un incubateur du réseau."
    contact = "contact@incubateur.gouv.fr"


class StartupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Startup
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"startup-{n}")
    title = factory.Sequence(lambda n: f"Service numéro {n}")
    mission = "Simplifier une démarche administrative."
    description = "## Le problème\n\nUne démarche trop compliquée."
    incubator = factory.SubFactory(IncubatorFactory)
    contact = "equipe@beta.gouv.fr"

    @factory.post_generation
    def incubators(self, create, extracted, **kwargs):
        """The main incubator, then any co-incubators given."""
        if create:
            for position, incubator in enumerate([self.incubator, *(extracted or [])]):
                StartupIncubator.objects.get_or_create(
                    startup=self, incubator=incubator, defaults={"position": position}
                )

    @factory.post_generation
    def phases(self, create, extracted, **kwargs):
        for position, (phase, start) in enumerate(extracted or []):
            StartupPhase.objects.create(
                startup=self, phase_id=phase, start=start, position=position
            )

    @factory.post_generation
    def sponsors(self, create, extracted, **kwargs):
        for position, organisation in enumerate(extracted or []):
            StartupSponsor.objects.create(
                startup=self, organisation=organisation, position=position
            )

    @factory.post_generation
    def thematiques(self, create, extracted, **kwargs):
        for position, name in enumerate(extracted or []):
            thematique, _ = Thematique.objects.get_or_create(name=name)
            StartupThematique.objects.create(startup=self, thematique=thematique, position=position)

    @factory.post_generation
    def usertypes(self, create, extracted, **kwargs):
        for position, name in enumerate(extracted or []):
            usertype, _ = Usertype.objects.get_or_create(name=name)
            StartupUsertype.objects.create(startup=self, usertype=usertype, position=position)


class StartupPhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StartupPhase

    startup = factory.SubFactory(StartupFactory)
    phase_id = "investigation"
    start = datetime.date(2020, 1, 1)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    startup = factory.SubFactory(StartupFactory)
    name = "product_launch"
    date = datetime.date(2021, 6, 1)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    slug = factory.Sequence(lambda n: f"equipe-{n}")
    name = factory.Sequence(lambda n: f"Équipe {n}")
    incubator = factory.SubFactory(IncubatorFactory)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"prenom.nom{n}")
    fullname = factory.Sequence(lambda n: f"Prénom Nom {n}")
    role = "Développeuse"
    domain = "Développement"

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        for position, team in enumerate(extracted or []):
            TeamMembership.objects.create(member=self, team=team, position=position)


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberFactory)
    start = datetime.date(2021, 1, 1)
    end = datetime.date(2021, 12, 31)
    status = Mission.Status.INDEPENDENT
    employer = "Scopyleft"

    @factory.post_generation
    def startups(self, create, extracted, **kwargs):
        for position, startup in enumerate(extracted or []):
            MissionStartup.objects.create(mission=self, startup=startup, position=position)


class UserFactory(factory.django.DjangoModelFactory):
    """An admin user: `UserFactory(incubators=[incubator])` joins those incubators' staff groups."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@beta.gouv.fr")
    password = factory.django.Password("un-mot-de-passe-solide-42")
    is_staff = True

    @factory.post_generation
    def incubators(self, create, extracted, **kwargs):
        from staff.groups import create_incubator_group

        for incubator in extracted or []:
            self.groups.add(create_incubator_group(incubator)[0].group)
