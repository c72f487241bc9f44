"""Measure the site at scale against two references, on the same machine in one run.

Run by ``bench/run`` inside a throwaway PostgreSQL cluster (DATABASE_URL set). It:

1. generates the same timeline (``generate_timeline``, one seed) into PostgreSQL and,
   at the same time, into a SQLite file for Datasette, with FTS5 tables for search;
2. serves the site in its production configuration under gunicorn;
3. saves the site's response to each URL as a file and serves those files with
   WhiteNoise under the same gunicorn settings: the floor;
4. serves the SQLite file with Datasette under the same gunicorn settings (uvicorn
   workers), with the equivalent filters and facets: the peer;
5. drives every URL on all three with wrk at a fixed concurrency and prints requests
   per second and p50/p95/p99 latency, each URL's ratios to floor and peer, and the
   size of the first load of ``/`` (the site warm: each URL requested before);
6. right after a change to the data (every per-view cache cold), drives the long-tail
   mix (bench/longtail.py): over a thousand distinct URLs drawn from the data, each
   requested three times in random order at the same concurrency;
7. reads the peak resident memory of each of the site's gunicorn workers;
8. hot: serves the site again with the page cache on, in a Redis server started here,
   and drives the fixed URLs, each requested once before, beside the floor;
9. measures the CPU per request of each fixed URL, cold and warm, one request at a
   time (bench/cpu.py: the application's CPU time plus PostgreSQL's execution time).

``--no-peer`` leaves Datasette (and its SQLite copy of the data) out, for the largest
sizes. Results also go to bench/out/performance/results.json and results.md.
"""

import argparse
import atexit
import gzip
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import longtail  # bench/longtail.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out" / "performance"  # bench/out is shared with the load test
SCALE = BENCH / "out" / "scale"  # kept across runs: one file per number of events
PYTHON = BENCH / ".venv" / "bin" / "python"
GUNICORN = BENCH / ".venv" / "bin" / "gunicorn"
COUNT_LIMIT_MS = 15  # the site's default time limit on each count (timeline/chronology.py)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(*args, env, **kwargs):
    return subprocess.Popen([PYTHON, ROOT / "manage.py", *args], cwd=ROOT, env=env, **kwargs)


def run(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


# ---------------------------------------------------------------- data


def generate(options, pg_env, sqlite_env) -> dict:
    """Generate the data into PostgreSQL (and SQLite for the peer, unless --no-peer), at
    the same time; returns how long each took, so that the growth with size is visible."""
    sizes = [
        f"--events={options.events}",
        f"--actors={max(1, options.events // 50)}",
        f"--places={max(1, options.events // 200)}",
        f"--statements={options.events * 3}",
        f"--sources={max(1, options.events // 20)}",
        f"--seed={options.seed}",
    ]
    envs = {"postgresql": pg_env}
    if not options.no_peer:
        envs["sqlite"] = sqlite_env
    for env in envs.values():
        manage("migrate", "--noinput", "-v0", env=env).wait()
    started = time.monotonic()
    # PostgreSQL's phases (planning, each table written, the counts) are printed with their
    # times, so that the log shows what grows with the size.
    jobs = {
        name: manage("generate_timeline", *sizes, "-v2" if name == "postgresql" else "-v1", env=env)
        for name, env in envs.items()
    }
    seconds = {}
    while jobs:  # each one's own time, though they run at once
        for name, job in list(jobs.items()):
            if job.poll() is not None:
                if job.returncode:
                    sys.exit(f"Generating the data failed ({name}).")
                seconds[name] = round(time.monotonic() - started, 1)
                del jobs[name]
        time.sleep(0.5)
    log(f"generated the data ({', '.join(f'{k} {v:.0f} s' for k, v in seconds.items())})")
    started = time.monotonic()
    run("psql", "-q", pg_env["DATABASE_URL"], "-c", "VACUUM ANALYZE")
    seconds["vacuum_analyze"] = round(time.monotonic() - started, 1)
    return seconds


def change_data(env):
    """A change to the data, as an editor's save makes one: it fires the change signals,
    so the whole-record counts are counted again under a new version and every per-view
    cache (keyed by that version) is cold."""
    save = (
        "from timeline.models import Event; "
        "Event.objects.filter(publication='published').order_by('id').first().save()"
    )
    state = (
        "SELECT (SELECT number FROM timeline_recordversion),"
        " (SELECT count(*) FROM timeline_recordchange)"
    )
    before = sql(env["DATABASE_URL"], state)[0]
    if manage("shell", "-v0", "-c", save, env=env).wait():
        sys.exit("Changing the data failed.")
    version, pending = sql(env["DATABASE_URL"], state)[0]
    # Cold, not colder: a new version (every per-view cache missed), and the whole-record
    # counts ready again (no change waiting for a recount).
    if version == before[0] or pending != "0":
        sys.exit(f"The change did not make a new version with its counts ready: {before} -> "
                 f"{[version, pending]}")  # fmt: skip
    log(f"changed the data: record version {before[0]} -> {version}, counts ready")


def prepare_sqlite(path: Path):
    """Full-text tables for Datasette's search, as the GIN indexes are for the site."""
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE VIRTUAL TABLE event_fts USING fts5(
            title, summary, content='timeline_event', content_rowid='id');
        INSERT INTO event_fts(event_fts) VALUES ('rebuild');
        CREATE VIRTUAL TABLE statement_fts USING fts5(
            text, content='timeline_statement', content_rowid='id');
        INSERT INTO statement_fts(statement_fts) VALUES ('rebuild');
        ANALYZE;
        """
    )
    db.commit()
    db.close()


# ---------------------------------------------------------------- servers


class Server:
    def __init__(self, name, port, command, env):
        self.name, self.port = name, port
        self.log = open(OUT / f"{name}.log", "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        sys.exit(f"{name} did not start: see {self.log.name}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def gunicorn(name, app, env, workers, *extra):
    port = free_port()
    command = [
        GUNICORN, app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--no-control-socket", "--log-level", "warning", *extra,
    ]  # fmt: skip
    return Server(name, port, command, env)


# ---------------------------------------------------------------- the URLs


def sql(database_url: str, query: str) -> list[list[str]]:
    result = run("psql", "-At", "-F", "\t", database_url, "-c", query, capture_output=True)
    return [line.split("\t") for line in result.stdout.decode().splitlines() if line]


def choose(database_url: str, sqlite_path: Path):
    """The fixed set of URLs, each with its Datasette equivalent."""
    top = sql(
        database_url,
        "SELECT a.id, a.slug FROM timeline_actor a JOIN timeline_eventactor r ON r.actor_id = a.id"
        " GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 2",
    )
    (a_id, a_slug), (b_id, b_slug) = top
    event_id, event_slug = sql(
        database_url,
        "SELECT e.id, e.slug FROM timeline_event e WHERE publication = 'published' AND"
        " EXISTS (SELECT 1 FROM timeline_statement s WHERE s.event_id = e.id)"
        " ORDER BY e.slug LIMIT 1 OFFSET 500",
    )[0]
    if sqlite_path:
        db = sqlite3.connect(sqlite_path)
        same = db.execute("SELECT slug FROM timeline_event WHERE id = ?", [event_id]).fetchone()
        assert same == (event_slug,), "the two databases should hold the same rows"
        db.close()

    table = "/timeline/timeline_event"
    listing = {
        "publication__exact": "published",
        "_sort": "date_start",
        "_size": "20",
        "_facet": "kind",
        "_facet_m2m": ["timeline_actor", "timeline_place"],
    }

    def peer(path=table, extra=(), **params):
        merged = {**listing, **params}
        pairs = [(k, v) for k, vs in merged.items() for v in (vs if isinstance(vs, list) else [vs])]
        return path + "?" + urllib.parse.urlencode(pairs + list(extra))

    def involving(actor_id):
        events = f"SELECT event_id FROM timeline_eventactor WHERE actor_id = {actor_id}"
        return ("_where", f"id IN ({events})")

    speaker_id, speaker_slug = sql(
        database_url,
        "SELECT a.id, a.slug FROM timeline_actor a JOIN timeline_statement s"
        " ON s.speaker_id = a.id GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 1",
    )[0]
    word = "Lachin"
    search = (
        "_where",
        f"id IN (SELECT rowid FROM event_fts WHERE event_fts MATCH '{word}*'"
        " UNION SELECT event_id FROM timeline_statement WHERE id IN"
        f" (SELECT rowid FROM statement_fts WHERE statement_fts MATCH '{word}*')"
        " UNION SELECT r.event_id FROM timeline_eventactor r JOIN timeline_actor a"
        f" ON a.id = r.actor_id WHERE a.name LIKE '%{word}%' OR a.aliases LIKE '%{word}%'"
        " UNION SELECT p.event_id FROM timeline_event_places p JOIN timeline_place l"
        f" ON l.id = p.place_id WHERE l.name LIKE '%{word}%' OR l.aliases LIKE '%{word}%')",
    )
    period = (
        "_where",
        "date_start <= '2020-11-30' AND coalesce(date_end, date_start) >= '2020-09-01'",
    )
    origin = (
        "_where",
        "id IN (SELECT es.event_id FROM timeline_event_sources es JOIN timeline_source s"
        " ON s.id = es.source_id WHERE s.origin = 'armenia')",
    )
    year_2020 = (
        "_where",
        "date_start <= '2020-12-31' AND coalesce(date_end, date_start) >= '2020-01-01'",
    )
    htmx = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://127.0.0.1/"}

    # The lists of statements: Datasette's table of statements, those of published events,
    # in date order, faceted by act and mode (the site counts nine facets).
    def statements(extra=(), **params):
        merged = {
            "_sort": "sort_date", "_size": "20", "_facet": ["speech_act", "mode"],
            **params,
        }  # fmt: skip
        published = ("_where", "event_id IN (SELECT id FROM timeline_event"
                     " WHERE publication = 'published')")  # fmt: skip
        pairs = [(k, v) for k, vs in merged.items() for v in (vs if isinstance(vs, list) else [vs])]
        pairs += [published, *extra]
        return "/timeline/timeline_statement?" + urllib.parse.urlencode(pairs)

    commitments = (
        "_where",
        "speech_act IN ('urges', 'calls-for', 'demands', 'commits-to', 'offers', 'assures',"
        " 'pledges')",
    )
    said = (
        "_where",
        f"id IN (SELECT rowid FROM statement_fts WHERE statement_fts MATCH '{word}*')",
    )
    return [
        ("default chronology", "/", {}, peer()),
        ("actor filter", f"/?actor={a_slug}", {}, peer(extra=[involving(a_id)])),
        (
            "actor pair",
            f"/?actor={a_slug}&actor={b_slug}",
            {},
            peer(extra=[involving(a_id), involving(b_id)]),
        ),
        ("period", "/?from=2020-09&to=2020-11", {}, peer(extra=[period])),
        ("text search", f"/?q={word}", {}, peer(extra=[search])),
        (
            "four filters",
            f"/?actor={a_slug}&kind=talks&origin=armenia&from=2020&to=2020",
            {},
            peer(extra=[involving(a_id), origin, year_2020], kind__exact="talks"),
        ),
        (
            "htmx fragment",
            "/?kind=hostilities",
            htmx,
            peer(path=table + ".json", kind__exact="hostilities"),
        ),
        ("event page", f"/events/{event_slug}/", {}, f"{table}/{event_id}"),
        (
            "events.json page",
            "/events.json",
            {},
            peer(path=table + ".json", _facet=[], _facet_m2m=[]),
        ),
        # The reader issue's pages. Datasette's equivalent is its table page where it has
        # one (None: no equivalent, the site alone).
        ("year view, month bars", "/?from=2020&to=2020", {}, peer(extra=[year_2020])),
        ("200 events shown", "/?shown=200", {}, peer(_size="200")),
        (
            "show more fragment",
            f"/?actor={a_slug}&shown=40",
            {**htmx, "HX-Target": "show-more"},
            None,
        ),
        ("newest first", f"/?actor={a_slug}&sort=newest", {}, None),
        ("actors index", "/actors/", {}, "/timeline/timeline_actor?_sort=name&_size=50"),
        ("places index", "/places/", {}, "/timeline/timeline_place?_sort=name&_size=50"),
        ("sources index", "/sources/", {}, "/timeline/timeline_source?_sort=slug&_size=50"),
        ("every actor choice", f"/choose/actor/?actor={a_slug}", {}, None),
        (
            "atom feed",
            "/events.atom",
            {},
            f"{table}?publication__exact=published&_sort_desc=updated&_size=50",
        ),
        ("atom feed, actor pair", f"/events.atom?actor={a_slug}&actor={b_slug}", {}, None),
        ("about", "/about/", {}, None),
        ("sitemap, events", "/sitemap-events.xml", {}, None),
        # Issue 16's lists of statements.
        ("statements", "/statements/", {}, statements()),
        (
            "statements, top speaker",
            f"/statements/?speaker={speaker_slug}",
            {},
            statements(speaker_id__exact=speaker_id),
        ),
        ("statements, text search", f"/statements/?q={word}", {}, statements(extra=[said])),
        ("commitments", "/commitments/", {}, statements(extra=[commitments])),
        (
            "commitments htmx fragment",
            "/commitments/?act=urges&origin=armenia",
            htmx,
            None,
        ),
        ("statements.json page", "/statements.json", {}, None),
        ("commitments atom feed", "/commitments.atom", {}, None),
    ]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, dict(response.headers), response.read()


# ---------------------------------------------------------------- load


def wrk(url, headers, options) -> dict:
    command = [
        "wrk", f"-t{options.wrk_threads}", f"-c{options.connections}", f"-d{options.duration}s",
        "--timeout", "10s", "-s", str(BENCH / "report.lua"),
    ]  # fmt: skip
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    # A short run first, so that every worker has its connection and caches warm.
    subprocess.run([*command[:3], "-d1s", *command[4:], url], capture_output=True, check=True)
    output = subprocess.run([*command, url], capture_output=True, check=True).stdout.decode()
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def first_load(site: Server, headers) -> dict:
    """Bytes over the wire for the first load of /: the HTML and the CSS and JavaScript it
    links, each as the server sends it to a browser that accepts brotli and gzip."""
    accept = {**headers, "Accept-Encoding": "br, gzip"}
    _, html_headers, html = fetch(site.url("/"), accept)
    encoding = html_headers.get("Content-Encoding")
    sizes = {f"/ (HTML, {encoding or 'uncompressed'})": len(html)}
    gzipped_html = len(html) if encoding else len(gzip.compress(html, 6))
    text = fetch(site.url("/"), headers)[2].decode()
    for path in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', text):
        _, asset_headers, body = fetch(site.url(path), accept)
        sizes[f"{path} ({asset_headers.get('Content-Encoding', 'identity')})"] = len(body)
    return {
        "parts": sizes,
        "total": sum(sizes.values()),
        "html_compressed": encoding,
        "total_if_html_gzipped": sum(sizes.values()) - len(html) + gzipped_html,
    }


def worker_memory(server: Server) -> list[dict]:
    """The peak resident memory (VmHWM) of each gunicorn worker, and of the master."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    peaks = []
    for role, each in [("master", pid), *(("worker", int(c)) for c in children)]:
        status = Path(f"/proc/{each}/status").read_text()
        kib = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
        peaks.append({"pid": each, "role": role, "peak_rss_mib": round(kib / 1024, 1)})
    return peaks


def long_tail(site: Server, urls: list[dict], options, env, proxy) -> dict:
    """The long-tail mix, right after a change to the data."""
    change_data(env)
    log(f"long tail: {len(urls)} distinct URLs, each {options.repeats} times in random order, "
        f"{options.connections} connections, right after a change to the data")  # fmt: skip
    records, seconds = longtail.drive(
        site.port, urls, options.repeats, options.connections, options.seed, proxy
    )
    result = longtail.summarise(records, seconds)
    bad = [r for r in records if r["status"] != 200]
    if bad:
        # Reported, not fatal: a query past QUERY_TIME_LIMIT_MS answers its designed 503,
        # and the run's other figures are still worth having. Counted in "not 200".
        result["not_200_examples"] = {urls[r["url"]]["path"]: r["status"] for r in bad[:10]}
        log(f"long tail: {len(bad)} responses were not 200, e.g. {result['not_200_examples']}")
    log(f"long tail: {result['rps']} req/s; all {result['all']}; cold {result['cold']}")
    return result


def redis_server() -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--logfile", str(OUT / "redis.log")],
    )  # fmt: skip
    atexit.register(process.terminate)  # whatever way the run ends
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    sys.exit("redis-server did not start")


def hot_pass(production, urls, options, proxy) -> list[dict]:
    """The fixed URLs with the page cache on, in the same Redis (a database of its own),
    each requested once before."""
    hot_env = {**production, "CACHE_URL": production["CACHE_URL"].rsplit("/", 1)[0] + "/1",
               "PAGE_CACHE_SECONDS": "300"}  # fmt: skip
    site = gunicorn("site-hot", "karabakh.wsgi:application", hot_env, options.workers)
    try:
        rows = []
        for name, path, headers, _ in urls:
            assert fetch(site.url(path), {**proxy, **headers})[0] == 200, (name, "hot")
            rows.append({"name": name, "site": wrk(site.url(path), {**proxy, **headers}, options)})
            log(f"hot {name}: {rows[-1]['site']['rps']:.0f} req/s, p95 "
                f"{rows[-1]['site']['p95_us'] / 1000:.1f} ms")  # fmt: skip
        return rows
    finally:
        site.stop()


def cpu_pass(production, urls, options) -> list[dict]:
    """CPU per request of each fixed URL, cold and warm (bench/cpu.py, its own process)."""
    listing = OUT / "fixed-urls.json"
    listing.write_text(json.dumps([[name, path, headers] for name, path, headers, _ in urls]))
    # One process: its own memory is its cache (emptied for each cold request).
    env = {**production, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "LOG_LEVEL": "ERROR",
           "CACHE_URL": "locmem://"}  # fmt: skip
    result = subprocess.run(
        [PYTHON, BENCH / "cpu.py", listing, f"--requests={options.cpu_requests}"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE,
    )  # fmt: skip
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


# ---------------------------------------------------------------- report


def interpreter() -> dict:
    """The site's interpreter: its version and whether it was built with profile-guided
    and link-time optimisation (scripts/optimized-python), which changes its speed."""
    code = (
        "import json, sys, sysconfig; flags = sysconfig.get_config_var('CONFIG_ARGS') or '';"
        " print(json.dumps({'version': sys.version.split()[0], 'executable':"
        " sys.executable, 'pgo': '--enable-optimizations' in flags, 'lto': '--with-lto'"
        " in flags}))"
    )
    return json.loads(subprocess.run([PYTHON, "-c", code], capture_output=True, check=True,
                                      text=True).stdout)  # fmt: skip


def ms(us) -> str:
    return f"{us / 1000:.1f}"


def more_tables(results) -> str:
    """The long tail, CPU per request, the hot pass and the workers' memory."""
    lines = []
    tail = results["long_tail"]
    lines += [
        "",
        f"Long tail: {tail['urls']} distinct URLs, each requested {results['settings']['repeats']}"
        f" times in random order, {results['settings']['connections']} connections, right after"
        f" a change to the data (page cache off); {tail['rps']} req/s over {tail['seconds']} s."
        " Cold: the first request for each URL; warm: the later ones.",
        "",
        "| requests | count | p50 ms | p95 ms | p99 ms | pages that skipped a count | not 200 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, part in [("all", tail["all"]), ("cold", tail["cold"]), ("warm", tail["warm"]),
                        *((f"kind: {k}", v) for k, v in tail["kinds"].items())]:  # fmt: skip
        lines.append(
            f"| {label} | {part['requests']} | {part['p50_ms']} | {part['p95_ms']} "
            f"| {part['p99_ms']} | {100 * part['skipped_share']:.0f} % | {part['not_200']} |"
        )
    lines += [
        "",
        f"CPU per request, one request at a time (median of {results['settings']['cpu_requests']}"
        "): the application's CPU time plus PostgreSQL's execution time. Cold: per-view caches"
        " emptied before each request; warm: the URL requested before.",
        "",
        "| URL | cold app CPU ms | cold PostgreSQL ms | cold total ms | cold skipped "
        "| warm app CPU ms | warm PostgreSQL ms | warm total ms | warm skipped "
        "| warm load p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    load = {row["name"]: row for row in results["rows"]}
    for row in results["cpu"]:
        c, w = row["cold"], row["warm"]
        lines.append(
            f"| {row['name']} | {c['app_cpu_ms']} | {c['postgres_ms']} | {c['total_ms']} "
            f"| {100 * c['skipped_share']:.0f} % | {w['app_cpu_ms']} | {w['postgres_ms']} "
            f"| {w['total_ms']} | {100 * w['skipped_share']:.0f} % "
            f"| {ms(load[row['name']]['site']['p95_us'])} |"
        )
    lines += [
        "",
        "Hot: the page cache on (Redis), each URL requested once before, beside the floor.",
        "",
        "| URL | hot req/s | hot p50 ms | hot p95 ms | hot p99 ms | floor req/s | floor p95 ms "
        "| hot/floor req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for hot in results["hot"]:
        site, floor = hot["site"], load[hot["name"]]["floor"]
        lines.append(
            f"| {hot['name']} | {site['rps']:.0f} | {ms(site['p50_us'])} | {ms(site['p95_us'])} "
            f"| {ms(site['p99_us'])} | {floor['rps']:.0f} | {ms(floor['p95_us'])} "
            f"| {site['rps'] / floor['rps']:.2f} |"
        )
    workers = [m for m in results["memory"] if m["role"] == "worker"]
    lines += [
        "",
        "Peak resident memory (VmHWM) of each of the site's gunicorn workers at the end of the"
        " warm load and the long tail: "
        + ", ".join(f"{m['peak_rss_mib']} MiB" for m in workers)
        + f" (master {results['memory'][0]['peak_rss_mib']} MiB).",
        "",
        "Generating the data: "
        + ", ".join(f"{k} {v} s" for k, v in results["generate_seconds"].items())
        + f" ({results['settings']['events']:,} events).",
    ]
    if "interpreter" in results:  # runs kept from before it was recorded have none
        python = results["interpreter"]
        built = "with PGO and LTO" if python["pgo"] and python["lto"] else "without PGO or LTO"
        lines += ["", f"The site's interpreter: CPython {python['version']}, built {built}."]
    return "\n".join(lines)


def scale_table() -> str:
    """Each size's figures side by side, from every run kept in bench/out/scale (one file
    per number of events, the latest run of each), so that the growth of each cost shows."""
    runs = {}
    for path in SCALE.glob("*.json"):
        data = json.loads(path.read_text())
        runs[data["settings"]["events"]] = data
    sizes = sorted(runs)
    lines = [
        "Growth with the number of events (the latest run at each size; load at "
        "the same concurrency, CPU per request one at a time).",
        "",
        "| figure | " + " | ".join(f"{n:,} events" for n in sizes) + " |",
        "| --- |" + " ---: |" * len(sizes),
    ]

    def row(label, value):
        cells = []
        for n in sizes:
            try:
                cells.append(value(runs[n]))
            except (KeyError, StopIteration, TypeError):
                cells.append("")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    def fixed(run, key, name):
        return next(r for r in run[key] if r["name"] == name)

    for name in [r["name"] for r in runs[sizes[-1]]["rows"]] if sizes else []:
        row(
            f"{name}: warm load p95 ms", lambda r, n=name: ms(fixed(r, "rows", n)["site"]["p95_us"])
        )
        row(f"{name}: cold CPU ms", lambda r, n=name: str(fixed(r, "cpu", n)["cold"]["total_ms"]))
        row(f"{name}: warm CPU ms", lambda r, n=name: str(fixed(r, "cpu", n)["warm"]["total_ms"]))
        row(f"{name}: hot p95 ms", lambda r, n=name: ms(fixed(r, "hot", n)["site"]["p95_us"]))
    tail = "long_tail"
    row("long tail: p50 ms", lambda r: str(r[tail]["all"]["p50_ms"]))
    row("long tail: p95 ms", lambda r: str(r[tail]["all"]["p95_ms"]))
    row("long tail: p99 ms", lambda r: str(r[tail]["all"]["p99_ms"]))
    row("long tail: pages that skipped a count",
        lambda r: f"{100 * r[tail]['all']['skipped_share']:.0f} %")  # fmt: skip
    workers = lambda r: [m["peak_rss_mib"] for m in r["memory"] if m["role"] == "worker"]  # noqa: E731
    row("largest worker peak RSS MiB", lambda r: str(max(workers(r))))
    row("generate_timeline s (PostgreSQL)", lambda r: str(r["generate_seconds"]["postgresql"]))
    return "\n".join(lines)


def table(rows, first) -> str:
    lines = [
        f"Concurrency {rows[0]['connections']}, {rows[0]['duration']} s per URL and server, "
        f"{os.cpu_count()} CPUs, {rows[0]['workers']} gunicorn workers each. The site warm "
        "(each URL requested before), its page cache off.",
        "",
        "| URL | site req/s | p50 ms | p95 ms | p99 ms | floor req/s | floor p95 ms "
        "| Datasette req/s | Datasette p95 ms | Datasette errors "
        "| site/floor req/s | site/Datasette req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        site, floor = row["site"], row["floor"]
        peer = row["peer"]
        # Not run: --no-peer; no equivalent: Datasette has no such page.
        missing = "no equivalent" if row["peer_path"] is None else "not run"
        peer_columns = (
            f"| {peer['rps']:.1f} | {peer['p95_us'] / 1000:.1f} "
            f"| {peer['non_2xx'] + peer['errors']} "
            if peer
            else f"| {missing} | {missing} | {missing} "
        )
        lines.append(
            f"| {row['name']} | {site['rps']:.1f} | {site['p50_us'] / 1000:.1f} "
            f"| {site['p95_us'] / 1000:.1f} | {site['p99_us'] / 1000:.1f} "
            f"| {floor['rps']:.0f} | {floor['p95_us'] / 1000:.1f} {peer_columns}"
            f"| {site['rps'] / floor['rps']:.3f} "
            f"| {f'{site["rps"] / max(peer["rps"], 0.01):.1f}' if peer else missing} |"
        )
    lines += ["", f"First load of `/`: {first['total'] / 1024:.1f} KiB over the wire."]
    for part, size in first["parts"].items():
        lines.append(f"- {part}: {size / 1024:.1f} KiB")
    if not first["html_compressed"]:
        lines.append(
            f"- the HTML is sent uncompressed; gzipped (by a proxy) the total would be "
            f"{first['total_if_html_gzipped'] / 1024:.1f} KiB"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1991)
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per URL.")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent clients.")
    parser.add_argument("--wrk-threads", type=int, default=1)
    # As docs/deploy.md advises behind a buffering proxy: one sync worker per CPU, and one.
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--no-peer", action="store_true", help="Leave Datasette out.")
    parser.add_argument("--long-tail", type=int, default=1200, help="Distinct URLs in the mix.")
    parser.add_argument("--repeats", type=int, default=3, help="Requests for each of them.")
    parser.add_argument("--cpu-requests", type=int, default=20, help="Requests per CPU median.")
    options = parser.parse_args()

    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "floor").mkdir(parents=True)
    sqlite_path = OUT / "timeline.sqlite3"
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    pg_env = {**base, "DATABASE_URL": os.environ["DATABASE_URL"]}
    sqlite_env = {**base, "DATABASE_URL": f"sqlite:///{sqlite_path}"}
    log(f"machine: {os.cpu_count()} CPUs; load before the run: {os.getloadavg()}")

    generate_seconds = generate(options, pg_env, sqlite_env)
    if options.no_peer:
        sqlite_path = None
    else:
        prepare_sqlite(sqlite_path)
    # The site's cache, as in production with several workers: one Redis they share (the
    # page cache stays off but for the hot pass), so that what one worker counted or
    # built for a version of the records serves the others.
    redis, redis_port = redis_server()
    production = {
        **pg_env,
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "https://127.0.0.1",
        # As behind a proxy that terminates TLS: requests say they came over HTTPS.
        "TRUST_X_FORWARDED_PROTO": "true",
        "CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(OUT / "static"),
    }
    manage("collectstatic", "--noinput", "-v0", env=production).wait()
    urls = choose(pg_env["DATABASE_URL"], sqlite_path)
    proxy = {"X-Forwarded-Proto": "https"}
    mix = longtail.choose_mix(
        lambda query: sql(pg_env["DATABASE_URL"], query),
        options.events, options.long_tail, options.seed,
    )  # fmt: skip
    log(f"long tail: {len(mix)} distinct URLs drawn from the data (seed {options.seed})")

    servers = []
    try:
        site = gunicorn("site", "karabakh.wsgi:application", production, options.workers)
        servers.append(site)
        for index, (name, path, headers, _) in enumerate(urls):
            status, response_headers, body = fetch(site.url(path), {**proxy, **headers})
            assert status == 200, (name, status)
            suffix = ".json" if "json" in response_headers.get("Content-Type", "") else ".html"
            (OUT / "floor" / f"{index}{suffix}").write_bytes(body)
        first = first_load(site, proxy)
        floor_env = {**base, "BENCH_FLOOR": str(OUT / "floor")}
        floor = gunicorn("floor", "floor:application", floor_env, options.workers, "--chdir", BENCH)
        servers.append(floor)
        peer = None
        if not options.no_peer:
            peer_env = {
                **base,
                "BENCH_SQLITE": str(sqlite_path),
                "BENCH_COUNT_LIMIT_MS": str(COUNT_LIMIT_MS),
            }
            peer = gunicorn(
                "datasette", "peer:application", peer_env, options.workers,
                "--chdir", BENCH, "--worker-class", "uvicorn.workers.UvicornWorker",
            )  # fmt: skip
            servers.append(peer)
            for name, _, _, peer_path in urls:
                if peer_path is None:
                    continue
                status, _, _ = fetch(peer.url(peer_path))
                assert status == 200, (name, "datasette", status)

        rows = []
        log(f"load: {options.connections} connections, {options.duration} s per URL and server")
        for index, (name, path, headers, peer_path) in enumerate(urls):
            suffix = next((OUT / "floor").glob(f"{index}.*")).suffix
            row = {
                "name": name,
                "path": path,
                "peer_path": peer_path,
                "connections": options.connections,
                "duration": options.duration,
                "workers": options.workers,
                "site": wrk(site.url(path), {**proxy, **headers}, options),
                "floor": wrk(floor.url(f"/{index}{suffix}"), {}, options),
                "peer": wrk(peer.url(peer_path), {}, options) if peer and peer_path else None,
            }
            for which in ("site", "floor"):
                if row[which]["non_2xx"] or row[which]["errors"]:
                    sys.exit(f"{name}: {which} answered with errors: {row[which]}")
            rows.append(row)
            log(
                f"{name}: site {row['site']['rps']:.0f} req/s, p95 "
                f"{row['site']['p95_us'] / 1000:.1f} ms; floor {row['floor']['rps']:.0f} req/s"
                + (f"; Datasette {row['peer']['rps']:.0f} req/s" if row["peer"] else "")
            )
        tail = long_tail(site, mix, options, production, proxy)
        memory = worker_memory(site)
        log(f"peak RSS of the site's processes: {memory}")
    finally:
        for server in servers:
            server.stop()
    try:
        hot = hot_pass(production, urls, options, proxy)
    finally:
        redis.terminate()
        redis.wait(timeout=20)
    log("CPU per request, one request at a time, cold and warm")
    cpu = cpu_pass(production, urls, options)

    results = {
        "rows": rows,
        "first_load": first,
        "long_tail": tail,
        "long_tail_urls": mix,
        "hot": hot,
        "cpu": cpu,
        "memory": memory,
        "generate_seconds": generate_seconds,
        "settings": vars(options),
        "interpreter": interpreter(),
        "load": os.getloadavg(),
    }
    report = table(rows, first) + "\n" + more_tables(results)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    SCALE.mkdir(parents=True, exist_ok=True)
    (SCALE / f"{options.events}.json").write_text(json.dumps(results, indent=2))
    report += "\n\n" + scale_table()
    (OUT / "results.md").write_text(report + "\n")
    log(f"load after the run: {os.getloadavg()}")
    print()
    print(report)


if __name__ == "__main__":
    main()
