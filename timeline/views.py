"""The public pages: the chronology, its JSON, CSV and Atom feed, the pages of an
event, an actor and a source, the index pages of actors, places and sources, the
About page, and what crawlers ask for (robots.txt, the sitemap). Each view validates
its query string with a form, asks the domain's QuerySets for its rows and renders;
the htmx fragments of a page are its own template's partials, served from the same
URL. What every reader of a page sees alike is kept rendered for the version of the
records (timeline/caching.py), and not asked for again while it is kept."""

import datetime
import functools
import json

from django.conf import settings
from django.contrib.sitemaps.views import x_robots_tag
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router
from django.db.models import Max, Q, prefetch_related_objects
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from django_htmx.middleware import HtmxDetails

from timeline import (
    actor_page,
    comparison,
    data_docs,
    exports,
    feeds,
    heads,
    record_index,
    relays,
    sitemaps,
    statement_page,
)
from timeline import chronology as chrono
from timeline.caching import HTMX_HEADERS, Fragments, fragments_version
from timeline.counts import Counts
from timeline.directory import DIRECTORIES, DirectoryFilter
from timeline.directory import PAGE_SIZE as DIRECTORY_PAGE_SIZE
from timeline.errors import problem_response
from timeline.event_page import accounts
from timeline.forms import (
    ActorPages,
    ChoicesFilter,
    ChronologyFilter,
    FeedFilter,
    NoParameters,
    SitemapPages,
    SourcePages,
)
from timeline.highlighting import highlight
from timeline.keyset import page_of
from timeline.links import absolute_url
from timeline.models import (
    Actor,
    Event,
    EventLink,
    FormerSlug,
    Origin,
    Source,
    Statement,
    StatementLink,
)
from timeline.querysets import add_listing_details, can_preview

# Public pages are compressed (gzip_page): they hold no secret, such as a CSRF token,
# that an attacker could recover by watching compressed sizes (BREACH). The admin,
# whose forms carry tokens, is not.


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# Which part of the chronology page an htmx request wants, by the element it targets.
CHRONOLOGY_PARTIALS = {"results": "results", "show-more": "more", "chronology": "chronology"}


@require_safe
@gzip_page
def chronology(request: HtmxHttpRequest) -> TemplateResponse:
    events = Event.objects.published()
    version = fragments_version(request, events.db)  # before anything else is read
    form = ChronologyFilter.from_request(
        request, index=record_index.for_version(version, events.db)
    )
    partial = None
    if request.htmx and not request.htmx.history_restore_request:
        partial = CHRONOLOGY_PARTIALS.get(request.htmx.target, "chronology")
    # "Show more" swaps in, in place of its link, only the events it adds.
    more = partial == "more"
    fragments = None
    if form.is_valid():
        keys = chrono.fragment_keys(form, more=more)
        fragments = Fragments(version, keys, using=events.db, also=Counts.keys(form, version))
        context, status = chrono.page_context(form, events, fragments, more=more), 200
        context["head"] = heads.chronology(request, form, context["count"])
    else:
        context, status = chrono.invalid_context(form), 400
        if more:
            # When the address has a problem, the problem takes the link's place instead
            # of an empty page.
            partial = "errors"
    template = "timeline/chronology.html"
    if partial:
        template += "#" + partial
        # Only a swap of the results alone brings the facet counts along out of band;
        # every swap tells the live region, which stays in place, what the results hold
        # now.
        context["swap_facets"] = partial == "results"
        context["swapped"] = True
    response = TemplateResponse(request, template, context, status=status)
    if fragments is not None:
        response.add_post_render_callback(fragments.keep)
    patch_vary_headers(response, HTMX_HEADERS)
    return response


@require_safe
@gzip_page
def choices(request: HttpRequest, name: str) -> TemplateResponse:
    """/choose/actor/ or /choose/place/: every choice of that facet in the chronology's
    view that the query string gives, with its count, each a link that toggles it in
    that view; ``name`` narrows them to those whose name has its words."""
    if name not in chrono.CHOOSABLE:
        raise Http404
    events = Event.objects.published()
    version = fragments_version(request, events.db)  # before anything else is read
    form = ChoicesFilter.from_request(request, index=record_index.for_version(version, events.db))
    if not form.is_valid():
        return invalid_query(request, form)
    here = reverse("timeline:chronology")
    # The list is the same for every reader of the same view and words: kept rendered.
    words = form.cleaned_data["name"]
    fragments = Fragments(version, {"choices": f"{name}{form.query()}#{words}"}, using=events.db)
    context = {
        "form": form,
        "facet": form.fields[name],
        "name": name,
        "fragments": fragments,
        "back": here + form.query(),
        "state": [(key, value) for key, values in form.values().items() for value in values],
        "head": heads.choices(request, form, name),
    }
    if "choices" not in fragments:
        found = Counts(form, events, version=version).every(name)
        fragments.complete = lambda: found is not None  # a count skipped is kept nowhere
        folded, chosen = words.casefold().split(), set(form.cleaned_data.get(name, []))
        context["counted"], context["words"] = found is not None, words
        context["rows"] = [
            {
                "label": row[f"{name}__name"],
                "count": row["n"],
                "chosen": row[f"{name}__slug"] in chosen,
                "url": here + form.toggling(name, row[f"{name}__slug"]),
            }
            for row in found or []
            if all(word in row[f"{name}__name"].casefold() for word in folded)
        ]
    response = TemplateResponse(request, "timeline/choices.html", context)
    response.add_post_render_callback(fragments.keep)
    return response


@require_safe
@gzip_page
def events_json(request: HttpRequest) -> HttpResponse:
    events = Event.objects.published()
    version = fragments_version(request, events.db)  # before anything else is read
    form = ChronologyFilter.from_request(
        request, index=record_index.for_version(version, events.db)
    )
    if not form.is_valid():
        return problem_response(request, 400, form.error_list())
    # A page of it is the same for every reader: kept whole, as the chronology's page of
    # events is (its links name the site).
    where = absolute_url(request, "/") + chrono.fragment_keys(form)["page"]
    fragments = Fragments(
        version, {"json": where}, using=events.db, also=Counts.keys(form, version)
    )

    def body() -> str:
        counts = Counts(form, events, version=version, batch=fragments.batch)
        fragments.complete = lambda: not counts.skipped
        page = chrono.events_page(form, counts)
        # Ready, cached, from the record's index or counted under the time budget (None
        # when skipped for time).
        count = counts.values("count")["count"]
        statements = exports.statements_by_event(page.rows)
        record = exports.record_of(page.rows)
        next_url = None
        if page.next:
            # The next page as long as this one (``shown``, when given).
            shown = form.cleaned_data.get("shown")
            query = form.query(cursor=page.next, shown=str(shown) if shown else None)
            next_url = absolute_url(request, reverse("timeline:events-json") + query)
        data = {
            "count": count,
            "next": next_url,
            "results": [
                exports.event_as_json(
                    request, event, statements.get(event.pk, []), record[event.pk]
                )
                for event in page.rows
            ],
        }
        return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)

    response = HttpResponse(fragments.render("json", body), content_type="application/json")
    fragments.keep()
    return response


@require_safe
@gzip_page
def events_csv(request: HttpRequest):
    form = ChronologyFilter.from_request(request)
    if not form.is_valid():
        return problem_response(request, 400, form.error_list())
    if not form.is_filtered() and not form.newest_first():
        # The prebuilt file, served like a static file with its length (its gzip copy
        # too, which the compression leaves alone), or streamed while it is built.
        return exports.full_csv_response(exports.EVENTS, request)
    # The events are found before the 200 goes out, so that an outage or a filter
    # past the time limit is the designed 503, not a cut-off file.
    events = form.apply(Event.objects.published())
    return exports.csv_response(request, events, newest=form.newest_first())


@require_safe
@gzip_page
def events_atom(request: HttpRequest) -> HttpResponse:
    events = Event.objects.published()
    version = fragments_version(request, events.db)  # before anything else is read
    form = FeedFilter.from_request(request, index=record_index.for_version(version, events.db))
    if not form.is_valid():
        return problem_response(request, 400, form.error_list())
    # The same for every reader of these filters: kept whole, as a page of /events.json is
    # (its links name the site).
    where = absolute_url(request, "/") + form.query()
    fragments = Fragments(version, {"atom": where}, using=events.db)
    body = fragments.render("atom", lambda: feeds.atom(request, form))
    response = HttpResponse(body, content_type=feeds.CONTENT_TYPE)
    fragments.keep()
    return response


class Moved(Exception):
    """The slug asked for is a former one: the record's address is now ``url``."""

    def __init__(self, url: str):
        self.url = url


def by_slug(request, queryset, slug: str):
    """The row of ``queryset`` (events or actors) with ``slug``; for a slug a rename
    left behind, Moved (with the row's address now, the query string kept); else 404."""
    found = queryset.filter(slug=slug).first()
    if found is not None:
        return found
    field = queryset.model._meta.model_name
    former = (
        FormerSlug.objects.filter(slug=slug, **{f"{field}__in": queryset})
        .select_related(field)
        .first()
    )
    if former is None:
        raise Http404
    url = getattr(former, field).get_absolute_url()
    if request.path.endswith(".json"):
        url = reverse("timeline:event-json", kwargs={"slug": former.event.slug})
    query = request.META.get("QUERY_STRING", "")
    raise Moved(url + (f"?{query}" if query else ""))


def follows_renames(view):
    """A view of a record by slug whose former slugs answer 301 to its address now."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Moved as moved:
            return HttpResponsePermanentRedirect(moved.url)

    return wrapped


def invalid_query(request, form) -> TemplateResponse:
    """A 400 page naming what is wrong with the query string of an event's, actor's
    or source's page."""
    return TemplateResponse(
        request, "timeline/query_error.html", {"errors": form.error_list()}, status=400
    )


@require_safe
@gzip_page
@follows_renames
def event_detail(request: HtmxHttpRequest, slug: str) -> TemplateResponse:
    visible = Event.objects.visible_to(request.user)
    version = fragments_version(request, visible.db)  # before anything else is read
    event = by_slug(request, visible, slug)
    parameters = NoParameters.from_request(request)
    if not parameters.is_valid():
        return invalid_query(request, parameters)
    permalink = absolute_url(request, event.get_absolute_url())
    # All but the date of access in its citation is the same for every reader.
    fragments = Fragments(version, {"json-ld": permalink, "event": permalink}, using=visible.db)
    context = {
        "event": event,
        "today": datetime.date.today(),
        "permalink": permalink,
        "fragments": fragments,
        "head": heads.event(request, event),
    }
    shown = [event]
    if "json-ld" not in fragments or "event" not in fragments:
        context.update(event_body(request, event, visible, version))
        shown += filter(None, [context["previous"], context["next"]])
    response = TemplateResponse(request, "timeline/event.html", context)
    response.add_post_render_callback(fragments.keep)
    return staff_preview(response, all(e.is_published for e in shown))


@require_safe
@gzip_page
@follows_renames
def event_json(request: HttpRequest, slug: str) -> HttpResponse:
    """/events/<slug>.json: an event as /events.json lists it, with its statements,
    their relays, its links to other events and the numbers its sources give."""
    visible = Event.objects.visible_to(request.user)
    event = by_slug(request, visible, slug)
    parameters = NoParameters.from_request(request)
    if not parameters.is_valid():
        return problem_response(request, 400, parameters.error_list())
    add_listing_details([event], visible.db)
    statements = exports.statements_by_event([event]).get(event.pk, [])
    record = exports.record_of([event])[event.pk]
    data = exports.event_as_json(request, event, statements, record)
    # Its own statements, as read for the JSON, and those about it: the accounts compared.
    compared = comparison.compare(event, statements, statements_concerning(event))
    data.update(comparison.as_json(compared))
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json")
    return staff_preview(response, event.is_published)


def event_body(request, event, visible, version: int | None) -> dict:
    """What an event's page shows besides the event: its places, sources (in JSON-LD
    too), actors and statements, and the events before and after it among those
    ``visible`` (the records at ``version``, for a reader)."""
    # Its actors, places and sources as a chronology entry lists them (only the columns
    # shown: a source's text is a whole document, shown on its own page).
    add_listing_details([event], visible.db)
    drafts_too = can_preview(request.user)
    own, mentioned = statements_about(event, drafts_too)
    previous, following = neighbours(event, visible, version)
    return {
        "json_ld": json_ld(exports.event_as_schema_org(request, event)),
        "accounts": accounts(own),
        "mentioned": mentioned,
        "comparison": comparison.compare(event, own, mentioned),
        "related": related_events(event, drafts_too),
        "corrections": event.corrections.all(),
        "quantities": event.quantities.select_related("source", "statement").defer("source__text"),
        "previous": previous,
        "next": following,
    }


def with_their_parts():
    """Statements read with their speaker, source (not its whole text) and occasion."""
    return Statement.objects.select_related("speaker", "source", "event").defer("source__text")


def statements_concerning(event, drafts_too: bool = False) -> list:
    """The statements made on other occasions that concern ``event`` (published ones, or
    all ``drafts_too``), by their occasion's date, in one query."""
    mentioned = with_their_parts().filter(concerns=event)
    if not drafts_too:
        mentioned = mentioned.published()
    return list(mentioned.order_by("event__date_start", "source__slug", "start"))


def statements_about(event, drafts_too: bool = False) -> tuple[list, list]:
    """The statements made on ``event``, in their sources' order, and those made on other
    occasions that concern it (``statements_concerning``); each with its relays and
    addressees, in four queries whatever their number."""
    own = list(with_their_parts().filter(event=event).in_source_order())
    mentioned = statements_concerning(event, drafts_too)
    # The relays and addressees of both, read once.
    prefetch_related_objects([*own, *mentioned], "addressees")
    relays.attach([*own, *mentioned])
    return own, mentioned


def related_events(event, drafts_too: bool = False) -> list[dict]:
    """The links between ``event`` and the published events (all events, ``drafts_too``),
    in both directions, each worded from this event's side ("ends", "ended by"), with the
    sources (and statement) that make it; one entry per other event and relation."""
    links = (
        EventLink.objects.filter(Q(from_event=event) | Q(to_event=event))
        .select_related("from_event", "to_event", "source", "statement")
        .defer("source__text", "statement__text")
        .order_by("relation", "pk")
    )
    found: dict[tuple, dict] = {}
    for link in links:
        outgoing = link.from_event_id == event.pk
        other = link.to_event if outgoing else link.from_event
        if not (drafts_too or other.is_published):
            continue
        words = link.get_relation_display() if outgoing else link.inverse_label
        entry = found.setdefault(
            (words, other.pk), {"words": words, "event": other, "sources": [], "statements": []}
        )
        entry["sources"].append(link.source)
        if link.statement:
            entry["statements"].append(link.statement)
    return list(found.values())


def neighbours(event, visible, version: int | None) -> tuple:
    """The events just before and after ``event`` among those ``visible`` (either may be
    None). For a reader, whose events are the published ones, the record's index at
    ``version`` knows which they are, and one query fetches both; otherwise (staff see
    drafts too, or no version) the database finds each."""
    index = record_index.for_version(version, visible.db)
    ids = index.neighbours(event.pk) if index is not None else None
    if ids is None:
        return visible.neighbours(event)
    before, after = ids
    found = {e.pk: e for e in visible.filter(pk__in=[pk for pk in (before, after) if pk])}
    return found.get(before), found.get(after)


COUNTERPARTS_SHOWN = 20


@require_safe
@gzip_page
@follows_renames
def actor_detail(request: HtmxHttpRequest, slug: str) -> TemplateResponse:
    visible = Actor.objects.visible_with_publicity(request.user)
    version = fragments_version(request, visible.db)  # before anything else is read
    actor = by_slug(request, visible.select_related("affiliation"), slug)
    pages = ActorPages.from_request(request)
    if not pages.is_valid():
        return invalid_query(request, pages)
    # Its body is the same for every reader of this page of it (its statements' printed
    # addresses name the site).
    here = absolute_url(request, actor.get_absolute_url()) + pages.query()
    fragments = Fragments(version, {"actor": here}, using=visible.db)
    context, shown = {"actor": actor, "fragments": fragments}, [actor]
    context["head"] = heads.actor(request, actor, pages)
    if "actor" not in fragments:
        context.update(actor_body(actor, visible, pages))
        shown += [*context["members"], *filter(None, [context["affiliation_page"]])]
    response = TemplateResponse(request, "timeline/actor.html", context)
    response.add_post_render_callback(fragments.keep)
    return staff_preview(response, all(a.is_public for a in shown))


def actor_body(actor, visible, pages) -> dict:
    """What an actor's page shows besides the actor: the pages of its events and
    statements that ``pages`` asks for, its affiliation and members among the actors
    ``visible``, its counterparts, and the newest of what it asked for and promised and
    of what others said to or about it (timeline/actor_page.py)."""
    events = Event.objects.published().involving(actor.slug)
    after_events, after_statements = pages.cleaned_data["events"], pages.cleaned_data["statements"]
    event_page = page_of(
        events.chronological().after(after_events), pages.fields["events"].encode, after_events
    )
    statement_page = page_of(
        Statement.objects.published()
        .by(actor)
        .select_related("event", "source", "speaker")
        .defer("source__text")
        .in_pages()
        .after(after_statements),
        pages.fields["statements"].encode,
        after_statements,
    )
    # An affiliation no published event shows is named (it is a fact about this actor),
    # but not linked: its page is not public.
    affiliation_page = actor.affiliation_id and visible.filter(pk=actor.affiliation_id).first()
    chronology = reverse("timeline:chronology")
    counterparts = [
        {
            **row,
            "url": chronology + ChronologyFilter.query_for(actor=[actor.slug, row["actor__slug"]]),
        }
        for row in events.counterparts(actor, limit=COUNTERPARTS_SHOWN)
    ]
    return {
        "affiliation_page": affiliation_page,
        "events": event_page.rows,
        "more_events": event_page.next and pages.query(events=event_page.next),
        "statements": relays.attach(statement_page.rows),
        "more_statements": statement_page.next and pages.query(statements=statement_page.next),
        "paged": any(pages.cleaned_data.values()),
        "members": list(visible.members_of(actor)),
        "counterparts": counterparts,
        "counterparts_capped": len(counterparts) == COUNTERPARTS_SHOWN,
        **actor_page.sections(actor),
    }


@require_safe
@gzip_page
def source_detail(request: HtmxHttpRequest, slug: str) -> TemplateResponse:
    visible = Source.objects.visible_with_publicity(request.user)
    version = fragments_version(request, visible.db)  # before anything else is read
    source = get_object_or_404(visible, slug=slug)
    pages = SourcePages.from_request(request)
    if not pages.is_valid():
        return invalid_query(request, pages)
    # Its body is the same for every reader of this page of it (its statements' printed
    # addresses name the site).
    here = absolute_url(request, source.get_absolute_url()) + pages.query()
    fragments = Fragments(version, {"source": here}, using=visible.db)
    context = {"source": source, "fragments": fragments}
    context["head"] = heads.source(request, source, pages)
    if "source" not in fragments:
        context.update(source_body(source, pages))
    response = TemplateResponse(request, "timeline/source.html", context)
    response.add_post_render_callback(fragments.keep)
    return staff_preview(response, source.is_public)


def source_body(source, pages) -> dict:
    """What a source's page shows besides the source: its text, every published
    statement highlighted in it, and the pages of its statements and events that
    ``pages`` asks for."""
    # The text is shown whole, every published statement highlighted in it (in time that
    # grows with their number); the list of them below it comes in pages. Read through the
    # source, each knows it without a query: its passage's address names it.
    # One query reads them all, in text order; the page of them is sliced from it.
    statements = list(
        source.statements.published().select_related("event", "speaker").in_text_order()
    )
    after_events, after_statements = pages.cleaned_data["events"], pages.cleaned_data["statements"]
    statement_page = page_of(
        [s for s in statements if not after_statements or (s.start, s.end) > after_statements],
        pages.fields["statements"].encode,
        after_statements,
    )
    event_page = page_of(
        source.events.published().chronological().after(after_events),
        pages.fields["events"].encode,
        after_events,
    )
    return {
        # A passage opens before those inside it.
        "segments": highlight(
            source.text,
            sorted(statements, key=lambda s: (s.start, -s.end)),
            # The words of the links later statements make, which their pages lead to.
            anchored=StatementLink.objects.filter(source=source)
            .filter(later__event__publication=Event.Publication.PUBLISHED)
            .values_list("start", "end"),
        ),
        "statements": relays.attach(statement_page.rows),
        "more_statements": statement_page.next and pages.query(statements=statement_page.next),
        "events": event_page.rows,
        "more_events": event_page.next and pages.query(events=event_page.next),
        "paged": any(pages.cleaned_data.values()),
    }


# Around a statement on its own page, how much of its source's text is shown.
CONTEXT_CHARACTERS = 300


@require_safe
@gzip_page
def statement_detail(request: HttpRequest, uid: str) -> TemplateResponse:
    """/statements/<id>/: one statement in the context of its source, with its speaker
    and relays, its occasion, the numbers and links it gives, the points of comparison
    it stands under, and its links to earlier statements and from later ones."""
    visible = Statement.objects.visible_to(request.user)
    statement = get_object_or_404(
        visible.select_related("speaker", "source", "event").prefetch_related("addressees"),
        uid=uid,
    )
    parameters = NoParameters.from_request(request)
    if not parameters.is_valid():
        return invalid_query(request, parameters)
    [statement] = relays.attach([statement])
    statement_page.with_statuses([statement], later=visible)
    text, start, end = statement.source.text, statement.start, statement.end
    before_from = max(0, start - CONTEXT_CHARACTERS)
    after_to = min(len(text), end + CONTEXT_CHARACTERS)
    events = Event.objects.visible_to(request.user)
    context = {
        "statement": statement,
        "event": statement.event,
        "source": statement.source,
        "before": ("…" if before_from else "") + text[before_from:start],
        "passage": text[start:end],
        "after": text[end:after_to] + ("…" if after_to < len(text) else ""),
        "quantities": statement.quantities.all(),
        "concerns": statement.concerns.visible_to(request.user).chronological(),
        "links": statement.event_links.select_related("from_event", "to_event").filter(
            from_event__in=events, to_event__in=events
        ),
        "points": statement_page.points_of(statement, events),
        "earlier": statement_page.links_to_earlier(statement, visible),
        "head": heads.statement(request, statement),
    }
    response = TemplateResponse(request, "timeline/statement.html", context)
    return staff_preview(response, statement.event.is_published)


def staff_preview(response, public: bool):
    """A page that shows staff what readers cannot see yet (a draft, an actor or a source
    no published event shows) is theirs alone: no browser, proxy or page cache keeps it."""
    if not public:
        patch_cache_control(response, private=True, no_store=True)
    return response


def directory_page(request: HttpRequest, name: str, form=None, version=None):
    """An index page's directory, its validated form and its page of rows (or the
    form, invalid, and no page)."""
    listing = DIRECTORIES[name]
    using = router.db_for_read(listing.model)
    if form is None:
        version = fragments_version(request, using)  # before anything else is read
        form = DirectoryFilter.from_request(request, directory=listing)
    if not form.is_valid():
        return listing, form, None
    page = listing.page(form.cleaned_data, DIRECTORY_PAGE_SIZE)
    listing.count_events(page.rows, record_index.for_version(version, using))
    return listing, form, page


@require_safe
@gzip_page
def directory(request: HttpRequest, name: str) -> TemplateResponse:
    """/actors/, /places/ or /sources/: what published events show, grouped by kind. Its
    list is the same for every reader of the same query: kept rendered."""
    listing = DIRECTORIES[name]
    using = router.db_for_read(listing.model)
    version = fragments_version(request, using)  # before anything else is read
    form = DirectoryFilter.from_request(request, directory=listing)
    if not form.is_valid():
        return invalid_query(request, form)
    fragments = Fragments(version, {"directory": name + form.query()}, using=using)
    context = {
        "directory": listing,
        "here": reverse(f"timeline:{name}"),
        "form": form,
        "fragments": fragments,
        "head": heads.directory(request, listing, form),
    }
    if "directory" not in fragments:
        _, _, page = directory_page(request, name, form, version)
        groups = []  # (the kind's label, its rows on this page), in order
        for row in page.rows:
            if not groups or groups[-1][2] != row.kind:
                groups.append((row.get_kind_display(), [], row.kind))
            groups[-1][1].append({"row": row, "url": listing.url_of(row)})
        context.update(
            groups=[(label, rows) for label, rows, _ in groups],
            more_url=page.next and form.query(after=page.next),
            continued=page.after is not None,
        )
    response = TemplateResponse(request, "timeline/directory.html", context)
    response.add_post_render_callback(fragments.keep)
    return response


@require_safe
@gzip_page
def directory_json(request: HttpRequest, name: str) -> HttpResponse:
    """/actors.json, /places.json or /sources.json: the same rows, as JSON."""
    listing, form, page = directory_page(request, name)
    if page is None:
        return problem_response(request, 400, form.error_list())
    path = reverse(f"timeline:{name}-json")
    data = {
        "next": page.next and absolute_url(request, path + form.query(after=page.next)),
        "results": [
            {
                "slug": row.slug,
                "name": getattr(row, "name", None) or row.headline or row.slug,
                "kind": row.kind,
                "events": row.event_count,
                "url": absolute_url(request, listing.url_of(row)),
            }
            for row in page.rows
        ],
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


# How many documents /about/ describes, the first by date.
ABOUT_DOCUMENTS = 25


@require_safe
@gzip_page
def about(request: HttpRequest) -> TemplateResponse:
    """What the timeline is and is not, the documents it is built from and what each
    covers, its editorial rules, how to cite it, and when the record last changed:
    all of it that is data read from the data, the same for every reader (kept
    rendered for the version of the records)."""
    parameters = NoParameters.from_request(request)
    if not parameters.is_valid():
        return invalid_query(request, parameters)
    published = Event.objects.published()
    version = fragments_version(request, published.db)  # before anything else is read
    fragments = Fragments(version, {"about": ""}, using=published.db)
    context = {
        "fragments": fragments,
        "origins": Origin.choices,
        "head": heads.about(request),
        "licence_name": settings.DATA_LICENCE_NAME,
        "licence_url": settings.DATA_LICENCE_URL,
        "corrections": settings.CORRECTIONS_CONTACT,
    }
    if "about" not in fragments:
        # The first documents by date, with what each covers: counted for those alone,
        # so that the page costs the same whatever the number of documents (every one
        # is listed, in pages, at /sources/).
        first = Source.objects.all().first_public_ids(ABOUT_DOCUMENTS)
        context.update(
            sources=Source.objects.filter(pk__in=first).with_coverage(),
            # Those a published event cites: a statement's source is cited by its event.
            documents=chrono.documents_cited(),
            events=published.count(),
            last_change=published.aggregate(last=Max("updated"))["last"],
        )
    response = TemplateResponse(request, "timeline/about.html", context)
    response.add_post_render_callback(fragments.keep)
    return response


@require_safe
@gzip_page
def data(request: HttpRequest) -> TemplateResponse:
    """/data/: every public address, the parameters it takes and the fields it answers
    (timeline/data_docs.py), each with an example address built from the record: kept
    rendered for the version of the records, as About is."""
    parameters = NoParameters.from_request(request)
    if not parameters.is_valid():
        return invalid_query(request, parameters)
    using = Statement.objects.published().db
    version = fragments_version(request, using)  # before anything else is read
    here = absolute_url(request, reverse("timeline:data"))  # its examples name the site
    fragments = Fragments(version, {"data": here}, using=using)
    context = {"fragments": fragments, "head": heads.data(request)}
    if "data" not in fragments:
        absolute = functools.partial(absolute_url, request)
        context["sections"] = data_docs.examples(data_docs.samples(), absolute)
    response = TemplateResponse(request, "timeline/data.html", context)
    response.add_post_render_callback(fragments.keep)
    return response


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """/favicon.ico, which browsers and crawlers ask for unprompted: the site's icon.
    Its hashed name changes with it, so browsers keep the redirect a day, not for ever."""
    response = HttpResponsePermanentRedirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=86400)
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """/robots.txt: crawlers keep out of the admin, and find every public page in the
    sitemap."""
    parameters = NoParameters.from_request(request)
    if not parameters.is_valid():
        return problem_response(request, 400, parameters.error_list())
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Sitemap: {absolute_url(request, reverse('timeline:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@gzip_page
@x_robots_tag
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: the index of the sitemap's sections and their pages."""
    parameters = NoParameters.from_request(request)
    if not parameters.is_valid():
        return problem_response(request, 400, parameters.error_list())
    return sitemaps.index(request)


@require_safe
@gzip_page
@x_robots_tag
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """/sitemap-<section>.xml: one page (``?p=``) of a section's addresses, up to 50,000
    of them, kept rendered for the version of the records as a page of /events.json is."""
    pages = SitemapPages.from_request(request)
    if not pages.is_valid():
        return problem_response(request, 400, pages.error_list())
    using = Event.objects.published().db
    version = fragments_version(request, using)  # before anything else is read
    where = absolute_url(request, request.path) + pages.query()
    fragments = Fragments(version, {"sitemap": where}, using=using)
    body = fragments.render("sitemap", lambda: sitemaps.section(request, section))
    fragments.keep()
    return HttpResponse(body, content_type="application/xml")


def json_ld(data) -> str:
    """JSON for a <script type="application/ld+json"> block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False)
    escapes = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
    return mark_safe(text.translate(escapes))
