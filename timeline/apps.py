"""The timeline app, and what it connects when Django starts: every change to its
records empties the page cache, marks the prebuilt export stale and has the ready
counts counted again; the Editors group comes back after a flush, and the ready
counts are counted after a migration; a sign-in forgives only its own failures; SQLite
connections learn Unicode's lower case (timeline/lookups.py)."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_migrate,
            post_save,
            pre_save,
        )

        from timeline import counts, exports, lookups
        from timeline.caching import timeline_changed
        from timeline.editors import restore_editors_group
        from timeline.signin import forgive_own_failures

        connection_created.connect(lookups.register_unicode_lower, dispatch_uid="unicode-lower")
        post_migrate.connect(restore_editors_group, sender=self)
        post_migrate.connect(counts.count_after_migrate, sender=self)
        user_logged_in.connect(forgive_own_failures, dispatch_uid="forgive-own-failures")

        for model in self.get_models():
            if model.__name__.startswith("Historical") or model in counts.DERIVED:
                continue
            post_save.connect(timeline_changed, sender=model, dispatch_uid=f"cache-{model}")
            post_delete.connect(timeline_changed, sender=model, dispatch_uid=f"del-{model}")
            for signal in (post_save, post_delete):
                signal.connect(exports.timeline_changed, sender=model)
            # pre_save too: a save outside a transaction is noted before its write.
            for signal in (pre_save, post_save, post_delete):
                signal.connect(counts.record_changed, sender=model)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(counts.record_changed, sender=field.remote_field.through)
        m2m_changed.connect(timeline_changed, dispatch_uid="cache-m2m")
        # The prebuilt CSV of the whole record is stale after any change.
        m2m_changed.connect(exports.timeline_changed)


class TimelineAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, on the timeline's own site (with its curation queue)."""

    default = False  # "timeline" itself still means TimelineConfig
    default_site = "timeline.admin_site.TimelineAdminSite"
