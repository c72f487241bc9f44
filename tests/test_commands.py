import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from timeline.fixtures import FIXTURE_FILES
from timeline.models import Event, Source

pytestmark = pytest.mark.django_db


def test_seeding_an_empty_database_loads_the_fixtures(capsys):
    call_command("seed_timeline")
    assert Source.objects.count() == 5
    assert Event.objects.exists()
    assert "Loaded" in capsys.readouterr().out


def test_a_dry_run_of_seeding_loads_nothing():
    call_command("seed_timeline", "--dry-run", verbosity=0)
    assert not Source.objects.exists()


def test_exporting_an_empty_database_is_refused_and_writes_nothing(tmp_path):
    (tmp_path / "events.json").write_text("[curated]")
    with pytest.raises(CommandError, match="holds no event: nothing written"):
        call_command("export_fixtures", "--output", tmp_path, verbosity=0)
    assert (tmp_path / "events.json").read_text() == "[curated]"


# ------------------------------------------------------------------ editors' commands


def test_create_editor_makes_a_staff_account_in_the_editors_group(capsys, client):
    from django.contrib.auth import get_user_model

    call_command("create_editor", "anna", "--email", "anna@example.org")
    out = capsys.readouterr().out
    user = get_user_model().objects.get(username="anna")
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert "Sign in at http://127.0.0.1:8000/admin/ as anna" in out
    password = out.split("with the password: ")[1].split()[0]
    assert user.check_password(password)
    assert user.has_perm("timeline.change_event")
    assert not user.has_perm("auth.change_user")


def test_create_editor_again_keeps_the_account_and_its_password_unless_asked(capsys):
    from django.contrib.auth import get_user_model

    call_command("create_editor", "anna", "--password", "a-long-first-password-1")
    call_command("create_editor", "anna")
    assert get_user_model().objects.get(username="anna").check_password("a-long-first-password-1")
    call_command("create_editor", "anna", "--new-password", "--password", "a-long-second-one-2")
    assert get_user_model().objects.filter(username="anna").count() == 1
    assert get_user_model().objects.get(username="anna").check_password("a-long-second-one-2")


def test_create_editor_refuses_a_weak_password():
    from django.contrib.auth import get_user_model

    with pytest.raises(CommandError, match=r"too short|too common"):
        call_command("create_editor", "anna", "--password", "abc")
    assert not get_user_model().objects.exists()


def test_add_source_stores_a_text_file_exactly_with_its_metadata(tmp_path):
    text = "BAKU, 2 October 2023. “Quoted words,” the minister said.\r\nÜmumi: Qarabağ.\n"
    path = tmp_path / "005_new_document.txt"
    path.write_bytes(text.encode("utf-8"))
    call_command(
        "add_source", path, "--outlet", "Example Agency", "--headline", "Minister speaks",
        "--published", "2023-10-02", "--origin", "azerbaijan", "--dateline", "BAKU",
        verbosity=0,
    )  # fmt: skip
    source = Source.objects.get(slug="minister-speaks")
    assert source.text == text
    assert (source.outlet, source.origin, source.seed_file) == (
        "Example Agency",
        "azerbaijan",
        "005_new_document.txt",
    )
    assert source.published.isoformat() == "2023-10-02"
    assert source.history.get().history_change_reason == "Added from 005_new_document.txt"


def test_add_source_refuses_a_missing_file_a_duplicate_slug_and_a_dry_run_saves_nothing(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("add_source", tmp_path / "missing.txt")
    path = tmp_path / "doc.txt"
    path.write_text("Some text.", encoding="utf-8")
    call_command("add_source", path, "--dry-run", verbosity=0)
    assert not Source.objects.exists()
    call_command("add_source", path, verbosity=0)
    with pytest.raises(CommandError, match="slug"):
        call_command("add_source", path, verbosity=0)
    assert Source.objects.count() == 1


# ------------------------------------------------------------------ the round trip


def timeline_rows():
    from timeline.models import Actor, EventActor, Place, Statement

    return {
        "sources": sorted(Source.objects.values_list("slug", "text", "origin", "published")),
        "actors": sorted(Actor.objects.values_list("slug", "name", "affiliation__slug")),
        "places": sorted(Place.objects.values_list("slug", "aliases")),
        "events": sorted(Event.objects.values_list("slug", "title", "date_start", "publication")),
        "roles": sorted(EventActor.objects.values_list("event__slug", "actor__slug", "role")),
        "citations": sorted(Event.objects.values_list("slug", "sources__slug")),
        "statements": sorted(
            Statement.objects.values_list("source__slug", "start", "end", "speaker__slug", "text")
        ),
    }


def empty_the_timeline():
    from timeline.models import Actor, EventLink, Place, Quantity, Statement

    # Links and numbers protect the statements that make or give them.
    Quantity.objects.all().delete()
    EventLink.objects.all().delete()
    Statement.objects.all().delete()
    Event.objects.all().delete()
    Actor.objects.update(affiliation=None)
    Actor.objects.all().delete()
    Place.objects.all().delete()
    Source.objects.all().delete()


@pytest.fixture(scope="class")
def seeded_once(django_db_setup, django_db_blocker):
    """The real timeline, loaded once for the class (3 to 7 s a load): inside a
    transaction rolled back after its last test. Each test runs in a transaction of its
    own inside this one, so what a test changes is gone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_timeline", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("seeded_once")
class TestTheSeededTimeline:
    def test_seeding_again_neither_duplicates_nor_overwrites_editors_work(self):
        event = Event.objects.get(slug="blinken-aliyev-call-2023-09-26")
        event.title = "An editor's better title"
        event.save()
        count = Event.objects.count()
        call_command("seed_timeline", verbosity=0)
        assert Event.objects.count() == count
        assert Event.objects.get(pk=event.pk).title == "An editor's better title"

    def test_exported_fixtures_are_one_file_per_part_with_natural_keys(self, tmp_path):
        call_command("export_fixtures", "--output", tmp_path, verbosity=0)
        assert sorted(p.stem for p in tmp_path.iterdir()) == sorted(FIXTURE_FILES)
        for path in tmp_path.iterdir():
            for row in json.loads(path.read_text(encoding="utf-8")):
                assert "pk" not in row, (path.name, row)

    def test_exporting_the_loaded_fixtures_reproduces_them(self, tmp_path, settings):
        call_command("export_fixtures", "--output", tmp_path, verbosity=0)
        # The title, and the time of the change (its "updated" line), are all that differ.
        for name in FIXTURE_FILES:
            written = (tmp_path / f"{name}.json").read_text(encoding="utf-8")
            committed = (settings.FIXTURE_DIRS[0] / f"{name}.json").read_text(encoding="utf-8")
            assert written == committed, name

    def test_an_export_dry_run_writes_nothing(self, tmp_path):
        call_command("export_fixtures", "--output", tmp_path, "--dry-run", verbosity=0)
        assert list(tmp_path.iterdir()) == []

    def test_written_fixtures_load_into_an_empty_database_as_the_same_data(self, tmp_path):
        event = Event.objects.get(slug="blinken-aliyev-call-2023-09-26")
        event.title = "An editor's change"
        event.save()
        before = timeline_rows()
        call_command("export_fixtures", "--output", tmp_path, verbosity=0)
        empty_the_timeline()
        # In the order the project loads them: links and numbers name their statements and
        # sources by natural key, so those must be there first.
        call_command(
            "loaddata", *(tmp_path / f"{name}.json" for name in FIXTURE_FILES), verbosity=0
        )
        assert timeline_rows() == before

    def test_an_editors_change_shows_in_the_fixtures_as_exactly_that_change(
        self, tmp_path, settings
    ):
        event = Event.objects.get(slug="blinken-aliyev-call-2023-09-26")
        old_title = event.title
        event.title = "An editor's better title"
        event.save()
        call_command("export_fixtures", "--output", tmp_path, verbosity=0)
        # The title, and the time of the change (its "updated" line), are all that differ.
        for name in FIXTURE_FILES:
            written = (tmp_path / f"{name}.json").read_text(encoding="utf-8").splitlines()
            committed = (settings.FIXTURE_DIRS[0] / f"{name}.json").read_text(encoding="utf-8")
            changed = set(written) ^ set(committed.splitlines())
            changed = {line for line in changed if not line.startswith('    "updated": ')}
            if name == "events":
                assert changed == {
                    f'    "title": "{old_title}",',
                    '    "title": "An editor\'s better title",',
                }
            else:
                assert not changed, name

    def test_seeding_starts_each_records_history_with_one_loaded_version(self):
        from timeline.models import Statement

        for model in (Event, Source, Statement):
            for obj in model.objects.all():
                versions = list(obj.history.values_list("history_change_reason", flat=True))
                assert versions == ["Loaded from fixtures"], (model.__name__, obj.pk, versions)
