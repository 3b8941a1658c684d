import datetime
import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management import CommandError, call_command

from content.files import load_yaml
from members.models import Member, Mission, MissionStartup
from startups.models import (
    Incubator,
    Organisation,
    Phase,
    Startup,
    StartupPhase,
    StartupSponsor,
    Thematique,
)

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "content"


@pytest.fixture
def content(tmp_path) -> Path:
    """A writable copy of the fixture content folder."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "content"))


def run_import(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_betagouv", str(path), *args, stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def database_state() -> dict[str, list]:
    """Every row of the portfolio's tables, to prove that a refused import wrote nothing."""
    state = {}
    for app_label in ("startups", "members"):
        for model in apps.get_app_config(app_label).get_models():
            state[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return state


def edit_front_matter(path: Path, change) -> None:
    head, body = path.read_text().removeprefix("---\n").split("\n---", 1)
    data = yaml.safe_load(head)
    change(data)
    path.write_text(
        "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---" + body
    )


class TestImport:
    def test_imports_every_kind(self, content):
        out, _ = run_import(content)
        assert Organisation.objects.count() == 3
        assert Incubator.objects.count() == 2
        assert Startup.objects.count() == 4
        assert Member.objects.count() == 3
        assert Mission.objects.count() == 4
        assert "Import terminé" in out
        assert "_organisations/README : ignoré (pas un fichier .md)" in out

    def test_startup_fields_and_history(self, content):
        run_import(content)
        startup = Startup.objects.get(slug="aides-jeunes")
        assert startup.title == "Aides Jeunes"
        assert startup.incubator.slug == "dinum"
        assert [s.slug for s in startup.sponsors.order_by("startupsponsor__position")] == [
            "dinum",
            "cnam",
        ]
        assert startup.accessibility_status == "partiellement conforme"
        assert startup.stats is True
        assert (startup.fast_promotion, startup.fast_amount) == (3, 150000)
        assert startup.redirect_from == ["/startups/mes-aides"]
        assert startup.description.startswith("## Le problème")
        phases = list(startup.phases.values_list("phase", "start", "end", "comment"))
        assert phases[2] == (
            "acceleration",
            datetime.date(2018, 3, 15),  # written as a quoted string in the file
            datetime.date(2020, 1, 31),
            "Passage en accélération après le comité.",
        )
        assert startup.phase_on(datetime.date(2017, 5, 1)).phase_id == "construction"
        assert list(startup.events.values_list("name", flat=True)) == [
            "product_launch",
            "committee",
        ]

    def test_real_file_quirks_are_cleaned(self, content):
        run_import(content)
        assert Startup.objects.get(slug="aides-jeunes").link == (
            "https://www.1jeune1solution.gouv.fr/mes-aides"
        )
        assert Startup.objects.get(slug="ecobalyse").link == "https://ecobalyse.beta.gouv.fr"
        assert set(
            Startup.objects.get(slug="aides-jeunes").usertypes.values_list("name", flat=True)
        ) == {
            "jeunes",
            "étudiants",
        }
        assert Startup.objects.filter(slug="e-inspé").exists()

    def test_html_escaped_texts_are_decoded_as_beta_gouv_showed_them(self, content):
        def escape(data):
            data["role"] = "Ingénieure ouvrages d&#x27;art &amp; UX&amp;#x2F;UI"
            data["missions"][0]["employer"] = "Intrapreneur &quot;Impact&quot;"
            data["link"] = "https://exemple.fr/?a=1&region=2&amp;b=3"

        edit_front_matter(content / "_authors" / "marie.curie.md", escape)
        run_import(content)
        marie = Member.objects.get(slug="marie.curie")
        assert marie.role == "Ingénieure ouvrages d'art & UX/UI"
        assert marie.missions.filter(employer='Intrapreneur "Impact"').exists()
        # Only whole references: `&region` is a parameter, not `®ion`.
        assert marie.link == "https://exemple.fr/?a=1&region=2&b=3"
        run_import(content)  # again: the decoded value is the file's, nothing to change
        assert Member.objects.get(slug="marie.curie").role == marie.role

    def test_co_incubation_keeps_the_main_incubator(self, content):
        run_import(content)
        startup = Startup.objects.get(slug="ecobalyse")
        assert startup.incubator.slug == "ademe"
        assert set(startup.incubators.values_list("slug", flat=True)) == {"ademe", "dinum"}
        dinum = Incubator.objects.get(slug="dinum")
        assert set(Startup.objects.incubated_by(dinum).values_list("slug", flat=True)) == {
            "aides-jeunes",
            "ancien-service",
            "e-inspé",
            "ecobalyse",
        }

    def test_member_missions_and_teams(self, content):
        run_import(content)
        marie = Member.objects.get(slug="marie.curie")
        missions = list(marie.missions.all())
        assert [m.start for m in missions] == [datetime.date(2017, 5, 1), datetime.date(2021, 6, 1)]
        assert [s.slug for s in missions[1].startups.order_by("missionstartup__position")] == [
            "ecobalyse",
            "aides-jeunes",
        ]
        assert list(marie.teams.values_list("slug", flat=True)) == ["dinum-animation"]
        assert marie.competences == ["Python", "Django"]
        assert marie.bio == "Développeuse **web** depuis 2010."
        assert Member.objects.get(slug="paul.langevin").previously == ["ancien-service"]

    def test_phase_texts_come_from_the_content(self, content):
        run_import(content)
        assert (
            Phase.objects.get(slug="transfere").description == "Le service est sorti du programme."
        )

    def test_unmodelled_keys_are_kept_for_export(self, content):
        run_import(content)
        startup = Startup.objects.get(slug="aides-jeunes")
        extra = load_yaml(startup.extra_front_matter)
        assert list(extra) == ["rgpd"]
        assert extra["rgpd"] == {
            "responsable": "DINUM",
            "validite_homologation": datetime.datetime(2024, 5, 1, 10, 0),
        }
        assert startup.front_matter_keys[:3] == ["title", "mission", "incubator"]
        assert load_yaml(Member.objects.get(slug="paul.langevin").extra_front_matter) == {
            "incubator": "dinum"
        }

    def test_an_owner_without_file_is_a_warning_and_kept_for_export(self, content):
        _, err = run_import(content)
        assert "_incubators/ademe.md: owner: organisation inconnue « inexistante »" in err
        incubator = Incubator.objects.get(slug="ademe")
        assert incubator.owner is None
        assert load_yaml(incubator.extra_front_matter) == {"owner": "/organisations/inexistante"}

    def test_search_text_is_filled(self, content):
        run_import(content)
        assert list(Startup.objects.search("ecobalyse").values_list("slug", flat=True)) == [
            "ecobalyse"
        ]


class TestReimport:
    def test_second_run_changes_nothing_and_says_so(self, content):
        run_import(content)
        before = database_state()
        out, _ = run_import(content)
        assert "Aucun changement" in out
        assert database_state() == before

    def test_a_changed_file_is_updated(self, content):
        run_import(content)
        edit_front_matter(
            content / "_startups" / "ecobalyse.md",
            lambda data: data["phases"].append(
                {"name": "acceleration", "start": datetime.date(2023, 1, 1)}
            ),
        )
        out, _ = run_import(content)
        assert "startups           0 créé(s)     1 modifié(s)" in out
        startup = Startup.objects.get(slug="ecobalyse")
        assert startup.current_phase().phase_id == "acceleration"
        assert Startup.objects.get(slug="aides-jeunes").phases.count() == 4

    def test_a_sponsors_new_domain_reaches_its_startups(self, content):
        """Sponsor rows keep a copy of their organisation's domain (the domain facet and
        statistics count them): an import that changes only the organisation updates it."""
        run_import(content)
        sponsored = set(Startup.objects.in_ministerial_domain("solidarite-sante"))
        assert sponsored
        edit_front_matter(
            content / "_organisations" / "cnam.md",
            lambda data: data.update(domaine_ministeriel="travail"),
        )
        run_import(content)
        assert StartupSponsor.objects.filter(organisation__slug="cnam").exists()
        assert set(
            StartupSponsor.objects.filter(organisation__slug="cnam").values_list(
                "ministerial_domain", flat=True
            )
        ) == {"travail"}
        assert set(Startup.objects.in_ministerial_domain("travail")) >= set(
            Startup.objects.filter(sponsors__slug="cnam")
        )

    def test_a_removed_file_is_deleted_and_reported(self, content):
        run_import(content)
        (content / "_authors" / "irene.joliot.md").unlink()
        (content / "_startups" / "e-inspé.md").unlink()
        out, _ = run_import(content)
        assert not Member.objects.filter(slug="irene.joliot").exists()
        assert not Startup.objects.filter(slug="e-inspé").exists()
        assert "startups           0 créé(s)     0 modifié(s)     1 supprimé(s)" in out
        assert "membres            0 créé(s)     0 modifié(s)     1 supprimé(s)" in out

    def test_an_unused_thematique_disappears(self, content):
        run_import(content)
        edit_front_matter(
            content / "_startups" / "ecobalyse.md", lambda data: data.pop("thematiques")
        )
        run_import(content)
        assert not Thematique.objects.filter(name="Écologie").exists()

    def test_history_records_the_import(self, content):
        run_import(content)
        record = Startup.history.get(slug="ecobalyse")
        assert record.history_type == "+"
        assert record.history_change_reason == "Import du contenu beta.gouv.fr"
        assert StartupPhase.history.filter(startup_id=record.id).count() == 2


def write(path: Path, text: str) -> None:
    path.write_text(text)


BROKEN_FILES = {
    "yaml that does not parse": (
        "_startups/ecobalyse.md",
        lambda p: write(p, "---\ntitle: [Écobalyse\nmission: x\n---\n"),
        "_startups/ecobalyse.md: front matter: YAML invalide ligne 3",
    ),
    "no front matter": (
        "_startups/ecobalyse.md",
        lambda p: write(p, "# Écobalyse\n"),
        "_startups/ecobalyse.md: front matter: absent",
    ),
    "front matter that is a list": (
        "_startups/ecobalyse.md",
        lambda p: write(p, "---\n- title\n- mission\n---\n"),
        "_startups/ecobalyse.md: front matter: doit être une suite",
    ),
    "not utf-8": (
        "_authors/irene.joliot.md",
        lambda p: p.write_bytes("---\nfullname: Irène\n---\n".encode("latin-1")),
        "_authors/irene.joliot.md: fichier: n’est pas encodé en UTF-8",
    ),
    "missing required field": (
        "_startups/ecobalyse.md",
        lambda p: edit_front_matter(p, lambda d: d.pop("title")),
        "_startups/ecobalyse.md: title: champ obligatoire absent",
    ),
    "missing phases": (
        "_startups/ecobalyse.md",
        lambda p: edit_front_matter(p, lambda d: d.pop("phases")),
        "_startups/ecobalyse.md: phases: champ obligatoire absent",
    ),
    "empty phases": (
        "_startups/ecobalyse.md",
        lambda p: edit_front_matter(p, lambda d: d.update(phases=[])),
        "_startups/ecobalyse.md: phases: au moins une phase est nécessaire",
    ),
    "empty missions": (
        "_authors/irene.joliot.md",
        lambda p: edit_front_matter(p, lambda d: d.update(missions=[])),
        "_authors/irene.joliot.md: missions: au moins une mission est nécessaire",
    ),
    "phases not a list": (
        "_startups/ecobalyse.md",
        lambda p: edit_front_matter(p, lambda d: d.update(phases="construction")),
        "_startups/ecobalyse.md: phases: liste attendue",
    ),
    "impossible date": (
        "_startups/ecobalyse.md",
        lambda p: write(
            p,
            p.read_text().replace("start: 2021-11-01", "start: 2021-13-45"),
        ),
        "_startups/ecobalyse.md: phases[1].start: « 2021-13-45 » n’est pas une date valide",
    ),
    "implausible date": (
        "_startups/ecobalyse.md",
        lambda p: write(p, p.read_text().replace("start: 2021-11-01", "start: 0001-11-01")),
        "_startups/ecobalyse.md: phases[1].start: Date invraisemblable (01/11/0001) : elle doit "
        "tomber entre le 1er janvier 2000 et le 31 décembre 2099.",
    ),
    "nul character in a text": (
        "_startups/ecobalyse.md",
        lambda p: edit_front_matter(p, lambda d: d.update(title="Éco\x00balyse")),
        "_startups/ecobalyse.md: title: le caractère nul (\\0) n’est pas autorisé",
    ),
    "nul character in the file": (
        "_authors/irene.joliot.md",
        lambda p: write(p, p.read_text() + "\nUne biographie\x00.\n"),
        "_authors/irene.joliot.md: fichier: contient un caractère nul (ligne ",
    ),
    "date that is text": (
        "_authors/irene.joliot.md",
        lambda p: write(p, p.read_text().replace("start: 2022-01-01", "start: début 2022")),
        "_authors/irene.joliot.md: missions[0].start: « début 2022 » n’est pas une date valide",
    ),
    "date that is a number": (
        "_startups/ecobalyse.md",
        lambda p: write(p, p.read_text().replace("start: 2021-06-01", "start: 2021")),
        "_startups/ecobalyse.md: phases[0].start: « 2021 » n’est pas une date valide",
    ),
    "unknown phase": (
        "_startups/ecobalyse.md",
        lambda p: write(p, p.read_text().replace("name: construction", "name: prototype")),
        "_startups/ecobalyse.md: phases[1].name: valeur inconnue « prototype »",
    ),
    "phase twice": (
        "_startups/ecobalyse.md",
        lambda p: write(p, p.read_text().replace("name: construction", "name: investigation")),
        "_startups/ecobalyse.md: phases[1].name: la phase « investigation » figure deux fois",
    ),
    "phase ending before its start": (
        "_startups/aides-jeunes.md",
        lambda p: write(p, p.read_text().replace("end: 2020-01-31", "end: 2018-01-31")),
        "_startups/aides-jeunes.md: phases[2].end: la fin (2018-01-31) précède le début",
    ),
    "unknown incubator": (
        "_startups/ecobalyse.md",
        lambda p: write(p, p.read_text().replace("incubator: ademe", "incubator: nulle-part")),
        "_startups/ecobalyse.md: incubator: incubateur inconnu « nulle-part »",
    ),
    "unknown sponsor": (
        "_startups/aides-jeunes.md",
        lambda p: write(p, p.read_text().replace("/organisations/cnam", "/organisations/cpam")),
        "_startups/aides-jeunes.md: sponsors: organisation inconnue « cpam »",
    ),
    "mission naming an unknown startup": (
        "_authors/irene.joliot.md",
        lambda p: write(p, p.read_text().replace("- ecobalyse", "- fantome")),
        "_authors/irene.joliot.md: missions[0].startups: startup inconnue « fantome »",
    ),
    "mission ending before its start": (
        "_authors/irene.joliot.md",
        lambda p: write(p, p.read_text().replace("end: 2030-06-30", "end: 2021-06-30")),
        "_authors/irene.joliot.md: missions[0].end: la fin (2021-06-30) précède le début",
    ),
    "unknown mission status": (
        "_authors/irene.joliot.md",
        lambda p: write(p, p.read_text().replace("status: service", "status: stagiaire")),
        "_authors/irene.joliot.md: missions[0].status: valeur inconnue « stagiaire »",
    ),
    "unknown team": (
        "_authors/marie.curie.md",
        lambda p: write(p, p.read_text().replace("/teams/dinum-animation", "/teams/aucune")),
        "_authors/marie.curie.md: teams: équipe inconnue « aucune »",
    ),
    "url that is not a url": (
        "_startups/ecobalyse.md",
        lambda p: edit_front_matter(p, lambda d: d.update(link="ecobalyse point fr")),
        "_startups/ecobalyse.md: link: « ecobalyse point fr » n’est pas une adresse web valide",
    ),
    "boolean that is not a boolean": (
        "_startups/aides-jeunes.md",
        lambda p: write(p, p.read_text().replace("stats: true", "stats: peut-être")),
        "_startups/aides-jeunes.md: stats: « peut-être » n’est pas un booléen",
    ),
    "title too long": (
        "_startups/ecobalyse.md",
        lambda p: edit_front_matter(p, lambda d: d.update(title="É" * 400)),
        "_startups/ecobalyse.md: title: trop long (400 caractères, 300 au plus)",
    ),
    "list that is not a list": (
        "_startups/ecobalyse.md",
        lambda p: edit_front_matter(p, lambda d: d.update(sponsors="/organisations/ademe")),
        "_startups/ecobalyse.md: sponsors: liste attendue",
    ),
    "unknown organisation type": (
        "_organisations/cnam.md",
        lambda p: write(p, p.read_text().replace("securite-sociale", "mutuelle")),
        "_organisations/cnam.md: type: valeur inconnue « mutuelle »",
    ),
    "team of an unknown incubator": (
        "_teams/dinum-animation.md",
        lambda p: write(p, p.read_text().replace("incubator: dinum", "incubator: lab")),
        "_teams/dinum-animation.md: incubator: incubateur inconnu « lab »",
    ),
    "bad file name": (
        "_startups/ecobalyse.md",
        lambda p: p.rename(p.with_name("eco balyse.md")),
        "_startups/eco balyse.md: nom du fichier: « eco balyse »",
    ),
}


class TestBadInput:
    @pytest.mark.parametrize("case", BROKEN_FILES.values(), ids=BROKEN_FILES.keys())
    def test_broken_file_is_named_and_nothing_changes(self, content, case):
        run_import(content)
        before = database_state()
        relative, breaks, expected = case
        breaks(content / relative)
        with pytest.raises(CommandError, match="rien n’a été importé"):
            run_import(content)
        assert database_state() == before
        _, err = self._refused_output(content)
        assert expected in err

    def test_a_refused_first_import_leaves_the_database_empty(self, content):
        write(content / "_startups" / "ecobalyse.md", "---\ntitle: [\n---\n")
        with pytest.raises(CommandError):
            run_import(content)
        assert Startup.objects.count() == 0
        assert Organisation.objects.count() == 0

    def test_every_problem_is_reported_at_once(self, content):
        write(content / "_startups" / "ecobalyse.md", "---\ntitle: [\n---\n")
        edit_front_matter(content / "_authors" / "paul.langevin.md", lambda d: d.pop("fullname"))
        edit_front_matter(content / "_startups" / "e-inspé.md", lambda d: d.update(link="x"))
        _, err = self._refused_output(content)
        assert "_startups/ecobalyse.md: front matter: YAML invalide" in err
        assert "_authors/paul.langevin.md: fullname: champ obligatoire absent" in err
        assert "_startups/e-inspé.md: link: « x » n’est pas une adresse web valide" in err

    def test_a_missing_folder_refuses_the_import(self, content):
        shutil.rmtree(content / "_teams")
        _, err = self._refused_output(content)
        assert "_teams: dossier: introuvable" in err

    def test_a_path_that_is_not_a_folder(self, tmp_path):
        with pytest.raises(CommandError, match="dossier introuvable"):
            run_import(tmp_path / "nulle-part")

    @staticmethod
    def _refused_output(content: Path) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError):
            call_command("import_betagouv", str(content), stdout=out, stderr=err, verbosity=0)
        return out.getvalue(), err.getvalue()


class TestSkipInvalid:
    def test_imports_the_valid_rest_and_lists_what_it_skipped(self, content):
        edit_front_matter(content / "_startups" / "ancien-service.md", lambda d: d.pop("mission"))
        out, err = run_import(content, "--skip-invalid")
        assert "_startups/ancien-service.md: mission: champ obligatoire absent" in err
        # Paul's mission names the skipped startup, which is not in the database: skipped too.
        assert "_authors/paul.langevin.md: missions[0].startups: startup inconnue" in err
        assert set(Startup.objects.values_list("slug", flat=True)) == {
            "aides-jeunes",
            "ecobalyse",
            "e-inspé",
        }
        assert not Member.objects.filter(slug="paul.langevin").exists()
        assert Member.objects.filter(slug="marie.curie").exists()
        assert (
            "startups           3 créé(s)     0 modifié(s)     0 supprimé(s)     1 ignoré(s)" in out
        )

    def test_a_removed_file_that_a_skipped_file_refers_to_keeps_its_row(self, content):
        run_import(content)
        irene = Member.objects.get(slug="irene.joliot")
        teams_before = sorted(
            MissionStartup.objects.filter(mission__member=irene).values_list("pk")
        )
        (content / "_startups" / "ecobalyse.md").unlink()
        out, err = run_import(content, "--skip-invalid")
        assert "_authors/irene.joliot.md: missions[0].startups: startup inconnue" in err
        assert "_startups/ecobalyse.md: fichier: absent, mais la ligne est gardée" in err
        assert Startup.objects.filter(slug="ecobalyse").exists()
        assert sorted(MissionStartup.objects.filter(mission__member=irene).values_list("pk")) == (
            teams_before
        )
        assert "0 supprimé(s)" in next(line for line in out.splitlines() if "startups" in line)

    def test_a_skipped_file_keeps_its_database_row(self, content):
        run_import(content)
        edit_front_matter(content / "_startups" / "ecobalyse.md", lambda d: d.update(title=None))
        edit_front_matter(
            content / "_startups" / "e-inspé.md", lambda d: d.update(title="e-INSPÉ 2")
        )
        run_import(content, "--skip-invalid")
        assert Startup.objects.get(slug="ecobalyse").title == "Écobalyse"
        assert Startup.objects.get(slug="e-inspé").title == "e-INSPÉ 2"
        # Members of the skipped startup still resolve it: it is kept in the database.
        assert Member.objects.filter(slug="irene.joliot").exists()
