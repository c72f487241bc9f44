"""The site's own error pages where Django's templates for 400, 403 and 404 do not reach.

A database that cannot be reached (restarting, failed over, overloaded) is not
a bug: readers get a 503 that says to try again shortly, with Retry-After, and
the same processes serve again once it is back. So is a query stopped by the
time limit on public requests (timeline/timelimits.py). Anything else is a 500.
Both reveal nothing of the error, and each is answered in its address's own
format: JSON for ``.json``, plain text for ``.csv``, else an HTML page. A form
sent without a valid CSRF token gets a designed 403 that says what to do.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import ERROR_500_TEMPLATE_NAME

from timeline.timelimits import timed_out

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
            what = "query time limit reached" if timed_out(error) else "database unreachable"
            record.msg = f"{record.msg} ({what}, {detail.replace('%', '%%')})"
            record.exc_info = record.exc_text = None
        return True


def answer_format(request) -> str:
    """The format of an answer to ``request``: its address's ("json", "csv"), else "html"."""
    suffix = request.path.rpartition("/")[2].rpartition(".")[2] if request else ""
    return suffix if suffix in ("json", "csv") else "html"


def problem_response(request, status: int, problems: list[tuple[str, str]]) -> HttpResponse:
    """An export's answer naming ``problems``, (parameter, message) pairs ("" for none):
    a JSON body of errors, or one "parameter: message" line each in plain text."""
    if answer_format(request) == "json":
        errors = [{"parameter": name, "message": message} for name, message in problems]
        return JsonResponse({"errors": errors}, status=status)
    text = "\n".join(f"{name or 'query'}: {message}" for name, message in problems)
    body = loader.get_template("timeline/error.txt").render({"text": text})
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


UNAVAILABLE = {
    False: "The timeline is briefly unavailable. Its database is not answering, usually "
    "for a few seconds during maintenance.",
    True: "The timeline is briefly unavailable. This request asked more of its database "
    "than it can answer in time, perhaps because the site is busy: try again shortly, "
    "or narrow the filters.",
}


def unavailable(request, *, too_long: bool) -> HttpResponse:
    """The 503, with Retry-After, in the format of the address asked for."""
    if answer_format(request) == "html":
        context = {"retry_after": RETRY_AFTER_SECONDS, "too_long": too_long}
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    else:
        response = problem_response(request, 503, [("", UNAVAILABLE[too_long])])
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@requires_csrf_token
def server_error(request):
    """handler500: Django calls it while handling the exception, which sys.exception() gives."""
    error = sys.exception()
    if database_unreachable(error):
        return unavailable(request, too_long=timed_out(error))
    return HttpResponse(loader.get_template(ERROR_500_TEMPLATE_NAME).render(), status=500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the site's 403 page, not Django's (which has an inline style
    the Content Security Policy refuses). The reason stays in the log, not on the page."""
    return render(request, "403_csrf.html", status=403)
