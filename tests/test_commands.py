import json

import pytest
from django.core.management import call_command

from timeline.fixtures import FIXTURE_FILES
from timeline.models import Event, Source

pytestmark = pytest.mark.django_db


def test_seeding_an_empty_database_loads_the_fixtures(capsys):
    call_command("seed_timeline")
    assert Source.objects.count() == 5
    assert Event.objects.exists()
    assert "Loaded" in capsys.readouterr().out


def test_seeding_again_neither_duplicates_nor_overwrites_editors_work(seeded):
    event = Event.objects.get(slug="blinken-aliyev-call-2023-09-26")
    event.title = "An editor's better title"
    event.save()
    count = Event.objects.count()
    call_command("seed_timeline", verbosity=0)
    assert Event.objects.count() == count
    assert Event.objects.get(pk=event.pk).title == "An editor's better title"


def test_a_dry_run_of_seeding_loads_nothing():
    call_command("seed_timeline", "--dry-run", verbosity=0)
    assert not Source.objects.exists()


def test_exported_fixtures_are_one_file_per_part_with_natural_keys(seeded, tmp_path):
    call_command("export_fixtures", "--output", tmp_path, verbosity=0)
    assert sorted(p.stem for p in tmp_path.iterdir()) == sorted(FIXTURE_FILES)
    for path in tmp_path.iterdir():
        for row in json.loads(path.read_text(encoding="utf-8")):
            assert "pk" not in row, (path.name, row)


def test_exporting_the_loaded_fixtures_reproduces_them(seeded, tmp_path, settings):
    call_command("export_fixtures", "--output", tmp_path, verbosity=0)
    for name in FIXTURE_FILES:
        written = (tmp_path / f"{name}.json").read_text(encoding="utf-8")
        committed = (settings.FIXTURE_DIRS[0] / f"{name}.json").read_text(encoding="utf-8")
        assert written == committed, name


def test_an_export_dry_run_writes_nothing(seeded, tmp_path):
    call_command("export_fixtures", "--output", tmp_path, "--dry-run", verbosity=0)
    assert list(tmp_path.iterdir()) == []
