"""``ucontains``: "contains, whatever the letter case", in every script. Django's
``icontains`` folds only ASCII letters on SQLite (its LIKE), and on PostgreSQL only
what the database's locale folds (nothing past ASCII in the C locale): "нагорный" did
not find "Нагорный". Here the text is lower-cased by Unicode's rules on both: on
PostgreSQL through an ICU collation, on SQLite through Python's ``str.lower``, which
each connection is given as the function ``unicode_lower``."""

from django.db.models import CharField, Lookup, TextField

# PostgreSQL's ICU root collation: Unicode's rules whatever the database's locale.
ICU = '"und-x-icu"'


def lowered(sql: str, vendor: str) -> str:
    """``sql`` (a column, a parameter) lower-cased by Unicode's rules."""
    if vendor == "postgresql":
        return f"lower(({sql}) COLLATE {ICU})"
    return f"unicode_lower({sql})"


def contains_pattern(text: str, connection) -> str:
    """The LIKE pattern of a lower-cased column that holds ``text``."""
    return f"%{connection.ops.prep_for_like_query(text.lower())}%"


def contains_sql(column: str, connection) -> str:
    """The condition that ``column`` holds the pattern (one parameter, contains_pattern)."""
    escape = "" if connection.vendor == "postgresql" else " ESCAPE '\\'"
    return f"{lowered(column, connection.vendor)} LIKE %s{escape}"


class UnicodeContains(Lookup):
    lookup_name = "ucontains"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return contains_sql(lhs, connection), [
            *lhs_params,
            contains_pattern(str(self.rhs), connection),
        ]


def register_unicode_lower(sender, connection, **kwargs):
    """Give a new SQLite connection ``unicode_lower`` (connection_created)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "unicode_lower", 1, lambda s: s.lower() if isinstance(s, str) else s,
            deterministic=True,
        )  # fmt: skip


CharField.register_lookup(UnicodeContains)
TextField.register_lookup(UnicodeContains)
