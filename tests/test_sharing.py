"""Links that survive sharing (timeline/sharing.py): the tracking parameters that
newsletters and social networks add answer a 301 to the same page without them, on
every public page; any other unknown parameter is still a 400 that names it."""

import pytest
from django.urls import reverse

from tests.factories import make_statement
from timeline.sharing import TrackingParametersMiddleware, without_tracking

pytestmark = pytest.mark.django_db
HOME = reverse("timeline:chronology")


@pytest.fixture
def pages():
    statement = make_statement()
    return {
        "chronology": HOME,
        "json": reverse("timeline:events-json"),
        "csv": reverse("timeline:events-csv"),
        "atom": reverse("timeline:events-atom"),
        "sitemap": reverse("timeline:sitemap"),
        "robots": reverse("timeline:robots"),
        "event": statement.event.get_absolute_url(),
        "actor": statement.speaker.get_absolute_url(),
        "source": statement.source.get_absolute_url(),
    }


@pytest.mark.parametrize(
    "tracking",
    ["utm_source=newsletter", "utm_medium=email&utm_campaign=sept", "fbclid=IwAR0abc",
     "gclid=1", "mc_cid=ab12&mc_eid=cd34", "msclkid=9", "srsltid=AfmB0o"],
)  # fmt: skip
def test_a_shared_link_leads_to_the_page_without_its_tracking_parameters(client, pages, tracking):
    for name, path in pages.items():
        response = client.get(f"{path}?{tracking}")
        assert response.status_code == 301, name
        assert response["Location"] == path, name
        assert client.get(response["Location"]).status_code == 200, name


def test_the_pages_own_parameters_are_kept_as_they_were_sent(client):
    response = client.get(HOME + "?q=lachin+road&utm_source=x&kind=talks&fbclid=1")
    assert response.status_code == 301
    assert response["Location"] == HOME + "?q=lachin+road&kind=talks"
    assert client.get(HOME + "?kind=talks&utm_content=a%20b").headers["Location"] == (
        HOME + "?kind=talks"
    )


def test_a_head_request_is_redirected_too_and_a_post_is_not(client):
    assert client.head(HOME + "?utm_source=x").status_code == 301
    assert client.post(HOME + "?utm_source=x").status_code == 405


def test_the_redirect_carries_the_security_headers(client):
    response = client.get(HOME + "?fbclid=1")
    assert response.status_code == 301
    assert "Content-Security-Policy" in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_any_other_unknown_parameter_is_still_a_400_that_names_it(client, pages):
    for name in ("chronology", "atom", "sitemap", "event", "actor", "source"):
        response = client.get(pages[name] + "?utm=1&fbclid_x=2")
        assert response.status_code == 400, name
        assert "utm" in response.content.decode(), name


def test_only_parameters_named_exactly_so_are_tracking_ones():
    assert without_tracking("q=utm_source&kind=talks") is None
    assert without_tracking("utm_source=a") == ""
    assert without_tracking("FBCLID=1") is None  # names are case-sensitive
    assert without_tracking("%75tm_source=a&q=x") == "q=x"  # an encoded name is decoded


def test_a_path_that_names_another_host_is_redirected_on_this_one(rf):
    request = rf.get("/?utm_source=x")
    request.path = "//evil.example/"  # as a request for "//evil.example/?utm_source=x" has it
    response = TrackingParametersMiddleware(lambda request: None)(request)
    assert response.status_code == 301
    assert response["Location"] == "/%2Fevil.example/"
