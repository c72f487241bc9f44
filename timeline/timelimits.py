"""Time limits on the database work of public requests.

A query string can ask for work without end, and a worker stuck in it is lost to
every other reader until gunicorn kills it mid-response. So every query a public
request makes (anything outside the admin) is stopped once it has run for
``QUERY_TIME_LIMIT_MS``: by PostgreSQL's ``statement_timeout``, or on SQLite by a
progress handler that interrupts a query past its deadline. The request is then
answered 503, in its address's own format (timeline/errors.py). The admin is
never limited: an editor's save must not be cut short.

The counts of the chronology page run under shorter limits of their own, nested
inside (``TimeBudget``): a count that overruns is skipped and the page says so.
"""

import contextlib
import time

from django.conf import settings
from django.db import OperationalError, connections, router, transaction
from django.urls import reverse

# SQLite calls the progress handler every this many virtual machine steps.
SQLITE_STEPS = 1000


def timed_out(error: BaseException | None) -> bool:
    """True for the error of a query stopped by one of these time limits."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    return type(cause).__name__ == "QueryCanceled" or "interrupted" in str(error)


@contextlib.contextmanager
def progress_handler(connection, handler):
    """SQLite: ``handler`` decides whether to interrupt the connection's queries within
    the block; the handler before it (a request's, a count's) is restored after. SQLite
    keeps one handler per connection, so the one in force is remembered here."""
    connection.ensure_connection()
    raw = connection.connection
    previous = getattr(connection, "timeline_progress_handler", None)
    raw.set_progress_handler(handler, SQLITE_STEPS)
    connection.timeline_progress_handler = handler
    try:
        yield
    finally:
        connection.timeline_progress_handler = previous
        if connection.connection is raw:  # not closed and opened again meanwhile
            raw.set_progress_handler(previous, SQLITE_STEPS)


class _Deadline:
    """SQLite's side of a per-query limit: each query gets ``seconds`` from its start."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def __call__(self) -> bool:  # the progress handler: True interrupts the query
        return time.monotonic() > self.at

    def restart(self, execute, sql, params, many, context):  # an execute wrapper
        self.at = time.monotonic() + self.seconds
        return execute(sql, params, many, context)


@contextlib.contextmanager
def query_time_limit(using: str, milliseconds: int | None = None):
    """Every query on database ``using`` within the block is stopped after running for
    ``milliseconds`` (default: the QUERY_TIME_LIMIT_MS setting), raising OperationalError."""
    if milliseconds is None:
        milliseconds = settings.QUERY_TIME_LIMIT_MS
    connection = connections[using]
    if milliseconds <= 0 or getattr(connection, "timeline_query_time_limit", False):
        yield  # none, or the one already in force
        return
    connection.timeline_query_time_limit = True
    try:
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            # Outside a transaction, the limit is kept on the connection for the next
            # public request (two round trips fewer for each), and lifted before any
            # other (``lift_kept_limits``); inside one, it would go with a rollback.
            keep = not connection.in_atomic_block
            if not (keep and _kept(connection) == milliseconds):
                with connection.cursor() as cursor:
                    # Without JIT too: its compiling cannot be interrupted, and for a
                    # query planned as costly (a chunk of an export) took longer than
                    # running it.
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, false), "
                        "set_config('jit', 'off', false)",
                        [f"{milliseconds}ms"],
                    )
                connection.timeline_kept_limit = (connection.connection, milliseconds)
            try:
                yield
            finally:
                if not keep:
                    _lift_statement_timeout(connection)
        elif connection.vendor == "sqlite":
            deadline = _Deadline(milliseconds / 1000)
            with (
                progress_handler(connection, deadline),
                connection.execute_wrapper(deadline.restart),
            ):
                yield
        else:
            yield
    finally:
        connection.timeline_query_time_limit = False


def _kept(connection) -> int | None:
    """The limit in milliseconds that this very connection (not one opened since) keeps."""
    kept = getattr(connection, "timeline_kept_limit", None)
    return kept[1] if kept and kept[0] is connection.connection else None


def _lift_statement_timeout(connection):
    """Back to the connection's own statement_timeout (and JIT), so that a persistent
    connection never carries a reader's limit into a request that has none (an editor's,
    say)."""
    connection.timeline_kept_limit = None
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout; RESET jit")
    except Exception:
        if connection.in_atomic_block:
            # The transaction failed (a query was stopped): rolling it back, as its
            # owner will, undoes the limit set inside it.
            return
        connection.close()


def lift_kept_limits():
    """Lift the limit that a public request left on any of this thread's connections."""
    for connection in connections.all(initialized_only=True):
        if _kept(connection) is not None:
            _lift_statement_timeout(connection)


def is_public_request(request) -> bool:
    """Anything outside the admin. Not only anonymous readers' requests: a session
    cookie is free to send, and must not lift the limit."""
    return not request.path.startswith(reverse("admin:index"))


class QueryTimeLimitMiddleware:
    """Runs each public request's queries under the time limit, on the database its
    reads go to (the replica, for anonymous readers, when there is one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public_request(request):
            lift_kept_limits()
            return self.get_response(request)
        from timeline.models import Event

        with query_time_limit(router.db_for_read(Event)):
            return self.get_response(request)


# ---------------------------------------------------------------- counts on a page

# Counts that overran their time limit lately, by key: when until to skip them untried.
# Per process; a count over 100,000 rows is not worth starting again on every request,
# and a skipped count is shown as skipped, never as a stale number.
_overran: dict[str, float] = {}
OVERRUN_MEMORY_SECONDS = 60


class TimeBudget:
    """Runs counting queries, each within a time limit. A query that would overrun it is
    stopped by the database (PostgreSQL's statement_timeout, SQLite's progress handler)
    and its count reported as skipped, so the page still answers in time. Like
    Datasette's facet time limit, the limit is per count: a count over a few rows is
    never skipped, however busy the machine, so a page's queries stay the same. The
    request's own limit (above) is in force again after each count.

    A count given a ``key`` that overran its limit is skipped without being tried for
    the next OVERRUN_MEMORY_SECONDS."""

    def __init__(self, milliseconds: float, using: str = "default"):
        self.milliseconds = int(milliseconds)
        self.connection = connections[using]
        self.using = using
        self.skipped: list[str] = []

    def run(self, name: str, count, default=None, key: str | None = None):
        """``count()`` if it finishes within the time limit, else ``default``."""
        now = time.monotonic()
        if self.milliseconds <= 0 or (key is not None and _overran.get(key, 0) > now):
            self.skipped.append(name)
            return default
        try:
            with transaction.atomic(using=self.using), self.limit(self.milliseconds):
                return count()
        except OperationalError as error:
            if not timed_out(error):
                raise
            if key is not None:
                if len(_overran) > 10_000:
                    _overran.clear()
                _overran[key] = time.monotonic() + OVERRUN_MEMORY_SECONDS
            self.skipped.append(name)
            return default

    @contextlib.contextmanager
    def limit(self, milliseconds: int):
        connection = self.connection
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Local to the transaction (or savepoint) that run() opened, so the
                # request's limit is back after it. Without JIT: compiling a count over
                # many rows takes longer than the limit, and cannot be interrupted.
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), current_setting('jit'), "
                    "set_config('statement_timeout', %s, true), set_config('jit', 'off', true)",
                    [f"{milliseconds}ms"],
                )
                timeout, jit = cursor.fetchone()[:2]
            yield
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true), set_config('jit', %s, true)",
                    [timeout, jit],
                )
        elif connection.vendor == "sqlite":
            deadline = time.monotonic() + milliseconds / 1000
            with progress_handler(connection, lambda: time.monotonic() > deadline):
                yield
        else:
            yield
