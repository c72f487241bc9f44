from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"


class TimelineAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, on the timeline's own site (with its curation queue)."""

    default = False  # "timeline" itself still means TimelineConfig
    default_site = "timeline.admin_site.TimelineAdminSite"
