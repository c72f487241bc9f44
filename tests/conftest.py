import pytest
from django.conf import settings
from django.core.management import call_command


def pytest_configure(config):
    # Tests run with DEBUG off, where static URLs come from the manifest that
    # collectstatic writes; make it once if `make test` has not already.
    if not (settings.STATIC_ROOT / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def seeded(db):
    """The real timeline, loaded from fixtures/ as `make run` loads it."""
    call_command("seed_timeline", verbosity=0)
