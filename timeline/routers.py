"""Reads for anonymous readers from a PostgreSQL read replica, when there is one.

With ``DATABASE_REPLICA_URL`` set, the reader pages (GET and HEAD, outside the
admin, without a signed-in session) read from the "replica" database. Everything else (the
admin, signed-in staff previewing drafts, every write, management commands,
tests) uses the primary, so editors always see what they have just saved; readers
may see a change a moment later, as late as the replica lags.
"""

from contextvars import ContextVar

from django.conf import settings

from timeline.readers import is_reader_request

REPLICA = "replica"
_reading_for_readers: ContextVar[bool] = ContextVar("reading_for_readers", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading_for_readers.get() and REPLICA in settings.DATABASES else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReaderReplicaMiddleware:
    """Marks the requests whose reads may go to the replica (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reading_for_readers.set(is_reader_request(request))
        try:
            response = self.get_response(request)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # the template's queries belong to this request too
            return response
        finally:
            _reading_for_readers.reset(token)
