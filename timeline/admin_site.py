"""The admin site the timeline is curated on: Django's, with the curation queue and
the guarded autocomplete."""

import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from timeline import curation
from timeline.admin_guards import AutocompleteView


class TimelineAdminSite(admin.AdminSite):
    """Django's admin with the timeline's curation queue, its autocomplete the guarded one."""

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
