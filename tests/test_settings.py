"""The settings module's promises, checked in a fresh interpreter each time."""

import pytest
from django.conf import settings

from tests.fresh_interpreter import PRODUCTION, run_python


def load_settings(**env):
    return run_python(
        "-c", "import karabakh.settings as s; print(s.DATABASES['default']['ENGINE'])", **env
    )


@pytest.mark.parametrize(
    "key",
    [None, settings.DEVELOPMENT_SECRET_KEY, "k" * 49],
    ids=["unset", "the public development key", "too short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(key):
    production = {name: value for name, value in PRODUCTION.items() if name != "SECRET_KEY"}
    result = load_settings(**production, **({} if key is None else {"SECRET_KEY": key}))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_to_start_without_a_site_url():
    result = load_settings(**{**PRODUCTION, "SITE_URL": ""})
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


@pytest.mark.parametrize(
    "value",
    [
        "example.org",
        "ftp://example.org",
        "https://example.org/timeline",
        "https://example.org/?x=1",
        "https://example.org#top",
        "https://user@example.org",
        "https://example.org:port",
    ],
)
def test_a_site_url_that_is_not_just_an_http_address_is_refused(value):
    result = load_settings(**{**PRODUCTION, "SITE_URL": value})
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


@pytest.mark.parametrize("value", ["https://example.org", "https://example.org/"])
def test_production_starts_with_its_required_settings(value):
    result = load_settings(**{**PRODUCTION, "SITE_URL": value})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        (None, "django.db.backends.sqlite3"),
        ("postgres://u:p@db.example:5432/t", "django.db.backends.postgresql"),
    ],
)
def test_database_url_picks_the_database(url, engine):
    result = load_settings(**({"DATABASE_URL": url} if url else {}))
    assert result.stdout.strip() == engine


def test_a_mistyped_debug_flag_is_refused():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.parametrize("value", ["one", "-1", "1.5", " 1"])
def test_a_proxy_count_that_is_no_whole_number_is_refused(value):
    result = load_settings(PROXY_COUNT=value)
    assert result.returncode != 0
    assert "PROXY_COUNT must be a whole number, 0 or more" in result.stderr


def test_a_proxy_count_behind_two_proxies_is_accepted():
    result = load_settings(PROXY_COUNT="2")
    assert result.returncode == 0, result.stderr


def test_the_app_server_sets_what_it_loaded_aside_from_the_garbage_collector():
    code = (
        "import gc, karabakh.wsgi;"
        " print(gc.get_freeze_count() > 10_000, gc.get_threshold()[0] >= 10_000)"
    )
    result = run_python("-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
