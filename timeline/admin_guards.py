"""What keeps the admin safe from what it is sent: a save over a change someone else
saved since the form was opened, ids that are no ids (in forms, autocompletes, bulk
actions and addresses), filters, lookups and searches it cannot run. Each is answered
with a form error, a message, a 400 or a 404, never a server error, and never at the
cost of what the editor typed.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.db.models import ForeignObjectRel
from django.http import Http404, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

# Longer searches are refused: nobody types one, and on SQLite a LIKE pattern of
# tens of thousands of characters is an error rather than a slow query.
SEARCH_MAX_LENGTH = 200


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


def version_or_404(model, object_id, version_id):
    """The version of a record that an address names (the revert page's), or a 404 when
    there is no such version, or its ids are no ids."""
    try:
        version = model.history.filter(
            **{model._meta.pk.attname: unquote(object_id), "history_id": version_id}
        ).first()
    except (ValueError, ValidationError):
        version = None
    if version is None:
        raise Http404("No such version of this record.")
    return version


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


class AutocompleteView(AutocompleteJsonView):
    """Django's autocomplete, refusing (403, like any other field it cannot serve) a
    field that is not a form's: the reverse side of a relation (an event's
    statements) would otherwise crash it. A search too long to run finds nothing."""

    def get_queryset(self):
        if len(self.term) > SEARCH_MAX_LENGTH:
            return self.model_admin.get_queryset(self.request).none()
        return super().get_queryset()

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        if isinstance(source_field, ForeignObjectRel):
            raise PermissionDenied
        return term, model_admin, source_field, to_field_name


class GuardedAdmin(SafeAutocomplete, SimpleHistoryAdmin):
    """A ModelAdmin with history, its forms under the edit guard, that answers bad input
    in its addresses (ids, filters, lookups, searches, actions) with a 404, a 400 or a
    message instead of a server error."""

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
