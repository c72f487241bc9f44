"""An editor at work in a real browser: sign in, record a statement through the
event's inline with autocomplete, publish, and find it on the public site."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.admin_forms import PASSWORD
from tests.factories import make_actor, make_event, make_source

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.same_on_every_database]


def choose(page, container, term: str, option: str):
    """Type ``term`` into the admin's autocomplete widget in ``container``; pick ``option``."""
    container.locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=option).click()


def test_an_editor_records_a_statement_publishes_the_event_and_readers_see_it(
    page, django_user_model
):
    editor = django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    source = make_source(slug="envoy-report", outlet="Example Wire", headline="Envoy's visit")
    make_actor(name="Special Envoy Example", slug="special-envoy-example")
    event = make_event(
        title="Envoy visits the region", publication="draft", sources=[source], slug="envoy-visit"
    )

    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="What needs an editor’s eye")).to_be_visible()

    page.goto(f"/admin/timeline/event/{event.pk}/change/")
    page.locator("#statements-group .add-row a").click()
    row = page.locator("#statements-0")
    choose(page, row.locator(".field-speaker"), "Envoy Ex", "Special Envoy Example")
    choose(page, row.locator(".field-source"), "Example Wire", "Example Wire: Envoy's visit")
    row.locator("textarea[name='statements-0-text']").fill("The envoy urged both sides to talk.")
    row.locator("select[name='statements-0-mode']").select_option("reported")
    row.locator("select[name='statements-0-speech_act']").select_option("urges")
    page.locator("select[name='publication']").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    page.goto(f"/admin/timeline/event/{event.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text("Publication:")
    page.goto("/admin/curation/")
    expect(page.get_by_role("heading", name="Curation queue")).to_be_visible()

    reader = page.context.browser.new_context(base_url=page.url.split("/admin/")[0])
    public = reader.new_page()
    public.goto("/events/envoy-visit/")
    statements = public.locator("#statements")
    expect(statements).to_contain_text("The envoy urged both sides to talk.")
    expect(statements).to_contain_text("Special Envoy Example")
    public.goto("/")
    expect(public.locator("#event-list")).to_contain_text("Envoy visits the region")
    reader.close()
