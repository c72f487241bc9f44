"""Generate a large, realistic, reproducible timeline, to measure the site at scale.

The real timeline holds a few dozen events; the site must stay fast at a
hundred thousand. This command makes that much data in minutes, the same rows
for the same ``--seed``, and respects every rule the models enforce:

- dates agree with their precision, and no event ends before it starts; they
  spread unevenly over 1991 to 2023, thickest in the wars of 1992-94, April
  2016 and 2020 and in the crisis of 2022-23;
- actors and places have a long tail: a few appear in many events, most in few;
- every statement is anchored: each source's text is written around the
  statements taken from it, so each statement's text stands verbatim at the
  offsets stored (its first occurrence), direct quotes inside quotation marks;
  every event cites the sources its statements come from, and published events
  cite at least one;
- slugs are unique (generated ones start with ``gen-``), and so is each
  statement's passage in its source;
- speech acts vary, so that a third or so of the statements are demands and
  commitments; some statements are relayed (by an outlet or another actor, whom the
  source then names), some addressed to actors, some under points of comparison that
  several events share; and a few demands and commitments are linked to a later
  statement that repeats, responds to, reports done or disputes them, its passage
  that statement's own.

Planning takes time linear in the data: each source's text is built as a list of
sentences, a set of the passages it already carries keeps each one unique, and each
finished text is checked once that every passage stands first at its offsets.

Rows are written inside one transaction: on PostgreSQL with ``COPY`` (the ids of
the rows others link to are drawn from the tables' sequences first, so the links
are written with them), elsewhere with ``bulk_create`` in batches. On PostgreSQL,
on a 2-core machine, 100,000 events take under a minute and a million (with 3
million statements) about 9 minutes, with a peak of under 4 GB of memory. Most of
that is PostgreSQL's own work: keeping the indexes up to date as rows arrive,
parsing the words of each event's search document for the full-text index (8 s of
the 55 at 100,000 events), and checking the foreign keys, which it does as the
transaction commits (the longest phase, ~3 minutes at a million).
Neither sends signals, so django-simple-history records no history for generated
rows: they are test data, not editors' work, and a history of millions of
"created" entries would only slow the load. What the signals would set off is
done once at the end: each event's search document is written (in one statement,
from the rows written), the ready counts of the whole record are counted in the
same transaction, and the prebuilt CSV is marked stale.

Running it again replaces the rows it generated before (those with ``gen-``
slugs, and what hangs off them) and leaves every other row alone, so re-runs
neither duplicate nor pile up data.
"""

import bisect
import calendar
import datetime
import enum
import itertools
import random
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from timeline import counts, exports
from timeline.models import (
    Actor,
    Event,
    EventActor,
    Origin,
    Place,
    Point,
    Relay,
    Source,
    Statement,
    StatementLink,
    write_search_documents,
)

PREFIX = "gen-"
FIRST_DAY, LAST_DAY = datetime.date(1991, 1, 1), datetime.date(2023, 12, 31)

# How busy each year was, relative to the quietest: the wars and crises stand out.
YEAR_WEIGHTS = {
    1991: 5, 1992: 10, 1993: 10, 1994: 8, 1995: 3, 1996: 2, 1997: 2, 1998: 2, 1999: 2,
    2000: 2, 2001: 3, 2002: 2, 2003: 2, 2004: 2, 2005: 2, 2006: 2, 2007: 2, 2008: 3,
    2009: 3, 2010: 2, 2011: 3, 2012: 2, 2013: 2, 2014: 3, 2015: 3, 2016: 7, 2017: 3,
    2018: 4, 2019: 3, 2020: 14, 2021: 8, 2022: 10, 2023: 12,
}  # fmt: skip
WAR_YEARS = {1992, 1993, 1994, 2016, 2020, 2023}
KIND_WEIGHTS = {
    "hostilities": 8, "ceasefire": 3, "phone-call": 10, "talks": 8, "meeting": 12,
    "press-briefing": 8, "declaration": 6, "humanitarian": 6, "movement": 4,
    "disarmament": 2, "monitoring": 4, "announcement": 8, "political": 10,
}  # fmt: skip
ORIGIN_WEIGHTS = {
    Origin.ARMENIA: 6, Origin.AZERBAIJAN: 6, Origin.RUSSIA: 3, Origin.TURKIYE: 3,
    Origin.UNITED_STATES: 4, Origin.EUROPEAN_UNION: 3, Origin.INTERNATIONAL: 3,
    Origin.UNKNOWN: 2,
}  # fmt: skip
OUTLETS = [
    "Caucasus Wire", "Yerevan Daily", "Baku Herald", "Moscow Courier", "Ankara Post",
    "Washington Readout", "Brussels Bulletin", "Geneva Monitor", "Regional Radio",
    "Evening Dispatch", "The Border Observer", "Lake Sevan News", "Caspian Report",
]  # fmt: skip
FIRST_NAMES = [
    "Aram", "Ilham", "Nikol", "Serzh", "Robert", "Heydar", "Levon", "Elmar", "Jeyhun",
    "Ararat", "Zohrab", "Hikmet", "Anna", "Leyla", "Maria", "Sergey", "Antony", "Charles",
    "Josep", "Rustam", "Tigran", "Ruben", "Samir", "Kamran", "Olga", "Mevlut", "Elena",
    "David", "Karen", "Arayik", "Vagif", "Zaur", "Nazeli", "Gulnara", "Farid", "Armen",
]  # fmt: skip
LAST_NAMES = [
    "Petrosyan", "Mammadov", "Hovhannisyan", "Aliyev", "Grigoryan", "Bayramov", "Sargsyan",
    "Hasanov", "Mirzoyan", "Huseynov", "Avetisyan", "Ismayilov", "Harutyunyan", "Quliyev",
    "Karapetyan", "Abbasov", "Lavrov", "Michel", "Borrell", "Kuznetsova", "Demir", "Kaya",
    "Stevenson", "Novak", "Martin", "Dubois", "Yildiz", "Ramazanov", "Simonyan", "Zeynalov",
]  # fmt: skip
OFFICES = [
    "Foreign Minister", "President", "Prime Minister", "Defence Minister", "Spokesperson",
    "Special Representative", "Ambassador", "Co-Chair of the Minsk Group", "Ombudsman",
    "Deputy Foreign Minister", "Head of the Monitoring Mission", "Secretary of State",
]  # fmt: skip
BODIES = [
    ("state", "Republic of {}"), ("government-body", "Ministry of Foreign Affairs of {}"),
    ("government-body", "Ministry of Defence of {}"), ("armed-forces", "Armed Forces of {}"),
    ("international-organisation", "{} Mission"), ("media", "{} Television"),
    ("armed-group", "{} Volunteer Detachment"), ("group", "Residents of {}"),
]  # fmt: skip
PLACE_STEMS = [
    "Shusha", "Lachin", "Agdam", "Fuzuli", "Jabrayil", "Kalbajar", "Goris", "Kapan",
    "Tartar", "Ganja", "Martuni", "Askeran", "Hadrut", "Vardenis", "Jermuk", "Tovuz",
    "Tavush", "Gazakh", "Meghri", "Zangilan", "Gubadli", "Khojaly", "Sotk", "Berd",
]  # fmt: skip
PLACE_KINDS = ["city", "city", "city", "region", "region", "border", "route"]
PLACE_SUFFIXES = ["", " District", " Heights", " Valley", " Crossing", " Road", " Pass"]
TOPICS = [
    "the security of the {place} road",
    "the situation around {place}",
    "a lasting peace settlement",
    "the release of detainees",
    "the delimitation of the border",
    "humanitarian access to {place}",
    "the return of displaced people to {place}",
    "the demining of {place}",
    "confidence-building measures",
    "the reopening of transport links",
    "the ceasefire along the line of contact",
    "the rights and security of the residents of {place}",
    "the work of the monitoring mission near {place}",
    "the exchange of the remains of the fallen",
]
QUOTE_OPENERS = [
    "We are ready to discuss",
    "We will not accept any threat to",
    "Our position remains unchanged on",
    "We call on all parties to respect",
    "There is no alternative to",
    "We are deeply concerned about",
    "We have agreed to continue work on",
    "Nobody should doubt our commitment to",
    "We categorically reject the claims about",
    "The international community must support",
]
REPORTED_VERBS = [
    ("urges", "urged the sides to return to"), ("commits-to", "committed to"),
    ("expresses-concern", "expressed concern over"), ("condemns", "condemned the violations of"),
    ("denies", "denied reports about"), ("announces", "announced new steps on"),
    ("discusses", "discussed"), ("acknowledges", "acknowledged the progress on"),
    ("expects", "said they expected an agreement on"), ("states", "spoke about"),
    ("demands", "demanded guarantees on"), ("calls-for", "called for progress on"),
    ("pledges", "pledged to support"), ("offers", "offered to host talks on"),
    ("assures", "gave assurances on"),
]  # fmt: skip
# Points of comparison shared by several events (a slug each), in neutral words.
POINT_SUBJECTS = [
    ("amnesty", "Amnesty"), ("humanitarian-access", "Humanitarian access"),
    ("detainees", "Detainees"), ("border-delimitation", "Border delimitation"),
    ("demining", "Demining"), ("transport-links", "Transport links"),
    ("civilians-safety", "Civilians’ safety"), ("ceasefire-violations", "Ceasefire violations"),
]  # fmt: skip
# Shares of statements relayed, of events with points, of demands and commitments linked
# to a later statement.
RELAYED, WITH_POINTS, FOLLOWED_UP = 0.15, 0.02, 0.03
ACCOUNTS = [
    "forces exchanged fire near {place}", "convoys reached {place}",
    "the talks on {topic} ended without a statement", "residents of {place} reported shelling",
    "officials met to discuss {topic}", "observers visited {place}",
]  # fmt: skip
TITLES = {
    "hostilities": "Fighting reported near {place}",
    "ceasefire": "Ceasefire agreed around {place}",
    "phone-call": "{a} and {b} speak by phone",
    "talks": "{a} and {b} hold talks on {short}",
    "meeting": "{a} meets {b}",
    "press-briefing": "{a} briefs the press on {short}",
    "declaration": "{a} issues a declaration on {short}",
    "humanitarian": "Humanitarian situation in {place} addressed",
    "movement": "Movement through {place} changes",
    "disarmament": "Withdrawal announced near {place}",
    "monitoring": "Monitors visit {place}",
    "announcement": "{a} announces steps on {short}",
    "political": "Political developments concerning {place}",
}
SHORT_TOPICS = ["peace", "the border", "detainees", "transport links", "demining", "security"]
FILLER = [
    "The statement was published on the official website.",
    "No further details were given.",
    "The report could not be independently verified.",
    "Both sides have previously traded accusations.",
    "The meeting took place behind closed doors.",
    "Officials did not answer requests for comment.",
]

# Looked up once: an enum's values are worked out again on every access.
SOURCE_KINDS, SPEECH_ACTS = Source.Kind.values, Statement.SpeechAct.values


class Command(BaseCommand):
    help = (
        "Generate a large, reproducible timeline (events, actors, places, sources and anchored "
        "statements) for measuring the site at scale. Replaces earlier generated rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1991, help="Same seed, same data.")
        parser.add_argument("--events", type=int, default=100_000)
        parser.add_argument("--actors", type=int, default=2_000)
        parser.add_argument("--places", type=int, default=500)
        parser.add_argument("--statements", type=int, default=300_000)
        parser.add_argument("--sources", type=int, default=5_000)
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5_000,
            help="Rows per INSERT, on databases other than PostgreSQL (default 5000).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what it would do; write nothing."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        sizes = {name: options[name] for name in ("events", "actors", "places", "statements")}
        sizes["sources"] = options["sources"]
        if any(value < 0 for value in sizes.values()):
            raise CommandError("Sizes cannot be negative.")
        if sizes["events"] and (not sizes["sources"] or not sizes["actors"]):
            raise CommandError("Events need at least one source and one actor.")
        if sizes["statements"] and not sizes["events"]:
            raise CommandError("Statements need at least one event.")
        existing = Event.objects.filter(slug__startswith=PREFIX).count()
        summary = ", ".join(f"{value:,} {name}" for name, value in sizes.items())
        if dry_run:
            self.stdout.write(
                f"Would generate {summary} with seed {options['seed']}"
                + (f", replacing {existing:,} generated events." if existing else ".")
            )
            return
        self.verbosity, self.started = verbosity, time.monotonic()
        plan = Plan(random.Random(options["seed"]), **sizes, progress=self.progress)
        self.progress("planned the data (wrote the sources' texts around the statements)")
        with transaction.atomic():
            if existing:
                remove_generated()
                self.progress(f"removed {existing:,} previously generated events")
            write(plan, options["batch_size"], self.progress)
            # COPY and bulk_create send no signals: count the record in the same transaction,
            # and say the prebuilt CSV of the whole record is stale.
            counts.recount(connection.alias, force=True)
            self.progress("counted the whole published record")
        # PostgreSQL checks the rows' links (deferred foreign keys) as the transaction commits.
        self.progress("committed")
        exports.mark_stale()
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {summary} in {time.monotonic() - self.started:.0f} s."
                )
            )

    def progress(self, message):
        if self.verbosity >= 2:
            self.stdout.write(f"{time.monotonic() - self.started:7.1f} s  {message}")


# ---------------------------------------------------------------- planning, in memory


def zipf_cumulative(count: int, exponent: float = 1.1) -> list[float]:
    """Cumulative weights for a long tail: the first few chosen often, most rarely."""
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, count + 1)))


class Plan:
    """Every row to write, as plain values, decided by one seeded random generator."""

    def __init__(
        self, rng: random.Random, *, events, actors, places, statements, sources, progress=None
    ):
        self.rng = rng
        self.actors = self.plan_actors(actors)
        self.places = self.plan_places(places)
        self.sources = self.plan_sources(sources)
        self.events = self.plan_events(events)
        self.media = [i for i, actor in enumerate(self.actors) if actor["kind"] == "media"]
        self.statements = self.plan_statements(statements)
        if progress:
            progress("planned the rows")
        self.write_source_texts()
        self.points = self.plan_points()
        self.links = self.plan_links()

    def unique_slug(self, text: str, taken: set) -> str:
        base = PREFIX + slugify(text)[:100]
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        return slug

    def plan_actors(self, count):
        rng, taken, actors = self.rng, set(), []
        stems = PLACE_STEMS + LAST_NAMES
        # Institutions first (a fifth), so people can be affiliated to one made before them:
        # affiliations never go round in a circle.
        institutions = max(1, count // 5) if count else 0
        for i in range(count):
            if i < institutions:
                kind, pattern = rng.choice(BODIES)
                name = pattern.format(rng.choice(stems))
                office, affiliation = "", None
                if kind in ("government-body", "armed-forces") and i > 0:
                    affiliation = rng.randrange(i)
            else:
                kind = "person"
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                office = rng.choice(OFFICES)
                affiliation = rng.randrange(institutions) if rng.random() < 0.8 else None
            aliases = ""
            if rng.random() < 0.3:
                first, _, last = name.partition(" ")
                aliases = f"{first[0]}. {last}" if last else name.upper()
            actors.append(
                {
                    "slug": self.unique_slug(name, taken),
                    "name": name,
                    "kind": kind,
                    "office": office,
                    "affiliation": affiliation,
                    "aliases": aliases,
                }
            )
        # The long tail is over a shuffled order, so the busiest are both people and bodies.
        self.actor_order = list(range(count))
        rng.shuffle(self.actor_order)
        self.actor_weights = zipf_cumulative(count)
        return actors

    def plan_places(self, count):
        rng, taken, places = self.rng, set(), []
        for _ in range(count):
            name = rng.choice(PLACE_STEMS) + rng.choice(PLACE_SUFFIXES)
            aliases = "\n".join(
                alias for alias in (name + "i", name.replace("a", "ä", 1)) if rng.random() < 0.4
            )
            places.append(
                {
                    "slug": self.unique_slug(name, taken),
                    "name": name,
                    "kind": rng.choice(PLACE_KINDS),
                    "aliases": aliases,
                }
            )
        self.place_weights = zipf_cumulative(count, 1.2)
        return places

    def random_day(self) -> datetime.date:
        """A day in 1991-2023, busier years and, within a year, bursts of busy months."""
        rng = self.rng
        year = rng.choices(self.years, cum_weights=self.year_weights)[0]
        month = rng.choices(range(1, 13), cum_weights=self.month_weights[year])[0]
        return datetime.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))

    def plan_sources(self, count):
        rng = self.rng
        self.years = list(YEAR_WEIGHTS)
        self.year_weights = list(itertools.accumulate(YEAR_WEIGHTS.values()))
        self.month_weights = {
            year: list(itertools.accumulate(rng.paretovariate(1.5) for _ in range(12)))
            for year in self.years
        }
        origins = [origin.value for origin in ORIGIN_WEIGHTS]  # plain strings, for COPY
        origin_weights = list(ORIGIN_WEIGHTS.values())
        sources = []
        for n in range(count):
            outlet = rng.choice(OUTLETS) if rng.random() < 0.95 else ""
            sources.append(
                {
                    "slug": f"{PREFIX}source-{n + 1}",
                    "outlet": outlet,
                    "origin": rng.choices(origins, weights=origin_weights)[0],
                    "kind": rng.choice(SOURCE_KINDS),
                    "published": self.random_day() if rng.random() < 0.97 else None,
                    "dateline": rng.choice(PLACE_STEMS),
                }
            )
        # Events cite sources published on or soon after them.
        self.source_order = sorted(
            range(count), key=lambda i: (sources[i]["published"] or FIRST_DAY, i)
        )
        self.source_days = [sources[i]["published"] or FIRST_DAY for i in self.source_order]
        return sources

    def pick_actors(self, k):
        chosen = self.rng.choices(self.actor_order, cum_weights=self.actor_weights, k=k)
        return list(dict.fromkeys(chosen))

    def plan_dates(self, kind):
        """Start, end and precision, agreeing with each other as the models require."""
        rng = self.rng
        start = self.random_day()
        roll = rng.random()
        if roll < 0.8:
            precision, end = "day", None
            longer = 14 if kind == "hostilities" and start.year in WAR_YEARS else 3
            if rng.random() < 0.2:
                end = start + datetime.timedelta(days=rng.randint(1, longer))
        elif roll < 0.9:
            precision, start = "month", start.replace(day=1)
            end = None
            if rng.random() < 0.5:
                year, month = start.year, min(12, start.month + rng.randint(0, 2))
                end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        elif roll < 0.95:
            precision, start = "year", start.replace(month=1, day=1)
            end = datetime.date(start.year, 12, 31) if rng.random() < 0.5 else None
        else:
            precision = "approximate"
            end = start + datetime.timedelta(days=rng.randint(0, 60))
        if end and end > LAST_DAY:
            end = LAST_DAY
        return start, end, precision

    def plan_events(self, count):
        rng = self.rng
        kinds, kind_weights = zip(*KIND_WEIGHTS.items(), strict=True)
        events = []
        for n in range(count):
            kind = rng.choices(kinds, weights=kind_weights)[0]
            start, end, precision = self.plan_dates(kind)
            actors = self.pick_actors(rng.choice((1, 2, 2, 2, 3, 3, 4)))
            places = []
            if self.places and rng.random() < 0.85:
                places = list(
                    dict.fromkeys(
                        rng.choices(
                            range(len(self.places)),
                            cum_weights=self.place_weights,
                            k=rng.choice((1, 1, 2)),
                        )
                    )
                )
            at = bisect.bisect_left(self.source_days, start)
            first = min(at, len(self.source_order) - 1)
            sources = list(
                dict.fromkeys(
                    self.source_order[min(first + rng.randint(0, 8), len(self.source_order) - 1)]
                    for _ in range(rng.choice((1, 1, 2, 2, 3)))
                )
            )
            names = [self.actors[i]["name"] for i in actors]
            place = self.places[places[0]]["name"] if places else "the region"
            a, b = names[0], names[1] if len(names) > 1 else "officials"
            title = TITLES[kind].format(a=a, b=b, place=place, short=rng.choice(SHORT_TOPICS))
            outlet = self.sources[sources[0]]["outlet"] or "an unnamed outlet"
            summary = (
                f"{', '.join(names)} took part"
                + (f" in {place}" if places else "")
                + f", concerning {rng.choice(TOPICS).format(place=place)}, according to {outlet}."
            )
            events.append(
                {
                    "slug": f"{PREFIX}{start.year}-{kind}-{n + 1}",
                    "title": title[:200],
                    "summary": summary,
                    "date_start": start,
                    "date_end": end,
                    "date_precision": precision,
                    "kind": kind,
                    "status": "planned"
                    if start.year == 2023 and rng.random() < 0.05
                    else "happened",
                    "publication": "published" if rng.random() < 0.97 else "draft",
                    "actors": actors,
                    "places": places,
                    "sources": sources,
                }
            )
        return events

    def plan_statements(self, count):
        rng, statements = self.rng, []
        if not count:
            return statements
        # Some events are talked about far more than others.
        weights = list(itertools.accumulate(rng.paretovariate(1.2) for _ in self.events))
        for event_index in sorted(
            rng.choices(range(len(self.events)), cum_weights=weights, k=count)
        ):
            event = self.events[event_index]
            source = rng.choice(event["sources"])
            speaker = rng.choice(event["actors"])
            mode = rng.choices(("quote", "reported", "account"), weights=(4, 5, 2))[0]
            addressees = [i for i in self.pick_actors(rng.choice((0, 0, 1, 2))) if i != speaker]
            relays = []
            if mode != "account" and rng.random() < RELAYED:
                # An outlet as a rule, else whoever passed the words on.
                relay = rng.choice(self.media) if self.media else self.pick_actors(1)[0]
                relays = [relay] if relay != speaker else []
            statements.append(
                {
                    "event": event_index,
                    "source": source,
                    "speaker": speaker,
                    "mode": mode,
                    "addressees": addressees,
                    "relays": relays,
                    # As in the documents: most take their occasion's date, some none.
                    "dating": "occasion" if rng.random() < 0.8 else "undated",
                }
            )
        rng.shuffle(statements)  # so a source's passages are not in event order
        return statements

    def statement_text(self, statement):
        """What a statement says, and the sentence that carries it in its source."""
        rng = self.rng
        event = self.events[statement["event"]]
        place = self.places[event["places"][0]]["name"] if event["places"] else "the region"
        topic = rng.choice(TOPICS).format(place=place)
        speaker = self.actors[statement["speaker"]]["name"]
        if statement["mode"] == "quote":
            text = f"{rng.choice(QUOTE_OPENERS)} {topic}"
            statement["speech_act"] = rng.choice(SPEECH_ACTS)
            return text, f"“{text},” {speaker} said."
        if statement["mode"] == "reported":
            act, verb = rng.choice(REPORTED_VERBS)
            statement["speech_act"] = act
            text = f"{speaker} {verb} {topic}"
            return text, f"{text}."
        statement["speech_act"] = "reports"
        text = rng.choice(ACCOUNTS).format(place=place, topic=topic)
        text = text[0].upper() + text[1:]
        return text, f"{text}, the outlet reported."

    def as_relayed(self, statement, sentence: str) -> str:
        """The sentence, naming who relayed the statement, if anyone did: a relay is one
        the source names."""
        if not statement["relays"]:
            return sentence
        names = " and ".join(self.actors[i]["name"] for i in statement["relays"])
        return f"{sentence.removesuffix('.')}, according to {names}."

    def plan_points(self) -> list[dict]:
        """Points of comparison on a few events with statements from two sources or
        more: each a subject several events share (its slug), holding the event's
        statements (indexes into ``statements``)."""
        rng, by_event = self.rng, {}
        for index, statement in enumerate(self.statements):
            by_event.setdefault(statement["event"], []).append(index)
        points = []
        for event, indexes in sorted(by_event.items()):
            if len(indexes) < 2 or rng.random() >= WITH_POINTS:
                continue
            subjects = rng.sample(POINT_SUBJECTS, rng.choice((1, 1, 2)))
            for position, (slug, name) in enumerate(subjects):
                chosen = rng.sample(indexes, min(len(indexes), rng.choice((2, 2, 3))))
                points.append(
                    {"event": event, "slug": f"{PREFIX}{slug}", "name": name,
                     "position": position, "statements": sorted(chosen)}
                )  # fmt: skip
        return points

    def plan_links(self) -> list[dict]:
        """A few demands and commitments, each linked to a later statement (said on a
        later day) that repeats it, responds to it, reports it done or disputes it: the
        link's passage is the later statement's own."""
        rng = self.rng
        asks = Statement.ASKS | Statement.PROMISES
        relations = StatementLink.Relation.values
        day = [self.events[s["event"]]["date_start"] for s in self.statements]
        order = sorted(range(len(self.statements)), key=day.__getitem__)
        days = [day[i] for i in order]
        links, seen = [], set()
        for index, statement in enumerate(self.statements):
            if statement["speech_act"] not in asks or rng.random() >= FOLLOWED_UP:
                continue
            after = bisect.bisect_right(days, day[index])
            if after >= len(order):
                continue
            later = order[rng.randrange(after, len(order))]
            relation = rng.choice(relations)
            if (later, relation, index) not in seen:
                seen.add((later, relation, index))
                links.append({"later": later, "relation": relation, "earlier": index})
        return links

    def write_source_texts(self):
        """Each source's text, written around its statements so each stands at its offsets.

        Linear in the length of the text: a text is built as a list of sentences, joined
        once, and a passage is new to its source when it is not in the set of those the
        source already has. A passage could still stand earlier inside a longer one (a
        place called "Shusha" inside "Shusha District"), so each finished text is checked
        once for every passage's first occurrence, and the rare one that is not first is
        made unique (numbered, as after five tries) and the text joined again.
        """
        rng = self.rng
        by_source = [[] for _ in self.sources]
        for index, statement in enumerate(self.statements):
            by_source[statement["source"]].append(index)
        for number, source in enumerate(self.sources):
            headline_topic = rng.choice(SHORT_TOPICS)
            source["headline"] = f"{source['dateline']}: officials on {headline_topic}"
            date = source["published"].strftime("%d %B %Y") if source["published"] else "undated"
            parts = [f"{source['dateline'].upper()}, {date}. {rng.choice(FILLER)}"]
            used, placed = set(), []  # placed: [statement, part, passage, where in the part]
            for index in by_source[number]:
                statement = self.statements[index]
                for attempt in itertools.count():
                    passage, sentence = self.statement_text(statement)
                    if attempt >= 5:
                        # Rare: every wording so far is already in the text. Make it unique.
                        passage = f"{passage} (statement {index + 1})"
                        sentence = (
                            f"“{passage},” said."
                            if statement["mode"] == "quote"
                            else (f"{passage}.")
                        )
                    if passage not in used:
                        break
                sentence = self.as_relayed(statement, sentence)
                # A numbered passage carries its wording too: that is in the text now.
                used.update((passage, passage.partition(" (statement ")[0]))
                placed.append([index, len(parts), passage, sentence.index(passage)])
                parts.append(sentence)
                if rng.random() < 0.3:
                    parts.append(rng.choice(FILLER))
            source["text"] = self.anchor_passages(parts, placed) + "\n"

    def anchor_passages(self, parts, placed) -> str:
        """The text the parts make, each placed passage standing first at its offsets."""
        renumbered = set()
        while True:
            text = " ".join(parts)
            starts = list(itertools.accumulate((len(part) + 1 for part in parts), initial=0))
            anchored = [(passage, starts[part] + at) for _, part, passage, at in placed]
            late = misplaced(text, anchored)
            if not late:
                break
            for n in late:
                index, part, passage, at = placed[n]
                if index in renumbered:  # cannot happen: "(statement N)" occurs once
                    raise CommandError(f"Statement {index + 1} cannot be anchored.")
                renumbered.add(index)
                unique = f"{passage} (statement {index + 1})"
                parts[part] = parts[part][:at] + unique + parts[part][at + len(passage) :]
                placed[n][2] = unique
        for (index, _, _, _), (passage, offset) in zip(placed, anchored, strict=True):
            statement = self.statements[index]
            statement["start"], statement["end"] = offset, offset + len(passage)
        return text


# Up to this many passages in a text, looking for each (str.find) is quicker.
FEW_PASSAGES = 256


def misplaced(text: str, anchored: list[tuple[str, int]]) -> list[int]:
    """Which of the (passage, offset) pairs do not stand first in ``text`` at that offset.

    In about linear time (one sort), not in passages × text: a passage can only
    start where the text has its first character, so the text from each such position
    on (as long as the longest passage) is sorted once; the places a passage occurs
    are then one run of that sorted list, found by bisection, and the earliest of
    them must be its offset. A few hundred passages are simply looked for.
    """
    if len(anchored) <= FEW_PASSAGES:
        return [n for n, (passage, offset) in enumerate(anchored) if text.find(passage) != offset]
    longest = max(len(passage) for passage, _ in anchored)
    firsts = "".join(sorted({passage[0] for passage, _ in anchored}))
    starts = [m.start() for m in re.finditer(f"[{re.escape(firsts)}]", text)]
    heads = sorted(zip([text[i : i + longest] for i in starts], starts, strict=True))
    keys = [head for head, _ in heads]
    late = []
    for n, (passage, offset) in enumerate(anchored):
        at, first = bisect.bisect_left(keys, passage), None
        while at < len(keys) and keys[at].startswith(passage):
            first = heads[at][1] if first is None else min(first, heads[at][1])
            at += 1
        if first != offset:
            late.append(n)
    return late


# ---------------------------------------------------------------- writing, in bulk


def remove_generated():
    """Delete the rows an earlier run generated, without signals or history (as they were made)."""
    events = Event.objects.filter(slug__startswith=PREFIX)
    sources = Source.objects.filter(slug__startswith=PREFIX)
    actors = Actor.objects.filter(slug__startswith=PREFIX)
    statements = Statement.objects.filter(event__in=events) | Statement.objects.filter(
        source__in=sources
    )
    # _raw_delete: a plain DELETE, skipping the collector's per-row signals (and so
    # django-simple-history's records), as COPY or bulk_create skipped them on the way in.
    using = connection.alias
    Statement.addressees.through.objects.filter(statement__in=statements)._raw_delete(using)
    Relay.objects.filter(statement__in=statements)._raw_delete(using)
    StatementLink.objects.filter(Q(later__in=statements) | Q(earlier__in=statements))._raw_delete(
        using
    )
    points = Point.objects.filter(event__in=events)
    Point.statements.through.objects.filter(
        Q(point__in=points) | Q(statement__in=statements)
    )._raw_delete(using)
    points._raw_delete(using)
    Statement.objects.filter(pk__in=statements.values("pk"))._raw_delete(using)
    EventActor.objects.filter(event__in=events)._raw_delete(using)
    Event.places.through.objects.filter(event__in=events)._raw_delete(using)
    Event.sources.through.objects.filter(event__in=events)._raw_delete(using)
    Event.sources.through.objects.filter(source__in=sources)._raw_delete(using)
    events._raw_delete(using)
    sources._raw_delete(using)
    Actor.objects.filter(affiliation__in=actors).exclude(pk__in=actors).update(affiliation=None)
    Actor.objects.filter(slug__startswith=PREFIX).update(affiliation=None)
    actors._raw_delete(using)
    Place.objects.filter(slug__startswith=PREFIX)._raw_delete(using)


def write(plan: Plan, batch_size: int, progress):
    """Write the plan: with COPY on PostgreSQL, with bulk_create in batches elsewhere."""
    writer = CopyWriter() if connection.vendor == "postgresql" else BulkWriter(batch_size)

    # Affiliations point to actors made before: written with the rows when the ids are
    # drawn beforehand (COPY), else set once bulk_create has told the ids.
    ids = writer.reserve(Actor, len(plan.actors))
    fields = ("slug", "name", "kind", "office", "aliases")
    rows = [tuple(a[f] for f in fields) for a in plan.actors]
    if ids is not None:
        fields += ("affiliation",)
        rows = [
            (*row, None if a["affiliation"] is None else ids[a["affiliation"]])
            for row, a in zip(rows, plan.actors, strict=True)
        ]
    actor_ids = writer.insert(Actor, fields, rows, ids)
    if ids is None:
        affiliated = [
            Actor(pk=pk, affiliation_id=actor_ids[a["affiliation"]])
            for pk, a in zip(actor_ids, plan.actors, strict=True)
            if a["affiliation"] is not None
        ]
        Actor.objects.bulk_update(affiliated, ["affiliation"], batch_size=batch_size)

    def insert(model, fields, planned):
        ids = writer.reserve(model, len(planned))
        return writer.insert(model, fields, (tuple(p[f] for f in fields) for p in planned), ids)

    place_ids = insert(Place, ("slug", "name", "kind", "aliases"), plan.places)
    fields = ("slug", "outlet", "headline", "published", "dateline", "kind", "origin", "text")
    source_ids = insert(Source, fields, plan.sources)
    progress(
        f"wrote {len(actor_ids):,} actors, {len(place_ids):,} places, {len(source_ids):,} sources"
    )

    fields = ("slug", "title", "summary", "date_start", "date_end", "date_precision", "kind")
    event_ids = insert(Event, (*fields, "status", "publication"), plan.events)
    events = list(zip(event_ids, plan.events, strict=True))
    roles = ((pk, actor_ids[i], role_for(j)) for pk, e in events for j, i in enumerate(e["actors"]))
    writer.links(EventActor, ("event", "actor", "role"), roles)
    places = ((pk, place_ids[i]) for pk, e in events for i in e["places"])
    writer.links(Event.places.through, ("event", "place"), places)
    sources = ((pk, source_ids[i]) for pk, e in events for i in e["sources"])
    writer.links(Event.sources.through, ("event", "source"), sources)
    del events
    progress(f"wrote {len(event_ids):,} events with their actors, places and sources")

    fields = ("uid", "event", "speaker", "source", "dating", "said_precision", "mode",
              "speech_act", "start", "end", "sort_date")  # fmt: skip
    texts = [s["text"] for s in plan.sources]
    # Public ids of their own ("gen-" is never in a drawn one), unique without a draw.
    numbers = itertools.count(1)

    def statement_row(s):
        # The statement's text is its passage in the source's text.
        return (
            f"gen-{next(numbers)}",
            event_ids[s["event"]], actor_ids[s["speaker"]], source_ids[s["source"]],
            s["dating"], "", s["mode"], s["speech_act"], s["start"], s["end"],
            plan.events[s["event"]]["date_start"], texts[s["source"]][s["start"] : s["end"]],
        )  # fmt: skip

    # In chunks, so that only one chunk's rows are built at a time.
    statement_ids = []
    for chunk in itertools.batched(plan.statements, STATEMENT_CHUNK):
        ids = writer.reserve(Statement, len(chunk))
        ids = writer.insert(Statement, (*fields, "text"), map(statement_row, chunk), ids)
        addressees = (
            (pk, actor_ids[i]) for pk, s in zip(ids, chunk, strict=True) for i in s["addressees"]
        )
        writer.links(Statement.addressees.through, ("statement", "actor"), addressees)
        relays = (
            (pk, actor_ids[i], position)
            for pk, s in zip(ids, chunk, strict=True)
            for position, i in enumerate(s["relays"], start=1)
        )
        writer.links(Relay, ("statement", "actor", "position"), relays)
        statement_ids += ids
    progress(f"wrote {len(plan.statements):,} statements, with their addressees and relays")

    point_ids = insert(
        Point,
        ("event", "slug", "name", "position"),
        [{**p, "event": event_ids[p["event"]]} for p in plan.points],
    )
    under = (
        (pk, statement_ids[i]) for pk, p in zip(point_ids, plan.points, strict=True)
        for i in p["statements"]
    )  # fmt: skip
    writer.links(Point.statements.through, ("point", "statement"), under)
    statements = plan.statements

    def link_row(link):
        # The link's passage is the later statement's: its source, its offsets, its text.
        later = statements[link["later"]]
        text = plan.sources[later["source"]]["text"][later["start"] : later["end"]]
        return (
            statement_ids[link["later"]], link["relation"], statement_ids[link["earlier"]],
            source_ids[later["source"]], text, later["start"], later["end"],
        )  # fmt: skip

    fields = ("later", "relation", "earlier", "source", "text", "start", "end")
    writer.links(StatementLink, fields, map(link_row, plan.links))
    progress(f"wrote {len(point_ids):,} points of comparison, {len(plan.links):,} follow-ups")

    # What the signals of each save would have written, for every event at once.
    write_search_documents(Event.objects.filter(slug__startswith=PREFIX))
    progress(f"wrote {len(event_ids):,} search documents")


# Statements written at a time (and their ids drawn).
STATEMENT_CHUNK = 100_000


def columns(model, fields):
    """The columns of ``fields``, then those of the model's other fields with the values
    Django would give them (their defaults; now, for auto_now): COPY fills in nothing."""
    opts, now = model._meta, timezone.now()
    given = [opts.get_field(name) for name in fields]
    others = [f for f in opts.concrete_fields if f not in given and not f.primary_key]
    values = tuple(
        now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in others
    )  # fmt: skip
    values = tuple(v.value if isinstance(v, enum.Enum) else v for v in values)
    return [f.column for f in given + others], values


class CopyWriter:
    """Rows into PostgreSQL with COPY, several times faster than INSERTs. The ids of
    the rows others link to are drawn from the table's own sequence first, so a row
    inserted meanwhile by anyone else still gets an id of its own."""

    def reserve(self, model, count: int) -> list[int]:
        """``count`` new ids from ``model``'s table's sequence, in increasing order."""
        if not count:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [model._meta.db_table, model._meta.pk.column],
            )
            sequence = cursor.fetchone()[0]
            # The ids drawn, as runs of consecutive numbers: one run, unless another
            # session drew from the same sequence at the same time.
            cursor.execute(
                "SELECT min(id), count(*) FROM ("
                " SELECT id, id - row_number() OVER (ORDER BY id) AS run FROM ("
                "  SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)"
                " ) AS drawn"
                ") AS numbered GROUP BY run ORDER BY 1",
                [sequence, count],
            )
            runs = cursor.fetchall()
        ids = [pk for first, n in runs for pk in range(first, first + n)]
        if len(ids) != count:
            raise CommandError(f"Drew {len(ids)} ids for {model.__name__}, not {count}.")
        return ids

    def insert(self, model, fields, rows, ids) -> list[int]:
        """Write ``rows`` (values of ``fields``, foreign keys as ids) with ``ids``."""
        rows = ((pk, *row) for pk, row in zip(ids, rows, strict=True))
        self.copy(model, (model._meta.pk.name, *fields), rows)
        return ids

    def links(self, model, fields, rows):
        """Write ``rows`` whose ids nothing needs: the table's sequence numbers them."""
        self.copy(model, fields, rows)

    def copy(self, model, fields, rows):
        names, defaults = columns(model, fields)
        quote = connection.ops.quote_name
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, names))}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row + defaults)


class BulkWriter:
    """Rows with bulk_create in batches, on the databases other than PostgreSQL."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size

    def reserve(self, model, count):
        return None  # bulk_create tells the ids

    def insert(self, model, fields, rows, ids=None) -> list[int]:
        names = [model._meta.get_field(name).attname for name in fields]
        pks = []
        for batch in itertools.batched(rows, self.batch_size):
            made = [model(**dict(zip(names, row, strict=True))) for row in batch]
            pks.extend(row.pk for row in model.objects.bulk_create(made))
        return pks

    def links(self, model, fields, rows):
        self.insert(model, fields, rows)


def role_for(position: int) -> str:
    return ("initiator", "participant", "participant", "mediator", "subject")[min(position, 4)]
