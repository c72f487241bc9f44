"""The lists of statements, each at one address with its JSON, CSV and Atom twins taking
the same parameters: `/statements/`, every published statement in date order, and
`/commitments/`, the demands and commitments among them, each with what the record
later says of it (timeline/followups.py). Each view validates its query string with
its list's form, asks StatementCounts (timeline/statement_counts.py) for its counts and
its page, and renders; the page's htmx fragments are its template's partials, served
from the same URL. What every reader of a view sees alike is kept rendered for the
version of the records (timeline/caching.py), as on `/`."""

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from timeline import chronology, exports, feeds, heads, statement_index
from timeline.caching import HTMX_HEADERS, Fragments, fragments_version
from timeline.errors import problem_response
from timeline.followups import NO_LATER_STATEMENT, status_of
from timeline.forms import (
    CommitmentFeedFilter,
    CommitmentFilter,
    SaidCursorField,
    StatementFeedFilter,
    StatementFilter,
)
from timeline.keyset import PAGE_SIZE, Page, page_of
from timeline.links import absolute_url
from timeline.models import Statement
from timeline.statement_counts import StatementCounts
from timeline.views import HtmxHttpRequest


@dataclass(frozen=True)
class StatementList:
    """One list of statements: its name (that of its URLs), its title, what it holds in
    a sentence, and the forms of its query string."""

    name: str
    title: str
    description: str
    form: type[StatementFilter]
    feed_form: type[StatementFilter]

    @property
    def commitments(self) -> bool:
        return self.form.COMMITMENTS

    def url(self, twin: str = "") -> str:
        """The list's address, or its twin's ("json", "csv", "atom")."""
        return reverse(f"timeline:{self.name}" + (f"-{twin}" if twin else ""))

    def url_json(self) -> str:
        return self.url("json")

    def url_csv(self) -> str:
        return self.url("csv")

    def url_atom(self) -> str:
        return self.url("atom")


LISTS = {
    "statements": StatementList(
        "statements",
        "Statements",
        "Every statement of the record, in the order they were said.",
        StatementFilter,
        StatementFeedFilter,
    ),
    "commitments": StatementList(
        "commitments",
        "Demands and commitments",
        "What each side asked of others and promised, in the order it was said, with what "
        "later statements in the record say of it.",
        CommitmentFilter,
        CommitmentFeedFilter,
    ),
}

# Which part of the page an htmx request wants, by the element it targets.
PARTIALS = {"results": "results", "statement-list": "list"}


def listing_of(name: str) -> StatementList:
    try:
        return LISTS[name]
    except KeyError:
        raise Http404 from None


def published():
    return Statement.objects.published()


def query_form(request, form_class, version):
    """The form of the request's query string, whose actors and points are checked in the
    published statements' index at ``version`` when there is one, without a query."""
    index = statement_index.for_version(version, published().db)
    return form_class.from_request(request, index=index)


# ---------------------------------------------------------------- the page


@require_safe
@gzip_page
def statement_list(request: HtmxHttpRequest, name: str) -> TemplateResponse:
    listing = listing_of(name)
    statements = published()
    version = fragments_version(request, statements.db)  # before anything else is read
    form = query_form(request, listing.form, version)
    partial = None
    if request.htmx and not request.htmx.history_restore_request:
        partial = PARTIALS.get(request.htmx.target, "list")
    fragments = None
    if form.is_valid():
        fragments = Fragments(
            version,
            fragment_keys(request, listing, form),
            using=statements.db,
            also=StatementCounts.keys(form, version),
        )
        context, status = page_context(request, listing, form, statements, fragments), 200
    else:
        context, status = {"form": form, "errors": form.error_list(), "facets": {}}, 400
    context["listing"] = listing
    template = "timeline/statements.html"
    if partial:
        template += "#" + partial
        # Only a swap of the results alone brings the facets along out of band; every
        # swap tells the live region, which stays in place, what the results hold now.
        context["swap_facets"] = partial == "results"
        context["swapped"] = True
    response = TemplateResponse(request, template, context, status=status)
    if fragments is not None:
        response.add_post_render_callback(fragments.keep)
    patch_vary_headers(response, HTMX_HEADERS)
    return response


def fragment_keys(request, listing: StatementList, form: StatementFilter) -> dict[str, str]:
    """What each fragment of the page varies with besides the records: the list and the
    view's state (``form.query()``), and for the page of statements where it starts and
    the site's address (printed beside each passage's link)."""
    state = listing.name + form.query()
    return {
        "facets": state,
        "facets-oob": state,
        "page": f"{absolute_url(request, '/')}#{state}#{form.packed_cursor() or ''}",
    }


def page_context(request, listing, form, statements, fragments: Fragments) -> dict:
    """The page's context. Of what the ``fragments`` found kept, nothing is fetched or
    counted: the page of statements is left out, the facets are counted only if the
    template renders them."""
    counts = StatementCounts(form, statements, version=fragments.version, batch=fragments.batch)
    # A count skipped for time is said so, and kept nowhere.
    fragments.complete = lambda: not counts.skipped
    count = counts.values("count")["count"]
    context = {
        "form": form,
        "count": count,
        "continued": form.cleaned_data.get("cursor") is not None,
        "facets": SimpleLazyObject(lambda: facets(form, counts.values(*form.FACETS))),
        "skipped": counts.skipped,
        "chips": chronology.chips(form),
        "orders": chronology.orders(form),
        "query": form.query(),
        "fragments": fragments,
        "head": heads.statements(request, listing, form, count),
    }
    if "page" not in fragments:
        page = statements_page(form, counts, exported=False)
        context["rows"] = with_statuses(page.rows) if listing.commitments else page.rows
        context["next_url"] = page.next and form.query(cursor=page.next)
    return context


def statements_page(
    form: StatementFilter, counts: StatementCounts, size: int | None = None, *, newest=None,
    exported: bool = True,
) -> Page:  # fmt: skip
    """The page of matching statements the form asks for (``size``, by default a page,
    after its cursor, in its order unless ``newest`` says), each with what its JSON gives
    (``exports.statements_in_order``; what a page shows, not ``exported``): found in the
    published statements' index when there is one, else by the database."""
    size = size or PAGE_SIZE
    cursor = form.cleaned_data.get("cursor")
    newest = form.newest_first() if newest is None else newest
    ids = counts.page_ids(cursor, size + 1, newest=newest)
    if ids is None:
        ids = list(
            form.apply(counts.statements)
            .after_said(cursor, newest=newest)
            .in_date_order(newest=newest)
            .values_list("pk", flat=True)[: size + 1]
        )
    rows = exports.statements_in_order(
        ids, counts.using, commitments=form.COMMITMENTS, exported=exported
    )
    return page_of(rows, SaidCursorField.encode, after=cursor, size=size)


def with_statuses(statements: list) -> list:
    """Each of ``statements`` (with ``followups``) with ``statuses``: (words, the address of
    the later statement's passage) for each link a later statement makes to it, or the
    one line that says there is none."""
    for statement in statements:
        statement.statuses = [
            (status_of(link), link.later.get_absolute_url()) for link in statement.followups
        ] or [(NO_LATER_STATEMENT, None)]
    return statements


def facets(form: StatementFilter, counted: dict) -> dict[str, chronology.Facet]:
    """The choices of each filter with how many statements each would give (``counted``,
    None where skipped): every act, mode and origin that gives any; the speakers,
    addressees, relays, sources, points and occasions with the most; and the chosen
    ones, whatever their count."""
    data = form.cleaned_data

    def option(name, value, label, n):
        return {
            "mark": "",
            "name": name,
            "value": value,
            "label": label,
            "count": n,
            "checked": value in data.get(name, []),
            "url": form.toggling(name, value),
            "id": f"{name}-{value}",
        }

    def options(name, counts):
        skipped = counts is None
        if name in ("act", "mode", "origin"):
            return [
                option(name, value, label, None if skipped else counts.get(value, 0))
                for value, label in form.fields[name].names().items()
                if skipped or counts.get(value) or value in data.get(name, [])
            ]
        found = {row["slug"]: (row["label"], row["n"]) for row in counts or []}
        for slug in data.get(name, []):  # chosen ones stay listed, whatever their rank
            found.setdefault(slug, (form.label_of(name, slug), None if skipped else 0))
        return [option(name, slug, label, n) for slug, (label, n) in found.items()]

    return {
        name: chronology.Facet(
            name,
            form.fields[name].label,
            options(name, counted[name]),
            counted[name] is None,
            unit="statement",
        )
        for name in form.FACETS
    }


# ---------------------------------------------------------------- the twins


@require_safe
@gzip_page
def statement_list_json(request, name: str) -> HttpResponse:
    """/statements.json, /commitments.json: the page the list's page shows for the same
    query string, as JSON, with the count and the address of the next page."""
    listing = listing_of(name)
    statements = published()
    version = fragments_version(request, statements.db)  # before anything else is read
    form = query_form(request, listing.form, version)
    if not form.is_valid():
        return problem_response(request, 400, form.error_list())
    # A page of it is the same for every reader: kept whole (its links name the site).
    where = absolute_url(request, listing.url("json")) + form.address()
    fragments = Fragments(
        version, {"json": where}, using=statements.db, also=StatementCounts.keys(form, version)
    )

    def body() -> str:
        counts = StatementCounts(form, statements, version=version, batch=fragments.batch)
        fragments.complete = lambda: not counts.skipped
        page = statements_page(form, counts)
        next_url = page.next and absolute_url(
            request, listing.url("json") + form.query(cursor=page.next)
        )
        results = []
        for statement in page.rows:
            data = exports.statement_as_json(request, statement)
            if listing.commitments:
                data.update(exports.followups_as_json(request, statement))
            results.append(data)
        data = {"count": counts.values("count")["count"], "next": next_url, "results": results}
        return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)

    response = HttpResponse(fragments.render("json", body), content_type="application/json")
    fragments.keep()
    return response


@require_safe
@gzip_page
def statement_list_csv(request, name: str):
    """/statements.csv, /commitments.csv: every matching statement, in the list's order.
    The whole list in its own order is a prebuilt file (timeline/exports.py); a view of
    it is streamed, its statements found, and counted, before the first byte goes out,
    and their lines cut from that file when it is up to date."""
    listing = listing_of(name)
    export = exports.WHOLE_RECORDS[listing.name]
    statements = published()
    version = fragments_version(request, statements.db)
    form = query_form(request, listing.form, version)
    if not form.is_valid():
        return problem_response(request, 400, form.error_list())
    if not form.is_filtered() and not form.newest_first():
        # Served like a static file with its length (its gzip copy too, which the
        # compression leaves alone), or streamed while it is built.
        return exports.full_csv_response(export, request)
    file_version = exports.current_version()  # first: a file of it is the record as now
    counts = StatementCounts(form, statements, version=version)
    newest = form.newest_first()
    ids = counts.page_ids(None, None, newest=newest)
    if ids is None:
        ids = list(form.apply(statements).in_date_order(newest=newest).values_list("pk", flat=True))
    return exports.rows_csv_response(export, request, ids, statements.db, version=file_version)


@require_safe
@gzip_page
def statement_list_atom(request, name: str) -> HttpResponse:
    """/statements.atom, /commitments.atom: the latest said of the statements the list's
    filters select (timeline/feeds.py)."""
    listing = listing_of(name)
    statements = published()
    version = fragments_version(request, statements.db)  # before anything else is read
    form = query_form(request, listing.feed_form, version)
    if not form.is_valid():
        return problem_response(request, 400, form.error_list())
    # The same for every reader of these filters: kept whole (its links name the site).
    where = absolute_url(request, listing.url("atom")) + form.query()
    fragments = Fragments(version, {"atom": where}, using=statements.db)

    def body() -> str:
        counts = StatementCounts(form, statements, version=version, batch=fragments.batch)
        latest = statements_page(form, counts, size=feeds.LATEST, newest=True).rows
        if listing.commitments:
            with_statuses(latest)
        return feeds.statements_atom(request, listing, form, latest)

    response = HttpResponse(fragments.render("atom", body), content_type=feeds.CONTENT_TYPE)
    fragments.keep()
    return response
