"""The long-tail mix: many distinct URLs drawn from the generated data, each requested
exactly three times in random order, as real readers spread over the whole record do.

``choose_mix`` draws the URLs (reproducibly, from a seed) from a sample of published
events and from every actor; ``drive`` requests them at a fixed concurrency, over
persistent connections, and records each response's latency, status and whether the
page skipped a count. No cache of a handful of URLs can serve such a mix: the first
request for each URL after a change to the data is cold, the next two warm.
"""

import http.client
import random
import threading
import time
import urllib.parse

HTMX = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://127.0.0.1/"}
# How many distinct URLs of each kind the mix asks for (fewer where the data has fewer).
SHARES = {
    "actor": 0.13, "actor pair": 0.09, "month": 0.07, "year": 0.04, "search, one word": 0.09,
    "search, two words": 0.07, "three filters": 0.10, "four filters": 0.08, "htmx fragment": 0.08,
    "event page": 0.07, "actor page": 0.03, "source page": 0.03, "index page": 0.03,
    "every choice": 0.02, "feed": 0.03, "show more": 0.02, "newest first": 0.02,
    # Issue 16's lists of statements, beside the chronology's share.
    "statements": 0.04, "statements, search": 0.02, "commitments": 0.02,
    "statements fragment": 0.01, "statements twin": 0.01,
}  # fmt: skip
# The requests that ask for a part of the page, by kind: the headers htmx sends.
FRAGMENTS = {
    "htmx fragment": HTMX, "show more": {**HTMX, "HX-Target": "show-more"},
    "statements fragment": HTMX,
}  # fmt: skip
# The speech acts of the statements (timeline/models.py), and those /commitments/ lists.
ACTS = [
    "urges", "commits-to", "expresses-concern", "condemns", "denies", "announces", "reports",
    "states", "discusses", "acknowledges", "expects", "offers", "calls-for", "demands",
    "assures", "pledges",
]  # fmt: skip
COMMITMENT_ACTS = ["urges", "commits-to", "offers", "calls-for", "demands", "assures", "pledges"]


def choose_mix(sql, events: int, size: int, seed: int) -> list[dict]:
    """At least ``size`` distinct URLs (path and htmx headers), each with its kind.

    ``sql`` runs a query on the site's database and returns its rows as lists of str."""
    rng = random.Random(seed)
    # About 3,000 published events, the same for the same seed (REPEATABLE).
    share = min(100.0, 300_000 / max(events, 1))
    sample = sql(
        f"SELECT e.slug, to_char(e.date_start, 'YYYY-MM'), e.kind,"
        " coalesce((SELECT string_agg(a.slug, ' ' ORDER BY a.slug) FROM timeline_eventactor r"
        "  JOIN timeline_actor a ON a.id = r.actor_id WHERE r.event_id = e.id), ''),"
        " coalesce((SELECT string_agg(DISTINCT s.origin, ' ') FROM timeline_event_sources es"
        "  JOIN timeline_source s ON s.id = es.source_id WHERE es.event_id = e.id), ''),"
        " coalesce((SELECT string_agg(s.slug, ' ') FROM timeline_event_sources es"
        "  JOIN timeline_source s ON s.id = es.source_id WHERE es.event_id = e.id), '')"
        f" FROM timeline_event e TABLESAMPLE BERNOULLI ({share}) REPEATABLE ({seed})"
        " WHERE e.publication = 'published' ORDER BY e.id"
    )
    rows = [
        {"slug": r[0], "month": r[1], "kind": r[2], "actors": r[3].split(),
         "origins": r[4].split(), "sources": r[5].split()}
        for r in sample
    ]  # fmt: skip
    # Every actor in a published event: the whole long tail, not only the busiest.
    actors = [r[0] for r in sql(
        "SELECT a.slug FROM timeline_actor a WHERE EXISTS (SELECT 1 FROM timeline_eventactor r"
        " JOIN timeline_event e ON e.id = r.event_id"
        " WHERE r.actor_id = a.id AND e.publication = 'published') ORDER BY a.slug"
    )]  # fmt: skip
    words = [r[0] for r in sql(
        "SELECT word FROM ts_stat($$SELECT to_tsvector('simple', title || ' ' || summary)"
        f" FROM timeline_event TABLESAMPLE BERNOULLI ({share}) REPEATABLE ({seed})$$)"
        " WHERE length(word) >= 4 AND word ~ '^[a-z]+$' ORDER BY word"
    )]  # fmt: skip
    pairs = [r for r in rows if len(r["actors"]) >= 2]

    def q(**params):
        pairs = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]
        return "/?" + urllib.parse.urlencode([(k.rstrip("_"), v) for k, v in pairs])

    def filters(row, count):
        """``count`` filters that the sampled event matches, so that none is empty."""
        year = row["month"][:4]
        options = [
            ("actor", rng.choice(row["actors"])) if row["actors"] else None,
            ("kind", row["kind"]),
            ("origin", rng.choice(row["origins"])) if row["origins"] else None,
            ("period", rng.choice([(year, year), (row["month"], row["month"])])),
            ("q", rng.choice(words)) if words else None,
        ]
        chosen = rng.sample([o for o in options if o], min(count, sum(1 for o in options if o)))
        params = {}
        for name, value in chosen:
            if name == "period":
                params["from"], params["to_"] = value
            else:
                params[name] = value
        return q(**params)

    def statements(row, count, path="/statements/", acts=ACTS):
        """A list of statements with ``count`` filters drawn from the sampled event (its
        actors as speaker or addressee, its origins, its month or year), an act, a mode."""
        year = row["month"][:4]
        options = [
            ("speaker", rng.choice(row["actors"])) if row["actors"] else None,
            ("addressee", rng.choice(row["actors"])) if row["actors"] else None,
            ("origin", rng.choice(row["origins"])) if row["origins"] else None,
            ("period", rng.choice([(year, year), (row["month"], row["month"])])),
            ("act", rng.choice(acts)),
            ("mode", rng.choice(["quote", "reported", "account"])),
        ]
        chosen = rng.sample([o for o in options if o], min(count, sum(1 for o in options if o)))
        params = {}
        for name, value in chosen:
            if name == "period":
                params["from"], params["to_"] = value
            else:
                params[name] = value
        return path + q(**params)[1:]

    makers = {
        "actor": lambda: q(actor=rng.choice(actors)),
        "actor pair": lambda: q(actor=rng.sample(rng.choice(pairs)["actors"], 2)),
        "month": lambda: (m := rng.choice(rows)["month"]) and q(from_=m, to_=m),
        "year": lambda: (y := rng.choice(rows)["month"][:4]) and q(from_=y, to_=y),
        "search, one word": lambda: q(q=rng.choice(words)),
        "search, two words": lambda: q(q=" ".join(rng.sample(words, 2))),
        "three filters": lambda: filters(rng.choice(rows), 3),
        "four filters": lambda: filters(rng.choice(rows), 4),
        "htmx fragment": lambda: filters(rng.choice(rows), rng.choice([1, 2])),
        "event page": lambda: f"/events/{rng.choice(rows)['slug']}/",
        "actor page": lambda: f"/actors/{rng.choice(actors)}/",
        "source page": lambda: f"/sources/{rng.choice(rng.choice(rows)['sources'] or ['-'])}/",
        "index page": lambda: rng.choice(
            [
                f"/actors/?q={rng.choice(actors).split('-')[0]}",
                f"/places/?q={rng.choice(words)[:3]}",
                f"/sources/?q={rng.choice(words)[:3]}",
                rng.choice(["/actors/", "/places/", "/sources/"]),
            ]
        ),
        "every choice": lambda: (
            f"/choose/{rng.choice(['actor', 'place'])}/"
            + filters(rng.choice(rows), rng.choice([1, 2]))[1:]
        ),
        "feed": lambda: (
            "/events.atom"
            + rng.choice(
                [
                    q(actor=rng.choice(actors)),
                    q(actor=rng.sample(rng.choice(pairs)["actors"], 2)),
                ]
                if pairs
                else [q(actor=rng.choice(actors))]
            )[1:]
        ),
        "show more": lambda: filters(rng.choice(rows), 1) + "&shown=40",
        "newest first": lambda: filters(rng.choice(rows), 2) + "&sort=newest",
        "statements": lambda: statements(rng.choice(rows), rng.choice([1, 2, 3])),
        "statements, search": lambda: "/statements/" + q(q=rng.choice(words))[1:],
        "commitments": lambda: statements(
            rng.choice(rows), rng.choice([0, 1, 2]), "/commitments/", COMMITMENT_ACTS
        ),
        "statements fragment": lambda: statements(rng.choice(rows), rng.choice([1, 2])),
        "statements twin": lambda: statements(
            rng.choice(rows),
            1,
            rng.choice(["/statements.json", "/commitments.atom"]),
            COMMITMENT_ACTS,
        ),
    }
    if not pairs:
        makers.pop("actor pair")
    if len(words) < 2:
        for kind in ("search, one word", "search, two words", "statements, search"):
            makers.pop(kind, None)
    seen, mix = set(), []

    def add(kind):
        for _ in range(50):  # a few tries for a URL not drawn yet
            path = makers[kind]()
            headers = FRAGMENTS.get(kind, {})
            if path and "/-/" not in path and (path, kind) not in seen:
                seen.add((path, kind))
                mix.append({"kind": kind, "path": path, "headers": headers})
                return True
        return False

    for kind in makers:
        for _ in range(round(SHARES[kind] * size)):
            add(kind)
    # Where a kind ran out of distinct URLs (small data), combinations of filters fill up.
    while len(mix) < size:
        if not add(rng.choice(["three filters", "four filters", "htmx fragment"])):
            break
    return mix


def skipped_a_count(body: bytes) -> bool:
    """Whether the page showed "count skipped" (or the JSON gave a null count)."""
    return b'class="skipped"' in body or b'"count": null' in body


def drive(port: int, mix: list[dict], repeats: int, connections: int, seed: int, extra_headers):
    """Each URL of ``mix`` ``repeats`` times, in a random order, over ``connections``
    persistent connections. Returns one record per request, in the order they were sent."""
    order = [(i, n) for i in range(len(mix)) for n in range(repeats)]
    random.Random(seed).shuffle(order)
    # The n-th request for a URL goes out after its (n-1)-th: number them in order sent.
    sent = {}
    queue = []
    for i, _ in order:
        sent[i] = sent.get(i, 0) + 1
        queue.append((i, sent[i]))
    records = [None] * len(queue)
    lock = threading.Lock()
    position = iter(range(len(queue)))

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                n = next(position, None)
            if n is None:
                break
            i, nth = queue[n]
            item = mix[i]
            started = time.monotonic()
            try:
                headers = {**extra_headers, **item["headers"]}
                connection.request("GET", item["path"], headers=headers)
                response = connection.getresponse()
                body, status = response.read(), response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                body, status = b"", 0
            records[n] = {
                "url": i, "nth": nth, "kind": item["kind"], "status": status,
                "seconds": time.monotonic() - started, "skipped": skipped_a_count(body),
            }  # fmt: skip
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return records, time.monotonic() - started


def percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    if not ordered:
        return {"requests": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None}

    def at(share):
        return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"requests": len(ordered), "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


def summarise(records: list[dict], seconds: float) -> dict:
    """p50/p95/p99 and the share of pages that skipped a count: over all requests, over
    the first (cold) and the later (warm) requests for each URL, and for each kind."""

    def part(rs):
        pages = [r for r in rs if r["status"] == 200]
        return {
            **percentiles([r["seconds"] for r in rs]),
            "skipped_share": round(sum(r["skipped"] for r in pages) / max(len(pages), 1), 3),
            "not_200": sum(r["status"] != 200 for r in rs),
        }

    kinds = sorted({r["kind"] for r in records})
    return {
        "urls": len({r["url"] for r in records}),
        "seconds": round(seconds, 1),
        "rps": round(len(records) / seconds, 1),
        "all": part(records),
        "cold": part([r for r in records if r["nth"] == 1]),
        "warm": part([r for r in records if r["nth"] > 1]),
        "kinds": {k: part([r for r in records if r["kind"] == k]) for k in kinds},
    }
