"""export_betagouv: the portfolio written back as content, losing no fact on the way back."""

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from content.exporter import ContentDumper, dump_front_matter
from members.models import Member
from startups.models import Incubator, Startup
from tests.content.compare_content import NORMALISATIONS, compare, read
from tests.factories import (
    EventFactory,
    IncubatorFactory,
    MemberFactory,
    MissionFactory,
    OrganisationFactory,
    StartupFactory,
    TeamFactory,
)
from tests.real_content import REAL_CONTENT, skip_without_real_content

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "content"


def run(command: str, path: Path) -> str:
    out = StringIO()
    call_command(command, str(path), stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue()


def kinds(differences) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for difference in differences:
        if difference.path.startswith("_phases/") and difference.before == "<absent>":
            continue  # the database holds the 8 phases; the fixture folder only 2
        found.setdefault(difference.kind, []).append(f"{difference.path}: {difference.where}")
    return found


@pytest.fixture
def exported(tmp_path) -> Path:
    run("import_betagouv", FIXTURE)
    run("export_betagouv", tmp_path / "export")
    return tmp_path / "export"


def test_export_keeps_every_fact_of_the_imported_files(exported):
    found = kinds(compare(FIXTURE, exported))
    assert "fait" not in found, found["fait"]
    assert set(found) <= set(NORMALISATIONS)
    # The fixture's own quirks, each one of the documented normalisations.
    assert "_organisations/README: fichier" in found["non-md"]
    assert "_startups/aides-jeunes.md: link" in found["espaces"]
    assert "_startups/aides-jeunes.md: usertypes" in found["liste"]
    assert "_startups/ecobalyse.md: link" in found["html"]
    assert "_startups/aides-jeunes.md: phases[2].start" in found["date"]


def test_export_writes_the_keys_in_the_files_order_and_the_same_body(exported):
    front_matter, body = read(exported / "_startups" / "aides-jeunes.md")
    original, original_body = read(FIXTURE / "_startups" / "aides-jeunes.md")
    assert list(front_matter) == list(original)
    assert front_matter["rgpd"] == original["rgpd"]  # a key the site does not model
    assert front_matter["fast"] == {"promotion": 3, "montant": 150000}
    assert body.strip() == original_body.strip()
    incubator, _ = read(exported / "_incubators" / "ademe.md")
    # An owner naming an organisation without a file, and empty values the file had.
    assert (incubator["owner"], incubator["website"]) == ("/organisations/inexistante", "")
    ecobalyse, _ = read(exported / "_startups" / "ecobalyse.md")
    assert ecobalyse["incubators"] == ["ademe", "dinum"]
    assert "incubators" not in read(exported / "_startups" / "e-inspé.md")[0]


def test_import_export_import_changes_nothing_and_export_is_deterministic(exported):
    assert "Aucun changement" in run("import_betagouv", exported)
    before = {path: path.read_bytes() for path in exported.rglob("*.md")}
    output = run("export_betagouv", exported)
    assert "0 écrit(s)" in output
    assert {path: path.read_bytes() for path in exported.rglob("*.md")} == before


def test_an_edit_changes_only_its_own_key(exported):
    Startup.objects.filter(slug="ecobalyse").update(title="Écobalyse 2")
    startup = Startup.objects.get(slug="e-inspé")
    startup.link = "https://e-inspe.fr"
    startup.save()
    run("export_betagouv", exported)
    found = [d for d in compare(FIXTURE, exported) if d.kind == "fait"]
    found = [d for d in found if not d.path.startswith("_phases/")]
    assert [(d.path, d.where, d.after) for d in found] == [
        ("_startups/e-inspé.md", "link", "https://e-inspe.fr"),
        ("_startups/ecobalyse.md", "title", "Écobalyse 2"),
    ]
    # A key the file did not have goes after the others.
    assert list(read(exported / "_startups" / "e-inspé.md")[0])[-1] == "link"


def test_cleared_values_keep_a_key_the_file_had(exported):
    startup = Startup.objects.get(slug="aides-jeunes")
    startup.sponsors.clear()
    startup.thematiques.clear()
    Startup.objects.filter(pk=startup.pk).update(link="", stats=None)
    run("export_betagouv", exported)
    front_matter, _ = read(exported / "_startups" / "aides-jeunes.md")
    assert (front_matter["sponsors"], front_matter["thematiques"], front_matter["link"]) == (
        [],
        [],
        "",
    )
    assert "stats" not in front_matter


def test_records_made_in_the_admin_export_and_import_back_unchanged(tmp_path):
    """Records with no original file (created in the admin) round-trip as well."""
    dinum = OrganisationFactory(slug="dinum")
    incubator = IncubatorFactory(slug="dinum", owner=dinum, website="https://beta.gouv.fr")
    startup = StartupFactory(
        slug="nouveau",
        incubator=incubator,
        incubators=[IncubatorFactory(slug="ademe", owner=dinum)],
        phases=[("investigation", "2024-01-01"), ("construction", "2024-06-01")],
        sponsors=[dinum],
        thematiques=["Santé"],
        techno=["django"],
        fast_promotion=12,
        fast_amount=300000,
    )
    EventFactory(startup=startup, comment="Lancement.")
    member = MemberFactory(slug="ada.lovelace", competences=["Python"], teams=[TeamFactory()])
    MissionFactory(member=member, startups=[startup], end=None)
    run("export_betagouv", tmp_path / "first")
    first = {p.relative_to(tmp_path / "first"): p.read_bytes() for p in tmp_path.rglob("*.md")}
    output = run("import_betagouv", tmp_path / "first")
    # Nothing created, deleted or skipped: only the files' key order is recorded.
    counts = re.findall(r"(\d+) créé\(s\).*?(\d+) supprimé\(s\)\s+(\d+) ignoré", output)
    assert len(counts) == 6
    assert {number for row in counts for number in row} == {"0"}
    run("export_betagouv", tmp_path / "second")
    second = tmp_path / "second"
    assert {p.relative_to(second): p.read_bytes() for p in second.rglob("*.md")} == first
    assert Member.objects.get().missions.get().startups.get() == startup


def test_export_removes_stale_files_and_leaves_other_files(exported):
    (exported / "_startups" / "disparue.md").write_text("---\ntitle: Disparue\n---\n")
    (exported / "_organisations" / "README").write_text("notes")
    Incubator.objects.filter(slug="ademe").update(title="ADEME")
    output = run("export_betagouv", exported)
    assert not (exported / "_startups" / "disparue.md").exists()
    assert (exported / "_organisations" / "README").read_text() == "notes"
    assert "1 écrit(s)" in output


def test_export_refuses_a_file_as_its_folder(tmp_path):
    (tmp_path / "fichier").write_text("")
    with pytest.raises(CommandError, match="ce n’est pas un dossier"):
        run("export_betagouv", tmp_path / "fichier")


@pytest.mark.parametrize(
    "data",
    [
        {"a": ["x", "y"], "b": [{"name": "n", "when": "w", "list": ["p", "q"]}], "c": 1},
        {"text": "ligne\n- pas un élément\n  indentée\n", "after": ["z"]},
        {"nested": {"deep": [{"k": "v\nw"}, {"k": []}]}, "emoji": "Service 🚘"},
        {"quote": "L'incubateur", "colon": "a: b", "empty": "", "date": "2024-01-01"},
    ],
)
def test_fast_dumper_writes_what_the_reference_dumper_writes(data):
    reference = yaml.dump(
        data, Dumper=ContentDumper, allow_unicode=True, sort_keys=False, width=1_000_000
    )
    assert dump_front_matter(data) == reference.removesuffix("...\n")
    assert yaml.safe_load(dump_front_matter(data)) == data


@pytest.mark.real_content
@skip_without_real_content
def test_real_content_round_trip_changes_no_fact(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, content)
    run("import_betagouv", content)
    run("export_betagouv", tmp_path / "export")
    found = kinds(compare(content, tmp_path / "export"))
    assert "fait" not in found, found["fait"][:20]
    # What remains are the import's normalisations, no more (see README, "Export").
    assert {kind: len(items) for kind, items in found.items()} == {
        "corps": 1672,
        "espaces": 214,
        "html": 22,
        "liste": 7,
        "non-md": 2,
        "vide": 2,
    }
