"""``/sitemap.xml``: every public page, for search engines (Django's sitemaps
framework): the chronology, every published event and its statements, and every actor
and source a published event shows (``public()``), each section a sitemap of its own,
in pages of 10,000 addresses (a sitemap may hold 50,000). ``/sitemap.xml`` is their index, whatever
their number, so that its address never changes shape as the record grows.

Every address in them comes from ``SITE_URL`` (timeline/links.py), never from the
request's Host header: Django's index view builds its sections' addresses from that
header (with the sites framework, from a database row), so the index is built here.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse

from timeline.links import absolute_url
from timeline.models import Actor, Event, Source, Statement


class SiteSitemap(Sitemap):
    """Addresses on ``SITE_URL``'s scheme and host (the request's only without it, in
    development, as timeline/links.py does), in pages of ``limit`` addresses: a page of
    the 50,000 a sitemap may hold was 4 MB, which took 160 ms to send (p95, at 100,000
    events); one of 10,000 is a fifth of it."""

    limit = 10_000

    def get_protocol(self, protocol=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).netloc
        return super().get_domain(site)


def last_change():
    """When a published event last changed (or was published): the chronology's last
    change, and the events' section's."""
    return Event.objects.published().aggregate(last=Max("updated"))["last"]


class PagesSitemap(SiteSitemap):
    """The pages that are not one record's."""

    def items(self):
        return ["timeline:chronology", "timeline:statements", "timeline:commitments",
                "timeline:about", "timeline:actors", "timeline:places", "timeline:sources",
                "timeline:data"]  # fmt: skip

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return last_change()


class EventSitemap(SiteSitemap):
    def items(self):
        return Event.objects.published().order_by("date_start", "slug").only("slug", "updated")

    def lastmod(self, event):
        return event.updated

    def get_latest_lastmod(self):
        # One query, where Django's default reads every item.
        return last_change()


class ActorSitemap(SiteSitemap):
    """Actors that a published event shows. Nothing records when an actor changed."""

    def items(self):
        return Actor.objects.public().order_by("slug").only("slug")


class SourceSitemap(SiteSitemap):
    """Sources that a published event cites or quotes."""

    def items(self):
        return Source.objects.public().order_by("slug").only("slug", "updated")

    def lastmod(self, source):
        return source.updated

    def get_latest_lastmod(self):
        return Source.objects.public().aggregate(last=Max("updated"))["last"]


class StatementSitemap(SiteSitemap):
    """The statements of published events, each at its own page (/statements/<id>/)."""

    def items(self):
        return Statement.objects.published().order_by("uid").only("uid")

    def location(self, statement):
        return statement.get_permalink()


SITEMAPS = {
    "pages": PagesSitemap,
    "events": EventSitemap,
    "actors": ActorSitemap,
    "sources": SourceSitemap,
    "statements": StatementSitemap,
}


def index(request) -> TemplateResponse:
    """Django's ``sitemaps.views.index``, its addresses from ``SITE_URL``: each section's
    sitemap and each further page of it (``?p=2``, ...), with when it last changed where
    that is known. Two queries a section, however many rows it has."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        path = reverse("timeline:sitemap-section", kwargs={"section": section})
        location = absolute_url(request, path)
        lastmod = sitemap.get_latest_lastmod()
        entries.append(sitemap_views.SitemapIndexItem(location, lastmod))
        for page in range(2, sitemap.paginator.num_pages + 1):
            entries.append(sitemap_views.SitemapIndexItem(f"{location}?p={page}", lastmod))
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


def section(request, name: str) -> str:
    """The page of section ``name`` that the request asks for (``?p=``, validated), by
    Django's view: a 404 for an unknown section or past its last page."""
    return sitemap_views.sitemap(request, SITEMAPS, section=name).render().content.decode()
