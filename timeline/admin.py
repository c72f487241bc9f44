"""The editors' tool: the timeline's records in Django's admin.

Every change is recorded by django-simple-history (who, when, field by field,
with a way back); the rules the editors cannot break live on the models and
are reported here as form errors.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.db import DataError, router, transaction
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from timeline.admin_site import SEARCH_MAX_LENGTH
from timeline.history import lists_in, m2m_fields
from timeline.models import (
    Actor,
    Event,
    EventActor,
    Place,
    Source,
    Statement,
    events_left_unsourced,
    unsourcing_message,
)


def newest_version(obj):
    """The newest history record of ``obj``: the version an editor sees when they open it."""
    return obj.history.order_by("-history_id").select_related("history_user").first()


class EditGuardForm(forms.ModelForm):
    """Refuses to save over a change someone else saved after this form was opened.

    The form remembers the version it showed; on save, the record is locked (for
    the admin's transaction) and its version compared. The editor's input stays
    in the form, so nothing they typed is lost.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and (version := newest_version(self.instance)):
            self.fields["seen_version"].initial = version.history_id

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            model = type(self.instance)
            model._default_manager.select_for_update().filter(pk=self.instance.pk).exists()
            latest = newest_version(self.instance)
            if latest and latest.history_id != cleaned.get("seen_version"):
                who = latest.history_user or "someone"
                when = latest.history_date.strftime("%d %B %Y, %H:%M UTC")
                raise forms.ValidationError(
                    f"{who} saved a change to this record ({when}) after you opened it, so "
                    "yours was not saved over theirs. Your edits are still in the form below: "
                    "open the record again in another tab (its History shows what changed), "
                    "then make your changes there.",
                    code="stale",
                )
        return cleaned


def possible_id(field, value) -> bool:
    """Whether ``value`` could be a value of ``field`` (an id column) at all."""
    try:
        value = field.to_python(value)
    except ValidationError:
        return False
    return not isinstance(value, int) or -(2**63) <= value < 2**63


class RedrawsRefusedIds:
    """Django's autocomplete widgets look up every value the form was given to show it
    again; "abc" or a twenty-digit number in a field of ids then crashes that query,
    though the field has already refused the value with an error that names it. These
    show again only the values that could be ids."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        return super().optgroups(name, [v for v in value if possible_id(target, v)], attr)


class AutocompleteSelect(RedrawsRefusedIds, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(RedrawsRefusedIds, widgets.AutocompleteSelectMultiple):
    pass


class IdsField(forms.ModelMultipleChoiceField):
    """A list of records by id that names a value which is no id at all as invalid, as
    Django's does for most, rather than crash on one too large for the database."""

    def _check_values(self, value):
        model = self.queryset.model
        target = model._meta.get_field(self.to_field_name or model._meta.pk.name)
        for item in value if isinstance(value, list | tuple) else []:
            if not possible_id(target, item):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class SafeAutocomplete:
    """For a ModelAdmin or an inline: its autocomplete fields use the widgets above, and
    its lists of records the field above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdsField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TimelineAdmin(SafeAutocomplete, SimpleHistoryAdmin):
    """The admin of every timeline record: its history, with a revert that restores the
    version's lists too and runs atomically like Django's change view (the record and
    its related rows are saved together, and the edit guard's lock needs a
    transaction); and bad input in its addresses (ids, filters, searches, actions)
    answered with a 404, a 400 or a message instead of a server error."""

    form = EditGuardForm

    def lookup_allowed(self, lookup, value, request):
        # Regular expressions typed into an address are errors in the database (or
        # slow ones), never a filter an editor needs: refused with a 400.
        if lookup.endswith("regex"):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > SEARCH_MAX_LENGTH:  # (autocomplete stops such searches first)
            self.message_user(
                request,
                f"Searches are limited to {SEARCH_MAX_LENGTH} characters: "
                f"yours had {len(search_term)}, so nothing was searched.",
                messages.WARNING,
            )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_changelist_instance(self, request):
        # Django builds the date links (the year after 9999) and counts the list here;
        # a value it cannot use there is a bad filter, like any other.
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError, DataError) as error:
            raise IncorrectLookupParameters(error) from error

    def response_action(self, request, queryset, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(possible_id(self.model._meta.pk, value) for value in selected):
            self.message_user(
                request,
                "The items chosen for that action were not records of this list, "
                "so nothing was done.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, **kwargs)

    def changelist_view(self, request, extra_context=None):
        # The admin answers a filter value it cannot use (?year=abc) by sending the
        # editor to the list with only this flag: say so rather than show the whole
        # list as if it were the filtered one.
        if list(request.GET) == [ERROR_FLAG]:
            self.message_user(
                request,
                "A filter in that address had a value that is not one of its choices, "
                "so the whole list is shown.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        try:  # an id that is not one (not a number) is no such record, not a server error
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such record.") from None
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The version is looked up here, so that an address with no such version (or
        # not a number) is a 404, and its lists can go into the revert form.
        try:
            version = self.model.history.filter(
                **{self.model._meta.pk.attname: unquote(object_id), "history_id": version_id}
            ).first()
        except (ValueError, ValidationError):
            version = None
        if version is None:
            raise Http404("No such version of this record.")
        request.reverting_to = version
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


class StatementInline(SafeAutocomplete, admin.StackedInline):
    model = Statement
    formset = StatementFormSet
    fields = [
        ("speaker", "mode", "speech_act"),
        "source",
        "text",
        ("said_on", "addressees"),
        "passage",
    ]
    autocomplete_fields = ["speaker", "addressees", "source"]
    readonly_fields = ["passage"]
    extra = 0

    @admin.display(description="Place in the source")
    def passage(self, statement):
        if statement.pk is None:
            return "Worked out from the text when you save."
        return f"Characters {statement.start}–{statement.end}"


class EventAdminForm(EditGuardForm):
    class Meta:
        model = Event
        fields = [
            *["title", "slug", "summary", "kind", "status", "publication"],
            *["date_start", "date_end", "date_precision", "date_note", "places", "sources"],
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("publication") == Event.Publication.PUBLISHED:
            problem = self.instance.publication_problem(cleaned.get("sources", []))
            if problem:
                self.add_error("publication", problem)
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
        "places__name",
        "places__aliases",
    ]
    date_hierarchy = "date_start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["places", "sources"]
    inlines = [EventActorInline, StatementInline]
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
                    "status",
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
            if event.publication_problem():
                refused.append(event)
                continue
            event.publication = Event.Publication.PUBLISHED
            event._change_reason = "Published"
            event._history_user = request.user
            event.save(update_fields=["publication", "updated"])
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
            event.publication = Event.Publication.DRAFT
            event._change_reason = "Unpublished"
            event._history_user = request.user
            event.save(update_fields=["publication", "updated"])
            count += 1
        self.message_user(request, f"Unpublished {count} event(s).", messages.SUCCESS)


@admin.register(Actor)
class ActorAdmin(TimelineAdmin):
    list_display = ["name", "kind", "office", "affiliation"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases", "office"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["affiliation"]
    list_select_related = ["affiliation"]


@admin.register(Place)
class PlaceAdmin(TimelineAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]
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
    list_display = ["__str__", "mode", "speech_act", "source", "event"]
    list_filter = ["mode", "speech_act", "source__origin"]
    search_fields = ["text", "speaker__name", "speaker__aliases"]
    autocomplete_fields = ["speaker", "addressees", "source", "event"]
    readonly_fields = ["start", "end"]
    list_select_related = ["speaker", "source", "event"]
