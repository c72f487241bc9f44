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
   size of the first load of ``/``.

Results also go to bench/out/performance/results.json and results.md.
"""

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out" / "performance"  # bench/out is shared with the load test
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


def generate(options, pg_env, sqlite_env):
    sizes = [
        f"--events={options.events}",
        f"--actors={max(1, options.events // 50)}",
        f"--places={max(1, options.events // 200)}",
        f"--statements={options.events * 3}",
        f"--sources={max(1, options.events // 20)}",
        f"--seed={options.seed}",
    ]
    started = time.monotonic()
    jobs = []
    for env in (pg_env, sqlite_env):
        manage("migrate", "--noinput", "-v0", env=env).wait()
        jobs.append(manage("generate_timeline", *sizes, "-v1", env=env))
    if any(job.wait() for job in jobs):
        sys.exit("Generating the data failed.")
    log(f"generated the data twice (PostgreSQL and SQLite) in {time.monotonic() - started:.0f} s")
    run("psql", "-q", pg_env["DATABASE_URL"], "-c", "VACUUM ANALYZE")


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
    db = sqlite3.connect(sqlite_path)
    assert db.execute("SELECT slug FROM timeline_event WHERE id = ?", [event_id]).fetchone() == (
        event_slug,
    ), "the two databases should hold the same rows"
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


# ---------------------------------------------------------------- report


def table(rows, first) -> str:
    lines = [
        f"Concurrency {rows[0]['connections']}, {rows[0]['duration']} s per URL and server, "
        f"{os.cpu_count()} CPUs, {rows[0]['workers']} gunicorn workers each.",
        "",
        "| URL | site req/s | p50 ms | p95 ms | p99 ms | floor req/s | floor p95 ms "
        "| Datasette req/s | Datasette p95 ms | Datasette errors "
        "| site/floor req/s | site/Datasette req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        site, floor, peer = row["site"], row["floor"], row["peer"]
        lines.append(
            f"| {row['name']} | {site['rps']:.1f} | {site['p50_us'] / 1000:.1f} "
            f"| {site['p95_us'] / 1000:.1f} | {site['p99_us'] / 1000:.1f} "
            f"| {floor['rps']:.0f} | {floor['p95_us'] / 1000:.1f} "
            f"| {peer['rps']:.1f} | {peer['p95_us'] / 1000:.1f} "
            f"| {peer['non_2xx'] + peer['errors']} "
            f"| {site['rps'] / floor['rps']:.3f} | {site['rps'] / max(peer['rps'], 0.01):.1f} |"
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
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    options = parser.parse_args()

    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "floor").mkdir(parents=True)
    sqlite_path = OUT / "timeline.sqlite3"
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    pg_env = {**base, "DATABASE_URL": os.environ["DATABASE_URL"]}
    sqlite_env = {**base, "DATABASE_URL": f"sqlite:///{sqlite_path}"}
    log(f"machine: {os.cpu_count()} CPUs; load before the run: {os.getloadavg()}")

    generate(options, pg_env, sqlite_env)
    prepare_sqlite(sqlite_path)
    production = {
        **pg_env,
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
                "peer": wrk(peer.url(peer_path), {}, options),
            }
            for which in ("site", "floor"):
                if row[which]["non_2xx"] or row[which]["errors"]:
                    sys.exit(f"{name}: {which} answered with errors: {row[which]}")
            rows.append(row)
            log(
                f"{name}: site {row['site']['rps']:.0f} req/s, p95 "
                f"{row['site']['p95_us'] / 1000:.1f} ms; floor {row['floor']['rps']:.0f} req/s; "
                f"Datasette {row['peer']['rps']:.0f} req/s"
            )
    finally:
        for server in servers:
            server.stop()

    report = table(rows, first)
    (OUT / "results.json").write_text(
        json.dumps({"rows": rows, "first_load": first, "load": os.getloadavg()}, indent=2)
    )
    (OUT / "results.md").write_text(report + "\n")
    log(f"load after the run: {os.getloadavg()}")
    print()
    print(report)


if __name__ == "__main__":
    main()
