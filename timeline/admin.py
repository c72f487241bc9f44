"""The editors' tool: the timeline's records in Django's admin.

Every change is recorded by django-simple-history (who, when, field by field,
with a way back); the rules the editors cannot break live on the models and
are reported here as form errors. What guards every page of it against bad
input is in ``timeline.admin_guards``.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from timeline.admin_guards import EditGuardForm, GuardedAdmin, SafeAutocomplete, version_or_404
from timeline.history import lists_in, m2m_fields
from timeline.models import (
    Actor,
    Correction,
    Event,
    EventActor,
    EventLink,
    Place,
    Point,
    Quantity,
    Relay,
    Source,
    Statement,
    StatementLink,
    events_left_unsourced,
    unsourcing_message,
)


class TimelineAdmin(GuardedAdmin):
    """The admin of every timeline record: guarded against bad input, with a history
    whose revert restores the version's lists too and runs atomically like Django's
    change view (the record and its related rows are saved together, and the edit
    guard's lock needs a transaction)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The version is looked up here (an address with no such version is a 404), so
        # that its lists can go into the revert form.
        request.reverting_to = version_or_404(self.model, object_id, version_id)
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """On the revert page, the form shows the version's lists (an event's places and
        sources), not the record's current ones, so that reverting restores them too."""
        form = super().get_form(request, obj, change, **kwargs)
        version = getattr(request, "reverting_to", None)
        if version is None or not m2m_fields(self.model):
            return form
        lists = lists_in(version)

        class RevertForm(form):
            def __init__(self, *args, initial=None, **kwargs):
                super().__init__(*args, initial={**lists, **(initial or {})}, **kwargs)

        return RevertForm


class EventActorInline(SafeAutocomplete, admin.TabularInline):
    model = EventActor
    autocomplete_fields = ["actor"]
    extra = 1


class StatementFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """Two rows of one form may not record the same passage: each would pass the
        check against the database, and the second would then break its unique key."""
        super().clean()
        first_row = {}
        for number, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data.get("source") or not data.get("text"):
                continue
            key = (data["source"].pk, data["text"])
            if key in first_row:
                form.add_error(
                    "text",
                    f"Statement {first_row[key]} of this form already records this "
                    "passage of the same source.",
                )
            else:
                first_row[key] = number


class PassageInline:
    """An inline of records anchored in a source's text (statements, numbers), which
    shows where each stands there."""

    @admin.display(description="Place in the source")
    def passage(self, record):
        if record.pk is None:
            return "Worked out from the text when you save."
        return f"Characters {record.start}–{record.end}"


class StatementInline(PassageInline, SafeAutocomplete, admin.StackedInline):
    model = Statement
    formset = StatementFormSet
    fields = [
        ("speaker", "mode", "speech_act"),
        "source",
        "text",
        "addressees",
        ("dating", "said_start", "said_end", "said_precision"),
        "concerns",
        "passage",
    ]
    autocomplete_fields = ["speaker", "addressees", "source", "concerns"]
    readonly_fields = ["passage"]
    extra = 0
    # Its relays are edited on its own page (an inline holds no inline).
    show_change_link = True


class EventLinkInline(SafeAutocomplete, admin.TabularInline):
    """The links this event makes to others (“ends”, “is part of”), each as a source
    makes it. Links other events make to it are on their pages, and listed here below."""

    model = EventLink
    fk_name = "from_event"
    fields = ["relation", "to_event", "source", "statement"]
    autocomplete_fields = ["to_event", "source", "statement"]
    extra = 0


class QuantityInline(PassageInline, SafeAutocomplete, admin.StackedInline):
    """The numbers its sources give, each as its passage: bounds only from the numbers
    the words state."""

    model = Quantity
    fields = [("source", "statement"), "text", ("counts", "unit"), ("low", "high"), "passage"]
    autocomplete_fields = ["source", "statement"]
    readonly_fields = ["passage"]
    extra = 0


class CorrectionInline(admin.TabularInline):
    """Corrections to a published event, listed on its public page: saving one updates
    the event, so that its feed entry comes again."""

    model = Correction
    fields = ["made_on", "note"]
    extra = 0


class RelayInline(SafeAutocomplete, admin.TabularInline):
    """Who passed the statement on, from the speaker down to the publishing outlet."""

    model = Relay
    fields = ["position", "actor"]
    autocomplete_fields = ["actor"]
    extra = 0


class PointForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        statements = cleaned.get("statements") or []
        # Its event as the form gives it: on the add page the event is not saved yet, and
        # the instance learns it only after this.
        event = cleaned.get("event") or (self.instance.event if self.instance.event_id else None)
        if event is not None and (problem := Point(event=event).statement_errors(statements)):
            self.add_error("statements", problem)
        return cleaned


class PointInline(SafeAutocomplete, admin.StackedInline):
    """The event's points of comparison, each with the statements (said on it, or
    concerning it) that speak to it: the rows of its comparison table."""

    model = Point
    form = PointForm
    fields = [("name", "slug", "position"), "statements"]
    autocomplete_fields = ["statements"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0


class StatementLinkInline(PassageInline, SafeAutocomplete, admin.StackedInline):
    """What this statement says of earlier ones (that it repeats, responds to, reports
    as done or disputes them), each by a passage of its own source."""

    model = StatementLink
    fk_name = "later"
    fields = [("relation", "earlier"), "text", "passage"]
    autocomplete_fields = ["earlier"]
    readonly_fields = ["passage"]
    extra = 0


class EventAdminForm(EditGuardForm):
    class Meta:
        model = Event
        fields = [
            *["title", "slug", "summary", "kind", "status", "status_as_of", "publication"],
            *["date_start", "date_end", "date_precision", "date_note", "places", "sources"],
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("publication") == Event.Publication.PUBLISHED:
            try:
                self.instance.validate_publication(cleaned.get("sources", []))
            except ValidationError as error:
                self.add_error(None, error)  # on the field the model names
        return cleaned


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("date_start", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            year = int(self.value())
            first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        except (ValueError, OverflowError) as error:
            # The admin takes the list back to its unfiltered form and says so.
            raise IncorrectLookupParameters(f"Not a year: {self.value()!r}") from error
        return queryset.in_period(first, last)


class SourcingFilter(admin.SimpleListFilter):
    title = "sourcing"
    parameter_name = "sourcing"

    def lookups(self, request, model_admin):
        return [("none", "No source"), ("single", "Single source"), ("several", "Several sources")]

    def queryset(self, request, queryset):
        # The counts come from EventAdmin.get_queryset.
        match self.value():
            case "none":
                return queryset.filter(source_count=0)
            case "single":
                return queryset.filter(source_count=1)
            case "several":
                return queryset.filter(source_count__gte=2)
            case None:
                return queryset
        raise IncorrectLookupParameters(f"Not a choice of sourcing: {self.value()!r}")


@admin.register(Event)
class EventAdmin(TimelineAdmin):
    form = EventAdminForm
    list_display = [
        "date",
        "title",
        "kind",
        "status",
        "publication",
        "source_count",
        "statement_count",
    ]
    list_display_links = ["date", "title"]
    list_filter = ["kind", "status", "publication", YearFilter, SourcingFilter]
    search_fields = [
        "title",
        "summary",
        "roles__actor__name",
        "roles__actor__aliases",
        "roles__actor__other_aliases",
        "places__name",
        "places__aliases",
        "places__other_aliases",
    ]
    date_hierarchy = "date_start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["places", "sources"]
    inlines = [EventActorInline, StatementInline, PointInline, EventLinkInline, QuantityInline,
               CorrectionInline]  # fmt: skip
    actions = ["publish", "unpublish"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "summary",
                    "kind",
                    ("status", "status_as_of"),
                    "publication",
                    "seen_version",
                ]
            },
        ),
        ("Dates", {"fields": [("date_start", "date_end", "date_precision"), "date_note"]}),
        ("Where and according to whom", {"fields": ["places", "sources"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_source_counts()

    @admin.display(description="date", ordering="date_start")
    def date(self, event):
        return event.date_display

    @admin.display(description="sources", ordering="source_count")
    def source_count(self, event):
        return event.source_count

    @admin.display(description="statements", ordering="statement_count")
    def statement_count(self, event):
        return event.statement_count

    @admin.action(description="Publish the selected events", permissions=["change"])
    def publish(self, request, queryset):
        published, refused = [], []
        for event in queryset.prefetch_related("sources"):
            if event.is_published:
                continue
            try:
                event.publish(by=request.user)
            except ValidationError:
                refused.append(event)
            else:
                published.append(event)
        if published:
            self.message_user(request, f"Published {len(published)} event(s).", messages.SUCCESS)
        if refused:
            names = "; ".join(f"“{event.title}”" for event in refused)
            self.message_user(
                request,
                f"Not published, because they cite no source: {names}. "
                "An event cannot be published without at least one source.",
                messages.ERROR,
            )

    @admin.action(
        description="Unpublish the selected events (back to draft)", permissions=["change"]
    )
    def unpublish(self, request, queryset):
        count = 0
        for event in queryset.filter(publication=Event.Publication.PUBLISHED):
            event.unpublish(by=request.user)
            count += 1
        self.message_user(request, f"Unpublished {count} event(s).", messages.SUCCESS)


@admin.register(Actor)
class ActorAdmin(TimelineAdmin):
    list_display = ["name", "kind", "office", "affiliation"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases", "other_aliases", "office"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["affiliation"]
    list_select_related = ["affiliation"]


@admin.register(Place)
class PlaceAdmin(TimelineAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases", "other_aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(TimelineAdmin):
    list_display = ["slug", "outlet", "headline", "published", "origin", "statement_count"]
    list_filter = ["origin", "kind", "language"]
    search_fields = ["slug", "outlet", "headline", "relays"]
    date_hierarchy = "published"
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["anchored_statements"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_count=Count("statements"))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["strip"] = False  # the text exactly as received, edge spaces included
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_deleted_objects(self, objs, request):
        """Besides the statements anchored in them (protected by their foreign key), the
        published events that cite no other source hold sources in place: the delete
        page and the bulk delete list them as protected, and refuse."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        events = list(events_left_unsourced(objs))
        if events:
            self.message_user(request, unsourcing_message(events), messages.ERROR)
            protected = [
                *protected,
                *(
                    format_html(
                        'Published event citing no other source: <a href="{}">{}</a>',
                        reverse("admin:timeline_event_change", args=[event.pk]),
                        event,
                    )
                    for event in events
                ),
            ]
        return deleted, counts, perms_needed, protected

    @admin.display(description="Statements anchored in this source")
    def anchored_statements(self, source):
        """For reading: statements are edited on their events, and hold the text in place."""
        statements = source.statements.select_related("speaker", "event").order_by("start")
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> ({}, characters {}–{}) on “{}”</li>',
            (
                (
                    reverse("admin:timeline_statement_change", args=[s.pk]),
                    s.text,
                    s.speaker,
                    s.start,
                    s.end,
                    s.event.title,
                )
                for s in statements
            ),
        )
        return format_html("<ul>{}</ul>", rows) if rows else "None yet."

    @admin.display(description="statements", ordering="statement_count")
    def statement_count(self, source):
        return source.statement_count


@admin.register(Statement)
class StatementAdmin(TimelineAdmin):
    inlines = [RelayInline, StatementLinkInline]
    list_display = ["__str__", "mode", "speech_act", "source", "event"]
    list_filter = ["mode", "speech_act", "source__origin"]
    search_fields = ["text", "speaker__name", "speaker__aliases"]
    autocomplete_fields = ["speaker", "addressees", "source", "event", "concerns"]
    readonly_fields = ["uid", "start", "end"]
    list_select_related = ["speaker", "source", "event"]
