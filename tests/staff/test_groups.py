"""Creating an incubator's staff group, by command or from the incubators' list."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from staff.groups import STAFF_PERMISSIONS
from staff.models import IncubatorGroup
from tests.factories import IncubatorFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_incubator_group", *args, stdout=out)
    return out.getvalue()


def test_command_creates_the_group_with_the_standard_permissions():
    incubator = IncubatorFactory(slug="dinum", title="DINUM")
    output = run("dinum")
    link = IncubatorGroup.objects.get(incubator=incubator)
    codenames = set(link.group.permissions.values_list("codename", flat=True))
    wanted = {
        f"{action}_{label.split('.')[1]}"
        for label, actions in STAFF_PERMISSIONS.items()
        for action in actions
    }
    assert codenames == wanted
    assert "delete_startup" not in codenames
    assert "dinum : groupe « Édition — DINUM » créé" in output


def test_running_it_again_repairs_the_permissions():
    IncubatorFactory(slug="dinum")
    run("dinum")
    group = IncubatorGroup.objects.get().group
    group.permissions.clear()
    assert "mis à jour" in run("dinum")
    assert group.permissions.filter(codename="change_startupphase").exists()
    assert IncubatorGroup.objects.count() == 1


def test_all_incubators_at_once():
    IncubatorFactory.create_batch(3)
    run("--all")
    assert IncubatorGroup.objects.count() == 3


@pytest.mark.parametrize(("args", "message"), [((), "ou --all"), (("fantome",), "fantome")])
def test_wrong_arguments_are_explained(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
