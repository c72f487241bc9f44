"""The environment of the few templates written for Jinja2 (Django's Jinja2 backend,
``templates/jinja2/``): the facets of the chronology and of the lists of statements,
the time axis and the page of events, which a page renders for every view the first
time it is asked for, and a source's text with its passages marked, thousands of pieces
in a long document. Measured at 100,000 events, the Django template language took about
5 ms for the chronology's on each such request, Jinja2 about 2; the rest of the site's
templates stay in the template language, and include these through
``{% fragment … template=… %}`` (timeline/templatetags/fragments.py).

Their context is mostly precomputed plain values (timeline/chronology.py), so they need
little: ``url()`` as ``{% url %}`` gives it, and ``plural()``. Their dicts are read as
``bar['url']``, not ``bar.url``: Jinja2 tries an attribute first for a dot, which cost a
sixth of a page's time. An undefined name is an error, not an empty string, so that a
misspelt one cannot hide in a page."""

from django.urls import reverse
from jinja2 import Environment, StrictUndefined

from timeline.chronology import plural


def environment(**options) -> Environment:
    options["undefined"] = StrictUndefined
    env = Environment(**options)
    env.globals.update(url=reverse, plural=plural)
    return env
