import datetime

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignObjectRel
from django.template.response import TemplateResponse
from django.urls import path

from timeline import curation

# Longer searches are refused: nobody types one, and on SQLite a LIKE pattern of
# tens of thousands of characters is an error rather than a slow query.
SEARCH_MAX_LENGTH = 200


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


class TimelineAdminSite(admin.AdminSite):
    """Django's admin with the timeline's curation queue."""

    site_header = "Karabakh timeline: curation"
    site_title = "Karabakh timeline admin"
    index_title = "Curate the timeline"

    def get_urls(self):
        queue = path("curation/", self.admin_view(self.curation_queue), name="curation")
        return [queue, *super().get_urls()]

    def autocomplete_view(self, request):
        return AutocompleteView.as_view(admin_site=self)(request)

    def curation_queue(self, request):
        if not request.user.has_perm("timeline.change_event"):
            raise PermissionDenied
        sections = curation.queue(datetime.date.today())
        context = {
            **self.each_context(request),
            "title": "Curation queue",
            "sections": sections,
            "total": sum(s.count for s in sections),
        }
        return TemplateResponse(request, "admin/curation_queue.html", context)
