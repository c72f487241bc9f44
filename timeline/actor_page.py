"""The most recent statements an actor's page lists by what they do rather than by
when they were said: those in which it asks for or promises something, each with
what later statements say of it, and those others addressed to it or made about it.

Each list is the newest few, by sort date, then id, both descending: in a number of
queries that does not grow with the rows shown or the record (two a list, one for
their relays and one for the follow-ups of the first list), and fast at 300,000
statements for every one of 2,000 actors (``newest`` says how).
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef

from timeline import relays, statement_page
from timeline.data_docs import address
from timeline.models import Statement

# How many statements of each list the page shows; the full list is a link away.
SHOWN = 10


def asking_or_promising(statements):
    """Those of ``statements`` whose act asks something of someone (urges, calls for,
    demands) or promises something (commits to, offers, assures, pledges)."""
    return statements.filter(speech_act__in=Statement.ASKS | Statement.PROMISES)


def addressed_by_others(statements, actor):
    """Those of ``statements`` addressed to ``actor`` or made about it, by others than
    ``actor`` itself: an EXISTS on the addressees' table, which has an index on each of
    its columns, and each statement once whatever its other addressees."""
    addressees = Statement.addressees.through.objects.filter(statement=OuterRef("pk"), actor=actor)
    return statements.filter(Exists(addressees)).exclude(speaker=actor)


# Up to this many statements in a list, an actor's are all read through its own index
# (the speaker's, or the addressees' table's) and the newest chosen among them; past
# it, they are many enough that walking the index of every statement in date order
# back from the newest (statement_in_date_order) soon meets the few shown.
FEW = 2000


def newest(statements, shown: int = SHOWN) -> tuple[list, bool]:
    """The ``shown`` newest of ``statements``, each with its speaker, occasion and
    source (not its text: a whole document), and whether there are more. Two queries.

    PostgreSQL alone would walk the date index back for any actor it expects to have
    more than a few hundred statements, and for one whose statements are all old that
    reads most of the table first (300 ms at 300,000 statements); by the actor's own
    index it reads all of the actor's, which is slow only for the busiest (140 ms). So
    the first query reads the keys of up to FEW + 1 of them by the actor's index: when
    that is all of them, the newest are chosen here and fetched by id; otherwise the
    second query walks the date index, which the many soon satisfy."""
    keys = list(statements.order_by().values_list("sort_date", "pk")[: FEW + 1])
    rows = statements.select_related("speaker", "event", "source").defer("source__text")
    if len(keys) <= FEW:
        keys.sort(key=lambda key: (key[0] or datetime.date.min, key[1]), reverse=True)
        ids = [pk for _, pk in keys[: shown + 1]]
        found = rows.in_bulk(ids)
        rows = [found[pk] for pk in ids if pk in found]  # one deleted since is left out
    else:
        rows = list(rows.order_by("-sort_date", "-pk")[: shown + 1])
    return rows[:shown], len(rows) > shown


def sections(actor) -> dict:
    """The two lists of ``actor``'s page among the published record's statements, in
    six queries: ``asked`` (its asks and promises, each with its ``followups`` worded
    as statuses: ``statement_page.with_statuses``) and ``addressed`` (what others said
    to or about it), each statement with its relays (``relays.attach``); and, when a
    list has more than it shows, the address of the whole of it (``all_asked``, on
    /commitments/; ``all_addressed``, on /statements/)."""
    published = Statement.objects.published()
    asked, more_asked = newest(asking_or_promising(published.by(actor)))
    addressed, more_addressed = newest(addressed_by_others(published, actor))
    relays.attach(asked + addressed)
    statement_page.with_statuses(asked)
    return {
        "asked": asked,
        "all_asked": more_asked
        and f"{address('commitments')}?{urlencode({'speaker': actor.slug})}",
        "addressed": addressed,
        "all_addressed": more_addressed
        and f"{address('statements')}?{urlencode({'addressee': actor.slug})}",
    }
