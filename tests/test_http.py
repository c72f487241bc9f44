"""What monitors, link checkers and browsers ask of any site: HEAD, /favicon.ico, and a
designed page when a form's CSRF check fails."""

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
from django.urls import reverse

from tests.admin_forms import PASSWORD
from tests.factories import make_statement

pytestmark = pytest.mark.django_db


def public_urls() -> dict[str, str]:
    statement = make_statement()
    return {
        "chronology": reverse("timeline:chronology"),
        "filtered": reverse("timeline:chronology") + "?kind=meeting",
        "json": reverse("timeline:events-json"),
        "csv": reverse("timeline:events-csv"),
        "atom": reverse("timeline:events-atom"),
        "sitemap": reverse("timeline:sitemap"),
        "sitemap section": reverse("timeline:sitemap-section", kwargs={"section": "events"}),
        "robots": reverse("timeline:robots"),
        "event": statement.event.get_absolute_url(),
        "actor": statement.speaker.get_absolute_url(),
        "source": statement.source.get_absolute_url(),
        "favicon": "/favicon.ico",
    }


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_head_answers_like_get_without_a_body_on_every_public_url(client):
    for name, url in public_urls().items():
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code, name
        assert get.status_code in (200, 301), name
        assert head.get("Content-Type") == get.get("Content-Type"), name
        assert head.get("Location") == get.get("Location"), name
        assert body(head) == b"", name


def test_favicon_ico_redirects_for_good_to_the_sites_hashed_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == staticfiles_storage.url("favicon.svg")
    assert response["Location"] != "/static/favicon.svg"  # the hashed name, cacheable for ever
    assert "max-age=86400" in response["Cache-Control"]
    html = client.get(reverse("timeline:chronology")).content.decode()
    assert f'<link rel="icon" href="{response["Location"]}" type="image/svg+xml">' in html


def test_a_post_without_a_csrf_token_gets_the_sites_own_403_page(editor):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "editor", "password": PASSWORD})
    assert response.status_code == 403
    html = response.content.decode()
    assert '<section class="error-page"' in html
    assert "This form could not be sent." in html
    assert "<style" not in html
    assert "style=" not in html
    assert "_auth_user_id" not in client.session
