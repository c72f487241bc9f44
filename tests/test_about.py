"""/about/: what the timeline covers and is not, the documents it is built from and
what each covers, the editorial rules, how to cite it, and when the record last
changed, read from the data; the data's licence and a contact for corrections when
they are set."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_event, make_source, make_statement
from timeline.models import Event

pytestmark = pytest.mark.django_db
ABOUT = reverse("timeline:about")
D = datetime.date


def about(client) -> str:
    response = client.get(ABOUT)
    assert response.status_code == 200
    return response.content.decode()


def test_each_document_is_listed_with_its_outlet_date_account_and_what_it_covers(client):
    readout = make_source(outlet="ARMENPRESS", headline="Blinken calls Aliyev",
                          published=D(2023, 9, 27), origin="united-states")  # fmt: skip
    unnamed = make_source(outlet="", headline="Briefing", published=None, origin="unknown")
    make_event(sources=[readout], date_start=D(2022, 9, 13))
    make_event(sources=[readout, unnamed], date_start=D(2023, 9, 26))
    page = about(client)
    assert "Blinken calls Aliyev" in page
    assert readout.get_absolute_url() in page
    assert "ARMENPRESS" in page
    assert "27 September 2023" in page
    assert "<dt>Account of</dt><dd>United States</dd>" in page
    assert "2 events, 2022–2023" in page
    assert "outlet not named in the text" in page
    assert "not dated in the document" in page
    assert "1 event, 2023" in page
    assert "2 events from the 2 documents below" in page.replace("\n", " ")


def test_a_document_only_drafts_use_is_not_listed(client):
    make_event(sources=[make_source(headline="Seen")])
    make_event(sources=[make_source(headline="Draft only")], publication="draft")
    page = about(client)
    assert "Seen" in page
    assert "Draft only" not in page


def test_the_last_change_is_the_records_own_and_moves_with_an_edit(client):
    event = make_event()
    Event.objects.filter(pk=event.pk).update(
        updated=datetime.datetime(2024, 2, 3, 12, tzinfo=datetime.UTC)
    )
    assert 'last changed on <time datetime="2024-02-03' in about(client)
    event.title = "Renamed"
    event.save()
    today = datetime.date.today()
    assert f"{today.day} {today:%B %Y}" in about(client)


def test_the_licence_and_the_corrections_contact_are_shown_only_when_set(client, settings):
    make_event()
    assert "Licence and corrections" not in about(client)
    settings.DATA_LICENCE_NAME = "CC BY 4.0"
    settings.DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
    settings.CORRECTIONS_CONTACT = "corrections@example.org"
    page = about(client)
    assert (
        '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in page
    )
    assert '<a href="mailto:corrections@example.org">corrections@example.org</a>' in page


def test_the_page_says_the_documents_texts_remain_their_publishers(client):
    make_event()
    page = about(client)
    assert "remain their publishers" in page
    assert "How to cite it" in page
    assert "Editorial rules" in page


def test_every_page_links_to_it(client):
    event = make_event()
    for url in (reverse("timeline:chronology"), event.get_absolute_url()):
        assert f'href="{ABOUT}"' in client.get(url).content.decode()


def test_an_unknown_parameter_is_a_named_400(client):
    response = client.get(ABOUT + "?sort=newest")
    assert response.status_code == 400
    assert "sort" in response.content.decode()


def test_its_queries_do_not_grow_with_the_documents(client):
    make_statement()
    with CaptureQueriesContext(connection) as few:
        about(client)
    for _ in range(4):
        make_statement()
    with CaptureQueriesContext(connection) as more:
        about(client)
    assert len(more) == len(few)


def test_the_whole_chronology_says_what_it_is_drawn_from_and_links_here(client):
    source = make_source()
    make_event(sources=[source])
    make_event(sources=[source])
    make_event(sources=[make_source()], publication="draft")
    html = client.get(reverse("timeline:chronology")).content.decode()
    assert "2 events from 1 document; years with no event in these documents show empty." in html
    assert f'<a href="{ABOUT}">What the record covers' in html
    filtered = client.get(reverse("timeline:chronology"), {"kind": "talks"}).content.decode()
    assert "years with no event in these documents" not in filtered
    make_event(sources=[make_source()])
    html = client.get(reverse("timeline:chronology")).content.decode()
    assert "3 events from 2 documents; years with no event" in html


def test_the_site_header_leads_to_its_pages(client):
    make_event()
    html = client.get(ABOUT).content.decode()
    for name in ("chronology", "actors", "places", "sources", "about"):
        assert f'<li><a href="{reverse(f"timeline:{name}")}">' in html


def test_with_many_documents_it_describes_the_first_and_links_to_them_all(client):
    from timeline.views import ABOUT_DOCUMENTS

    for number in range(ABOUT_DOCUMENTS + 2):
        make_event(sources=[make_source(slug=f"doc-{number:02}", headline=f"Doc {number:02}")])
    html = client.get(ABOUT).content.decode()
    assert html.count('<dl class="facts">') == ABOUT_DOCUMENTS
    assert (
        f"from {ABOUT_DOCUMENTS + 2} documents (the first {ABOUT_DOCUMENTS} by date below" in html
    )
    assert f'<a href="{reverse("timeline:sources")}">every one in the list of sources</a>' in html
