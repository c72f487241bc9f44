"""Security headers, the Content Security Policy, and the production configuration."""

import json

import pytest
from django.urls import reverse

from tests.factories import make_event, make_statement
from tests.fresh_interpreter import PRODUCTION, run_python

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "results"}


def every_kind_of_response(client):
    statement = make_statement()
    event = statement.event
    return {
        "page": client.get(reverse("timeline:chronology")),
        "fragment": client.get(reverse("timeline:chronology"), headers=HTMX),
        "bad input": client.get(reverse("timeline:chronology"), {"from": "nope"}),
        "json": client.get(reverse("timeline:events-json")),
        "csv": client.get(reverse("timeline:events-csv")),
        "event": client.get(event.get_absolute_url()),
        "actor": client.get(statement.speaker.get_absolute_url()),
        "source": client.get(statement.source.get_absolute_url()),
        "not found": client.get("/no/such/page/"),
        "admin login": client.get(reverse("admin:login")),
    }


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_every_response_carries_the_security_headers(client):
    for name, response in every_kind_of_response(client).items():
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name


def test_every_response_carries_a_strict_content_security_policy(client):
    for name, response in every_kind_of_response(client).items():
        policy = csp_directives(response)
        for directive in ("script-src", "style-src"):
            assert "'self'" in policy[directive], name
            assert "'unsafe-inline'" not in policy[directive], name
            assert "'unsafe-eval'" not in policy[directive], name
        assert policy["object-src"] == ["'none'"], name
        assert policy["base-uri"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert "'unsafe-inline'" not in policy["default-src"], name


def test_public_pages_have_no_inline_script_or_style(client):
    for name in ("page", "fragment", "event", "actor", "source", "not found"):
        html = every_kind_of_response(client)[name].content.decode()
        for tag in ("<script", "<style"):
            for position in [i for i in range(len(html)) if html.startswith(tag, i)]:
                opening = html[position : html.index(">", position)]
                assert "src=" in opening or 'type="application/ld+json"' in opening, (
                    f"{name}: inline {opening}"
                )
        assert " style=" not in html, name


def test_the_production_configuration_passes_the_deploy_check():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
login = client.get("/admin/login/", secure=True, headers={"host": "timeline.example.org"})
plain = client.get("/no/such/page/", headers={"host": "timeline.example.org"})
cookie = login.cookies["__Host-csrftoken"]
print(json.dumps({
    "status": login.status_code,
    "hsts": login.get("Strict-Transport-Security"),
    "cookie": {"secure": cookie["secure"], "httponly": cookie["httponly"], "path": cookie["path"],
               "domain": cookie["domain"], "samesite": cookie["samesite"]},
    "session_cookie_name": __import__("django.conf").conf.settings.SESSION_COOKIE_NAME,
    "plain_http": [plain.status_code, plain.get("Location")],
}))
"""


def test_production_sends_hsts_redirects_to_https_and_sets_host_prefixed_secure_cookies(
    tmp_path,
):
    result = run_python(
        "-c",
        PRODUCTION_PROBE,
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="karabakh.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["cookie"]["secure"] is True
    assert seen["cookie"]["httponly"] is True
    assert (seen["cookie"]["path"], seen["cookie"]["domain"]) == ("/", "")
    assert seen["session_cookie_name"] == "__Host-sessionid"
    assert seen["plain_http"] == [301, "https://timeline.example.org/no/such/page/"]


def test_a_draft_is_neither_listed_nor_cached_for_readers(client):
    draft = make_event(publication="draft", title="Not yet public")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Not yet public" not in client.get(reverse("timeline:chronology")).content.decode()


def test_public_pages_are_compressed_and_admin_pages_are_not(client, admin_client):
    gzip = {"Accept-Encoding": "gzip, deflate, br"}
    for name, response in every_kind_of_response(client).items():
        if name in ("not found", "admin login", "bad input"):
            continue
        compressed = client.get(response.request["PATH_INFO"], headers=gzip)
        assert compressed["Content-Encoding"] == "gzip", name
        assert "Accept-Encoding" in compressed["Vary"], name
    admin_page = admin_client.get(reverse("admin:index"), headers=gzip)
    assert not admin_page.has_header("Content-Encoding")
    assert (
        "csrfmiddlewaretoken" in admin_client.get(reverse("admin:password_change")).content.decode()
    )


def test_public_pages_carry_no_csrf_token_to_leak(client):
    for name, response in every_kind_of_response(client).items():
        if name == "admin login":
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"csrf" not in body.lower(), name
        assert "csrftoken" not in response.cookies, name
