"""An event's accounts compared point by point: for each point of comparison an editor
named on the event (Point), what each account says of it in the words of its sources,
and which of the statements no point holds, so that nothing is left out.

An account is an origin of sources (Source.origin: whose account a document carries).
The statements compared are the event's own and those said on other occasions that
concern it, as the caller read them (timeline/views.py: ``statements_about`` for the
page, the JSON's own statements and ``statements_concerning`` for the JSON); the
comparison adds two queries whatever their number (one, for an event without points).
"""

import unicodedata
from dataclasses import dataclass, field

from timeline.models import Origin, Point, Source

# The order of the columns: the order of the origins' choices, the same on every event,
# so that an account stands in the same place from one comparison to the next.
ORIGIN_ORDER = {origin: number for number, origin in enumerate(Origin.values)}


@dataclass(frozen=True)
class Account:
    origin: str
    label: str


def account_of(statement) -> Account:
    source = statement.source
    return Account(source.origin, source.get_origin_display())


def same_words(text: str) -> str:
    """``text`` with its quotation marks, punctuation and whitespace set aside, in one
    letter case: two quotes with the same words give the same string, whichever
    outlet's punctuation they come in ("action, and we expect" and "action and we
    expect")."""
    return "".join(
        character
        for character in unicodedata.normalize("NFKC", text).casefold()
        if unicodedata.category(character)[0] in "LMN"  # letters, their marks, numbers
    )


@dataclass
class Words:
    """One set of words in a cell: a statement and, for a direct quote, the quotes of the
    same speaker in the same account's other sources that give the same words; shown
    once, each source linked."""

    statements: list

    @property
    def statement(self):
        return self.statements[0]


def grouped(statements) -> list[Words]:
    """``statements`` (of one account) as sets of words, in their order: a quote joins
    the first quote of its speaker with the same words."""
    found: dict[tuple, Words] = {}
    words = []
    for statement in statements:
        if statement.is_quote:
            key = (statement.speaker_id, same_words(statement.text))
            if key in found:
                found[key].statements.append(statement)
                continue
            found[key] = Words([statement])
            words.append(found[key])
        else:
            words.append(Words([statement]))
    return words


@dataclass
class Cell:
    """What one account says on one point (or, below the table, under no point)."""

    account: Account
    words: list[Words] = field(default_factory=list)

    @property
    def statements(self) -> list:
        return [statement for each in self.words for statement in each.statements]


@dataclass
class Row:
    point: Point
    cells: list[Cell]


@dataclass
class Comparison:
    """The table (``rows``: one per point, in their order, each with one cell per account
    of ``accounts``), and the statements under no point (``unplaced``: one cell per
    account that has any)."""

    accounts: list[Account]
    rows: list[Row]
    unplaced: list[Cell]
    # Whether every document compared is a news report: then what an account's cell
    # lacks may still be in the readout or statement that the reports relay.
    reports_only: bool

    @property
    def shown(self) -> bool:
        """Whether the page has a table to show: points, and accounts to compare."""
        return bool(self.rows and self.accounts)

    @property
    def unplaced_statements(self) -> list:
        """The statements under no point, account by account."""
        return [statement for cell in self.unplaced for statement in cell.statements]


def compare(event, own, mentioned) -> Comparison:
    """The comparison of ``event``'s accounts: ``own`` are its statements and
    ``mentioned`` those said on other occasions that concern it (each read with its
    source; on the page, with its relays too). A point's statements that are neither
    (one placed there before it stopped concerning the event, or one the reader may not
    see) are left out. Two queries: the points, and which statements each holds."""
    seen: set[int] = set()
    statements = []
    for statement in [*own, *mentioned]:
        if statement.pk not in seen:
            seen.add(statement.pk)
            statements.append(statement)
    points = list(event.points.order_by("position", "pk"))
    held: dict[int, set[int]] = {point.pk: set() for point in points}
    if points:
        rows = Point.statements.through.objects.filter(point__event=event)
        for point_id, statement_id in rows.values_list("point_id", "statement_id"):
            held[point_id].add(statement_id)
    accounts = sorted({account_of(s) for s in statements}, key=lambda a: ORIGIN_ORDER[a.origin])

    def cells(chosen) -> list[Cell]:
        return [
            Cell(account, grouped(s for s in chosen if account_of(s) == account))
            for account in accounts
        ]

    placed = set().union(*held.values())
    unplaced = [s for s in statements if s.pk not in placed]
    return Comparison(
        accounts=accounts,
        rows=[
            Row(point, cells([s for s in statements if s.pk in held[point.pk]])) for point in points
        ],
        unplaced=[cell for cell in cells(unplaced) if cell.words],
        reports_only=all(s.source.kind == Source.Kind.NEWS_REPORT for s in statements),
    )


def as_json(comparison: Comparison) -> dict:
    """The comparison as /events/<slug>.json gives it: ``comparison``, for every point, every
    account with the public ids of its statements on it (none where its sources do not
    mention the point; every copy of a quote given once on the page); ``unplaced``, the
    ids of the statements under no point, account by account (all of them, for an event
    without points)."""
    return {
        "comparison": [
            {
                "point": {"slug": row.point.slug, "name": row.point.name},
                "accounts": [
                    {
                        "account": {"origin": cell.account.origin, "label": cell.account.label},
                        "statements": [statement.uid for statement in cell.statements],
                    }
                    for cell in row.cells
                ],
            }
            for row in comparison.rows
        ],
        "unplaced": [statement.uid for statement in comparison.unplaced_statements],
    }
