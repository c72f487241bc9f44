import datetime
import json

from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from django_htmx.middleware import HtmxDetails

from timeline import chronology as chrono
from timeline import exports
from timeline.errors import problem_response
from timeline.forms import (
    ActorPages,
    ChronologyFilter,
    Cursor,
    NoParameters,
    PassageCursorField,
    SourcePages,
)
from timeline.highlighting import highlight
from timeline.links import absolute_url
from timeline.models import Actor, Event, EventActor, Source, Statement

# Public pages are compressed (gzip_page): they hold no secret, such as a CSRF token,
# that an attacker could recover by watching compressed sizes (BREACH). The admin,
# whose forms carry tokens, is not.


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# Which part of the chronology page an htmx request wants, by the element it targets.
CHRONOLOGY_PARTIALS = {"results": "results", "show-more": "page", "chronology": "chronology"}


@require_safe
@gzip_page
def chronology(request: HtmxHttpRequest) -> TemplateResponse:
    form = ChronologyFilter.from_request(request)
    events = Event.objects.published()
    if form.is_valid():
        context, status = chrono.page_context(request, form, events), 200
    else:
        context, status = chrono.invalid_context(form), 400
    template = "timeline/chronology.html"
    if request.htmx and not request.htmx.history_restore_request:
        partial = CHRONOLOGY_PARTIALS.get(request.htmx.target, "chronology")
        if status == 400 and partial == "page":
            # "Show more" swaps the next page in place of its link: when the address has
            # a problem, the problem takes the link's place instead of an empty page.
            partial = "errors"
        template += "#" + partial
        # Only a swap of the results alone brings the facet counts along out of band.
        context["swap_facets"] = partial == "results"
    response = TemplateResponse(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@require_safe
@gzip_page
def events_json(request: HttpRequest) -> JsonResponse:
    form = ChronologyFilter.from_request(request)
    if not form.is_valid():
        return problem_response(request, 400, form.error_list())
    matching = form.apply(Event.objects.published())
    page = chrono.Page(matching, form.cleaned_data.get("cursor"))
    statements = exports.statements_by_event(page.events)
    next_url = None
    if page.next_cursor:
        next_url = absolute_url(
            request,
            reverse("timeline:events-json")
            + chrono.query_with(request.GET, cursor=page.next_cursor),
        )
    return JsonResponse(
        {
            "count": matching.count(),
            "next": next_url,
            "results": [
                exports.event_as_json(request, event, statements.get(event.pk, []))
                for event in page.events
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def events_csv(request: HttpRequest):
    form = ChronologyFilter.from_request(request)
    if not form.is_valid():
        return problem_response(request, 400, form.error_list())
    if not form.is_filtered():
        # Served like a static file, with its length: not compressed on the fly.
        return exports.full_csv_response(request)
    return filtered_csv(request, form.apply(Event.objects.published()))


@gzip_page
def filtered_csv(request: HttpRequest, events):
    # The events are found before the 200 goes out, so that an outage or a filter
    # past the time limit is the designed 503, not a cut-off file.
    return exports.csv_response(request, events)


def invalid_query(request, form) -> TemplateResponse:
    """A 400 page naming what is wrong with the query string of an event's, actor's
    or source's page."""
    return TemplateResponse(
        request, "timeline/query_error.html", {"errors": form.error_list()}, status=400
    )


@require_safe
@gzip_page
def event_detail(request: HtmxHttpRequest, slug: str) -> TemplateResponse:
    visible = Event.objects.visible_to(request.user)
    event = get_object_or_404(visible.prefetch_related("places", "sources"), slug=slug)
    parameters = NoParameters.from_request(request)
    if not parameters.is_valid():
        return invalid_query(request, parameters)
    roles = EventActor.objects.filter(event=event).select_related("actor")
    statements = (
        event.statements.select_related("speaker", "source")
        .prefetch_related("addressees")
        .in_source_order()
    )
    previous, following = visible.neighbours(event)
    response = TemplateResponse(
        request,
        "timeline/event.html",
        {
            "event": event,
            "mark": chrono.KIND_MARKS.get(event.kind, "•"),
            "roles": roles,
            "accounts": chrono.accounts(statements),
            "previous": previous,
            "next": following,
            "today": datetime.date.today(),
            "permalink": absolute_url(request, event.get_absolute_url()),
            "json_ld": json_ld(exports.event_as_schema_org(request, event)),
        },
    )
    shown = [event, *filter(None, [previous, following])]
    return staff_preview(response, all(e.is_published for e in shown))


COUNTERPARTS_SHOWN = 20


@require_safe
@gzip_page
def actor_detail(request: HtmxHttpRequest, slug: str) -> TemplateResponse:
    visible = Actor.objects.visible_to(request.user).with_publicity()
    actor = get_object_or_404(visible.select_related("affiliation"), slug=slug)
    pages = ActorPages.from_request(request)
    if not pages.is_valid():
        return invalid_query(request, pages)
    events = Event.objects.published().involving(actor.slug)
    event_page, next_events = chrono.page_of(
        events.chronological().after(pages.cleaned_data["events"]), Cursor.encode
    )
    statement_page, next_statements = chrono.page_of(
        Statement.objects.published()
        .by(actor)
        .select_related("event", "source")
        .in_pages()
        .after(pages.cleaned_data["statements"]),
        lambda statement: Cursor.pack(statement.event.date_start, statement.pk),
    )
    # An affiliation no published event shows is named (it is a fact about this actor),
    # but not linked: its page is not public.
    affiliation_page = actor.affiliation_id and visible.filter(pk=actor.affiliation_id).first()
    members = list(visible.filter(affiliation=actor).order_by("name"))
    counterparts = [
        {**row, "url": chrono.pair_url(actor.slug, row["actor__slug"])}
        for row in events.count_by_actor(limit=COUNTERPARTS_SHOWN + 1)
        if row["actor__slug"] != actor.slug
    ][:COUNTERPARTS_SHOWN]
    response = TemplateResponse(
        request,
        "timeline/actor.html",
        {
            "actor": actor,
            "affiliation_page": affiliation_page,
            "events": event_page,
            "more_events": next_events and chrono.query_with(request.GET, events=next_events),
            "statements": statement_page,
            "more_statements": next_statements
            and chrono.query_with(request.GET, statements=next_statements),
            "paged": any(pages.cleaned_data.values()),
            "members": members,
            "counterparts": counterparts,
            "counterparts_capped": len(counterparts) == COUNTERPARTS_SHOWN,
        },
    )
    shown = [actor, *members, *filter(None, [affiliation_page])]
    return staff_preview(response, all(a.is_public for a in shown))


@require_safe
@gzip_page
def source_detail(request: HtmxHttpRequest, slug: str) -> TemplateResponse:
    source = get_object_or_404(Source.objects.visible_to(request.user).with_publicity(), slug=slug)
    pages = SourcePages.from_request(request)
    if not pages.is_valid():
        return invalid_query(request, pages)
    # The text is shown whole, every published statement highlighted in it (in time that
    # grows with their number); the list of them below it comes in pages.
    statements = Statement.objects.published().in_source(source).select_related("event", "speaker")
    statement_page, next_statements = chrono.page_of(
        statements.in_text_order().after_passage(pages.cleaned_data["statements"]),
        PassageCursorField.encode,
    )
    event_page, next_events = chrono.page_of(
        source.events.published().chronological().after(pages.cleaned_data["events"]),
        Cursor.encode,
    )
    response = TemplateResponse(
        request,
        "timeline/source.html",
        {
            "source": source,
            "segments": highlight(source.text, list(statements.order_by("start", "-end"))),
            "statements": statement_page,
            "more_statements": next_statements
            and chrono.query_with(request.GET, statements=next_statements),
            "events": event_page,
            "more_events": next_events and chrono.query_with(request.GET, events=next_events),
            "paged": any(pages.cleaned_data.values()),
        },
    )
    return staff_preview(response, source.is_public)


def staff_preview(response, public: bool):
    """A page that shows staff what readers cannot see yet (a draft, an actor or a source
    no published event shows) is theirs alone: no browser, proxy or page cache keeps it."""
    if not public:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """/favicon.ico, which browsers and crawlers ask for unprompted: the site's icon.
    Its hashed name changes with it, so browsers keep the redirect a day, not for ever."""
    response = HttpResponsePermanentRedirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=86400)
    return response


def json_ld(data) -> str:
    """JSON for a <script type="application/ld+json"> block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False)
    escapes = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
    return mark_safe(text.translate(escapes))
