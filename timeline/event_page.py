"""What an event's page shows besides the event itself: its statements set out as
the accounts of the sides that gave them."""


def accounts(statements) -> list[dict]:
    """Statements grouped by origin, then by source: one column per side's account."""
    by_origin: dict[str, dict] = {}
    for statement in statements:
        source = statement.source
        column = by_origin.setdefault(
            source.origin,
            {"origin": source.get_origin_display(), "code": source.origin, "sources": {}},
        )
        column["sources"].setdefault(source.pk, {"source": source, "statements": []})
        column["sources"][source.pk]["statements"].append(statement)
    return [
        {**column, "sources": list(column["sources"].values())} for column in by_origin.values()
    ]
