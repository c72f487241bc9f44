"""How a statement reached the source that records it, in words: "Ilham Aliyev, as
relayed by Matthew Miller, reported by ARMENPRESS". The chain runs from the speaker to
the outlet that published the source (Relay.position); people and bodies pass words on
("as relayed by"), outlets report them ("reported by"), and an outlet that cites another
outlet's report stands after it ("as cited by")."""

from timeline.models import Actor, Relay


def chain_words(speaker: Actor, relays: list[Actor]) -> list[tuple[str, Actor]]:
    """The speaker and each relay with the words that come before it: [("", speaker),
    (", as relayed by ", Miller), (", reported by ", ARMENPRESS)]; a second person or
    body in a row is "then by"."""
    parts, reported = [("", speaker)], False
    for number, actor in enumerate(relays):
        previous = relays[number - 1] if number else None
        if actor.kind == Actor.Kind.MEDIA:
            parts.append((", as cited by " if reported else ", reported by ", actor))
            reported = True
        elif previous is not None and previous.kind != Actor.Kind.MEDIA and not reported:
            parts.append((", then by ", actor))
        else:
            parts.append((", as relayed by ", actor))
    return parts


def in_words(speaker: Actor, relays: list[Actor]) -> str:
    return "".join(words + actor.name for words, actor in chain_words(speaker, relays))


def relays_of(statements) -> dict[int, list[Actor]]:
    """The relay chain of each of ``statements`` (their ids to their relays' actors, in
    order), in one query."""
    chains: dict[int, list[Actor]] = {statement.pk: [] for statement in statements}
    rows = (
        Relay.objects.filter(statement__in=list(chains))
        .select_related("actor")
        .only("statement", "actor__slug", "actor__name", "actor__kind", "actor__unnamed")
        .order_by("statement", "position")
    )
    for relay in rows:
        chains[relay.statement_id].append(relay.actor)
    return chains


def attach(statements) -> list:
    """``statements`` (a list), each with ``relayed`` (its chain's actors) and
    ``chain`` (the words of it, for templates), in one query."""
    statements = list(statements)
    chains = relays_of(statements)
    for statement in statements:
        statement.relayed = chains[statement.pk]
        statement.chain = chain_words(statement.speaker, statement.relayed)
    return statements
