"""What a statement's own page shows of the record around it: the points of comparison
it stands under, the links it makes to earlier statements, and the links later
statements make to it (worded as statuses, as an actor's page words them too), each
link with the passage that makes it. A query each, however many there are."""

from timeline import followups


def points_of(statement, events) -> list:
    """The points of comparison ``statement`` stands under, on those of ``events`` (the
    events the reader may see), each with its event, in the events' order."""
    return list(
        statement.points.filter(event__in=events)
        .select_related("event")
        .order_by("event__date_start", "event__slug", "position", "pk")
    )


def links_to_earlier(statement, visible) -> list:
    """The links ``statement`` makes to earlier statements among ``visible`` (those the
    reader may see), in the order those were said, each with the earlier statement's
    speaker, source and occasion."""
    return list(
        statement.links_out.filter(earlier__in=visible)
        .select_related("earlier__speaker", "earlier__source", "earlier__event", "source")
        .defer("earlier__source__text", "source__text")
        .order_by("earlier__sort_date", "earlier__pk", "relation")
    )


def with_statuses(statements, later=None) -> list:
    """``statements``, each with its ``followups``: the links later statements (of
    ``later``, by default the published record's) make to it, in the order those were
    said (``followups.attach_followups``, one query), each link with its ``status`` in
    someone's words ("reported as done by Matthew Miller on 27 September 2023"), and
    ``nothing_later``, the line that says the record holds no such link, when it holds
    none. An actor's page words its asks and promises so too."""
    statements = followups.attach_followups(statements, later=later)
    for statement in statements:
        for link in statement.followups:
            link.status = followups.status_of(link)
        # The line for a demand or commitment that nothing later speaks of, or "".
        statement.nothing_later = "" if statement.followups else followups.NO_LATER_STATEMENT
    return statements
