"""What the record later says of a statement: the links later statements make to it
("reported as done by", "disputed by", "repeated by", "responded to by"), worded as
their speakers' accounts, never as the site's verdict on a demand or a commitment."""

from timeline.dates import format_date_range
from timeline.models import Statement, StatementLink

NO_LATER_STATEMENT = "no later statement in the record"


def attach_followups(statements, later=None) -> list:
    """Sets on each of ``statements`` its ``followups``: the links that later statements
    (of ``later``, by default the published record's) make to it, in the order they were
    said, each with its later statement's speaker, source and occasion. One query."""
    statements = list(statements)
    by_id = {statement.pk: statement for statement in statements}
    for statement in statements:
        statement.followups = []
    if not by_id:
        return statements
    later = Statement.objects.published() if later is None else later
    links = (
        StatementLink.objects.filter(earlier__in=list(by_id), later__in=later)
        .select_related("later__speaker", "later__source", "later__event", "source")
        .defer("later__source__text", "source__text")
        .order_by("later__sort_date", "later__pk", "relation")
    )
    for link in links:
        by_id[link.earlier_id].followups.append(link)
    return statements


def status_of(link) -> str:
    """One link as a status, in someone's words: "reported as done by Matthew Miller on
    27 September 2023"; a later statement the document does not date has no "on"."""
    said = link.later.said
    when = f" on {format_date_range(*said)}" if said else ""
    return f"{link.status_label} {link.later.speaker.name}{when}"


def statuses(statement) -> list[str]:
    """A statement's status lines from its ``followups`` (see ``attach_followups``), or
    the one line that says the record holds nothing later."""
    return [status_of(link) for link in statement.followups] or [NO_LATER_STATEMENT]
