"""The site's own error pages where Django's templates for 400, 403 and 404 do not reach.

A database that cannot be reached (restarting, failed over, overloaded) is not
a bug: readers get a 503 that says to try again shortly, with Retry-After, and
the same processes serve again once it is back. Anything else is a 500. Both
pages reveal nothing of the error. A form sent without a valid CSRF token gets
a designed 403 that says what to do.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import ERROR_500_TEMPLATE_NAME

RETRY_AFTER_SECONDS = 10


def database_unreachable(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    )


class DatabaseOutageInOneLine(logging.Filter):
    """Log a request that failed because the database was unreachable as one line, not
    a traceback: an outage under load fails hundreds of requests a second, and their
    identical tracebacks would bury everything else in the log. Any other error keeps
    its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if database_unreachable(error):
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            detail = f"{type(error).__name__}: {reason}" if reason else type(error).__name__
            record.msg = f"{record.msg} (database unreachable, {detail.replace('%', '%%')})"
            record.exc_info = record.exc_text = None
        return True


@requires_csrf_token
def server_error(request):
    """handler500: Django calls it while handling the exception, which sys.exception() gives."""
    if database_unreachable(sys.exception()):
        body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.get_template(ERROR_500_TEMPLATE_NAME).render(), status=500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the site's 403 page, not Django's (which has an inline style
    the Content Security Policy refuses). The reason stays in the log, not on the page."""
    return render(request, "403_csrf.html", status=403)
