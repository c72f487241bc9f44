"""Load and fault test of the production configuration (docs/load.md).

Run by ``bench/load`` inside a throwaway PostgreSQL cluster (scripts/with-postgres
sets DATABASE_URL, PGDATA, PG_BINDIR and PG_SERVER_OPTIONS). It:

1. loads the fixtures plus generated data (generate_timeline) into PostgreSQL;
2. serves the site with DEBUG off under gunicorn, as docs/deploy.md describes,
   with persistent, health-checked connections (CONN_MAX_AGE);
3. drives a mix of reader requests (pages, filters, search, htmx fragments, JSON
   and CSV exports, event, actor and source pages) with wrk at a fixed
   concurrency for a fixed time, and reports throughput, p50/p95/p99 latency and
   every response that was not a 2xx;
4. slow clients: holds five connections open that send one header line every
   5 s and never finish their request (a slowloris), while the same mix runs,
   and checks that readers are still answered;
5. runs the same mix again and, in the middle, stops PostgreSQL for a few
   seconds and starts it again, while a probe requests ``/`` every 200 ms. It
   checks that no request failed with anything but a 503 while the database was
   down, that none made while it was down took longer than a few seconds (wrk's
   own maximum also counts requests slowed by the machine's load), that the same gunicorn
   processes serve 200s again once it is back, and prints the figures;
6. exports: regenerates the data at ``--export-events`` (a change, which makes
   the prebuilt CSVs of the whole record stale). For the events, then the
   statements, it downloads the whole record once (streamed while its file is
   built), then four whole-record downloads and four broadly filtered ones at
   once while two readers keep requesting pages. It records each export's time,
   size and whether it is complete (its rows equal its X-Total-Count), and the
   readers' latency meanwhile.

Exits non-zero if a check fails. Results also go to bench/out/load.json, the
server's log (with the traceback Django logs for each 503) to bench/out/load-server.log.
Everything listens on 127.0.0.1 only.
"""

import argparse
import contextlib
import csv
import io
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import free_port, log  # bench/bench.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PROXY = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy would add
SLOW_SECONDS = 5  # no request may take longer, even with the database down
EXPORT_SECONDS = 10  # the target for a filtered export, four at once
# Each whole record, and a filter that keeps nearly all of it.
EXPORTS = {"/events.csv": "/events.csv?from=1991", "/statements.csv": "/statements.csv?from=1991"}


def manage(*args, env):
    subprocess.run([PYTHON, ROOT / "manage.py", *args], cwd=ROOT, env=env, check=True)


def pg_ctl(*args):
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    command = [*owner, f"{os.environ['PG_BINDIR']}/pg_ctl", "-D", os.environ["PGDATA"], *args]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def get(base, path, headers=None, timeout=30):
    """(status, seconds, body) of one request; a refused or timed-out one is status 0."""
    request = urllib.request.Request(base + path, headers={**PROXY, **(headers or {})})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except OSError:
        body, status = b"", 0
    return status, time.monotonic() - started, body


def request_mix(base) -> list[dict]:
    """Reader requests over real slugs, picked from the site's own JSON."""
    events = json.loads(get(base, "/events.json?from=2020")[2])["results"]
    event, other = events[0], events[-1]
    actors = [a["slug"] for a in event["actors"]][:2] or ["antony-blinken"]
    source = event["sources"][0]["slug"] if event.get("sources") else None
    paths = [
        "/",
        "/?kind=phone-call",
        "/?kind=hostilities&kind=ceasefire",
        f"/?actor={actors[0]}",
        "/?actor=" + "&actor=".join(actors),
        "/?from=2020-09&to=2020-11",
        "/?q=ceasefire",
        "/?q=corridor&kind=movement&from=2015",
        "/events.json",
        "/events.json?kind=talks&from=2018",
        "/events.csv?kind=declaration&from=2022",
        f"/events/{event['slug']}/",
        f"/events/{other['slug']}/",
        f"/actors/{actors[0]}/",
    ]
    if source:
        paths.append(f"/sources/{source}/")
    mix = [{"path": p, "fragment": False} for p in paths]
    mix += [
        {"path": "/?kind=meeting", "fragment": True},
        {"path": f"/?actor={actors[0]}&from=2010", "fragment": True},
    ]
    for item in mix:  # every request in the mix must work before it is measured
        headers = {"HX-Request": "true", "HX-Target": "results"} if item["fragment"] else {}
        status = get(base, item["path"], headers)[0]
        if status != 200:
            raise SystemExit(f"{item['path']} answered {status} before the load began")
    return mix


LUA = """
local mix = %(mix)s
counts = {}  -- a global, so that done() can read each thread's with thread:get()
local threads = {}
wrk.headers["X-Forwarded-Proto"] = "https"

function setup(thread) table.insert(threads, thread) end

function init(args) math.randomseed(os.time() + math.floor(os.clock() * 1000000)) end

function request()
  local item = mix[math.random(#mix)]
  local headers = {["X-Forwarded-Proto"] = "https"}
  if item.fragment then headers["HX-Request"] = "true"; headers["HX-Target"] = "results" end
  return wrk.format("GET", item.path, headers)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, n in pairs(c) do total[tostring(status)] = (total[tostring(status)] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%%s": %%d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "timeouts": %%d, ' ..
    '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    table.concat(parts, ", ")))
end
"""


def lua_mix(mix) -> str:
    items = ", ".join(
        f'{{path = "{m["path"]}", fragment = {"true" if m["fragment"] else "false"}}}' for m in mix
    )
    return LUA % {"mix": "{" + items + "}"}


def run_wrk(base, script: Path, seconds: int, connections: int) -> dict:
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
         "-s", script, base + "/"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary


def generate(events: int, env):
    """The fixtures plus ``events`` generated events (replacing those generated before)."""
    sizes = {"events": events, "actors": max(50, events // 50), "places": max(20, events // 200),
             "sources": max(20, events // 20), "statements": 3 * events}  # fmt: skip
    manage("generate_timeline", "--seed", "1", "-v0",
           *[f"--{name}={size}" for name, size in sizes.items()], env=env)  # fmt: skip
    subprocess.run(["psql", "-q", os.environ["DATABASE_URL"], "-c", "VACUUM ANALYZE"], check=True)


def gunicorn_pids(master: subprocess.Popen) -> set[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return {master.pid, *map(int, children)}


def probe(base, stop: threading.Event, records: list):
    while not stop.is_set():
        status, seconds, body = get(base, "/", timeout=SLOW_SECONDS * 3)
        designed = b"The timeline is briefly unavailable." in body
        records.append(
            {"t": time.monotonic(), "status": status, "seconds": seconds, "designed": designed}
        )
        time.sleep(0.2)


def gunicorn_command(port: int, workers: int, threads: int) -> list:
    """The app server as docs/deploy.md runs it: threaded workers, so that a slow client
    or a long export holds a thread, not a whole worker."""
    return [GUNICORN, "karabakh.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
            "--timeout", "30", "--log-level", "warning"]  # fmt: skip


def summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds) or [0.0]

    def at(share):
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"requests": len(seconds), "p50_s": at(0.5), "p95_s": at(0.95), "max_s": ordered[-1]}


# ---------------------------------------------------------------- exports

# An event's cell of its statements' texts holds megabytes where one has thousands (the
# generated record's busiest): csv's limit of 128 KiB a field would stop the count.
csv.field_size_limit(sys.maxsize)


def download(base, path) -> dict:
    """One export: its time, status, headers and body (``checked`` reads its rows)."""
    request = urllib.request.Request(base + path, headers=PROXY)
    started = time.monotonic()
    headers, body, status = {}, b"", 0
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            status, headers = response.status, dict(response.headers)
            body = response.read()
    except urllib.error.HTTPError as error:
        status = error.code
    except Exception:  # cut off: a refused, reset or incomplete response
        pass
    seconds = time.monotonic() - started
    return {"path": path, "status": status, "seconds": seconds, "headers": headers, "body": body}


def checked(downloaded: dict) -> dict:
    """A download's time, size, and whether it is complete (rows == X-Total-Count).
    Counted once every download at once is done: parsing a hundred megabytes holds this
    process's interpreter for seconds, which the others' downloads would wait for."""
    body, headers, status = downloaded["body"], downloaded["headers"], downloaded["status"]
    rows = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8", "replace")))) - 1
    total = headers.get("X-Total-Count")
    return {
        "path": downloaded["path"],
        "status": status,
        "seconds": round(downloaded["seconds"], 2),
        "bytes": len(body),
        "rows": max(rows, 0),
        "x_total_count": int(total) if total else None,
        "complete": status == 200 and total is not None and rows == int(total),
        "prebuilt_file": "Content-Length" in headers,
    }


def reader(base, paths: list[str], stop: threading.Event, records: list):
    """Requests reader pages one after another until ``stop``."""
    i = 0
    while not stop.is_set():
        status, seconds, _ = get(base, paths[i % len(paths)], timeout=60)
        records.append({"status": status, "seconds": seconds})
        i += 1


def export_phase(base, mix, whole: str) -> dict:
    """The downloads of the ``whole`` record and of its broad filter (``EXPORTS``)."""
    pages = [m["path"] for m in mix if not m["path"].startswith("/events.")]
    first = checked(download(base, whole))  # stale after the change: streamed, file built
    log(f"  first whole-record export after the change: {first}")
    records, stop = [], threading.Event()
    readers = [threading.Thread(target=reader, args=(base, pages, stop, records)) for _ in range(2)]
    for thread in readers:
        thread.start()
    time.sleep(2)
    results = []
    paths = [whole] * 4 + [EXPORTS[whole]] * 4
    exporters = [
        threading.Thread(target=lambda p=p: results.append(download(base, p))) for p in paths
    ]
    during = len(records)
    for thread in exporters:
        thread.start()
    for thread in exporters:
        thread.join()
    readers_during = records[during:]
    stop.set()
    for thread in readers:
        thread.join()
    results = [checked(result) for result in results]
    for result in results:
        log(f"  {result}")
    latency = summary([r["seconds"] for r in readers_during])
    statuses = sorted({r["status"] for r in readers_during})
    log(f"  readers meanwhile: {latency}, statuses {statuses}")
    return {"first": first, "exports": results, "readers": {**latency, "statuses": statuses}}


# ---------------------------------------------------------------- slow clients


def slow_clients(port: int, count: int, seconds: int, interval: int = 5) -> dict:
    """``count`` connections that send a request line, then one header line every
    ``interval`` seconds, never ending their headers (a slowloris). Whether each was
    still open at the end: else the server shut it, and nothing was held."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n")
        sockets.append(sock)
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        time.sleep(min(interval, max(0, ends - time.monotonic())))
        for n, sock in enumerate(sockets):
            with contextlib.suppress(OSError):
                sock.sendall(f"X-Slow-{n}: {int(time.monotonic())}\r\n".encode())
    still_open = 0
    for sock in sockets:
        try:
            sock.setblocking(False)
            still_open += sock.recv(1) == b""  # b"": closed by the server
        except BlockingIOError:
            still_open += 1  # nothing to read, not closed: still held open
        except OSError:
            pass
        finally:
            sock.close()
    return {"connections": count, "still_open_at_end": still_open}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=60, help="length of the load run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--slow-seconds", type=int, default=30, help="length of the slowloris")
    parser.add_argument(
        "--export-events", type=int, default=None, help="events for the export phase"
    )
    parser.add_argument("--down", type=int, default=8, help="seconds PostgreSQL stays down")
    options = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    static = tempfile.mkdtemp(prefix="karabakh-static-")
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "https://127.0.0.1",
        "TRUST_X_FORWARDED_PROTO": "true",
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": static,
        "EXPORTS_ROOT": tempfile.mkdtemp(prefix="karabakh-exports-"),
        "LOG_LEVEL": "ERROR",
    }

    log(f"Loading the fixtures and {options.events:,} generated events into PostgreSQL")
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed_timeline", "-v0", env=env)
    generate(options.events, env)
    manage("collectstatic", "--noinput", "-v0", env=env)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = (OUT / "load-server.log").open("w")
    master = subprocess.Popen(
        gunicorn_command(port, options.workers, options.threads),
        cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(100):
            if get(base, "/", timeout=5)[0] == 200:
                break
            time.sleep(0.2)
        mix = request_mix(base)
        script = OUT / "load-mix.lua"
        script.write_text(lua_mix(mix))
        pids = gunicorn_pids(master)

        log(f"Load: {len(mix)} kinds of request, {options.connections} connections, "
            f"{options.seconds} s, {options.workers} gunicorn workers")  # fmt: skip
        load = run_wrk(base, script, options.seconds, options.connections)
        log(f"  {load['rps']:.1f} req/s, p50 {load['p50_us'] / 1000:.0f} ms, "
            f"p95 {load['p95_us'] / 1000:.0f} ms, p99 {load['p99_us'] / 1000:.0f} ms, "
            f"statuses {load['statuses']}, socket errors {load['socket_errors']}")  # fmt: skip

        log(f"Slow clients: 5 connections sending a header line every 5 s for "
            f"{options.slow_seconds} s, the same mix meanwhile")  # fmt: skip
        held = {}
        holder = threading.Thread(
            target=lambda: held.update(slow_clients(port, 5, options.slow_seconds))
        )
        holder.start()
        time.sleep(1)
        slow = run_wrk(base, script, options.slow_seconds - 2, options.connections)
        holder.join()
        slow["slow_clients"] = held
        log(f"  {slow['rps']:.1f} req/s, p50 {slow['p50_us'] / 1000:.0f} ms, "
            f"p99 {slow['p99_us'] / 1000:.0f} ms, max {slow['max_us'] / 1000:.0f} ms, "
            f"statuses {slow['statuses']}, socket errors {slow['socket_errors']}, "
            f"slow connections {held}")  # fmt: skip

        fault_seconds = options.down + 24
        log(f"Fault: the same load for {fault_seconds} s; PostgreSQL stopped at 8 s "
            f"for {options.down} s")  # fmt: skip
        records, stop = [], threading.Event()
        prober = threading.Thread(target=probe, args=(base, stop, records))
        results = {}
        loader = threading.Thread(
            target=lambda: results.update(run_wrk(base, script, fault_seconds, options.connections))
        )
        loader.start()
        prober.start()
        time.sleep(8)
        down_at = time.monotonic()
        pg_ctl("stop", "-m", "fast", "-w")
        log("  PostgreSQL stopped")
        time.sleep(options.down)
        up_at = time.monotonic()
        pg_ctl("start", "-w", "-l", str(Path(os.environ["PGDATA"]).parent / "restart.log"),
               "-o", os.environ["PG_SERVER_OPTIONS"])  # fmt: skip
        log("  PostgreSQL started again")
        loader.join()
        stop.set()
        prober.join()
        fault = results
        same_processes = gunicorn_pids(master) == pids

        export_events = options.export_events or options.events
        log(f"Exports: {export_events:,} generated events; of each whole record, four "
            f"downloads and four filtered ({', '.join(EXPORTS.values())}) at once, two "
            "readers meanwhile")  # fmt: skip
        if export_events != options.events:
            generate(export_events, env)
            mix = request_mix(base)  # the generated slugs are new
        else:  # a change all the same: the prebuilt file is stale
            stale = "from timeline import exports; exports.mark_stale()"
            manage("shell", "-v0", "-c", stale, env=env)
        exported = {whole: export_phase(base, mix, whole) for whole in EXPORTS}
    finally:
        master.terminate()
        master.wait(timeout=30)

    while_down = [r for r in records if down_at + 0.5 < r["t"] < up_at]
    after = [r for r in records if r["t"] > up_at]
    first_ok = next((r["t"] - up_at for r in after if r["status"] == 200), None)
    report = {
        "load": load,
        "slow_clients": slow,
        "exports": {**exported, "events": export_events},
        "fault": fault,
        "probe": {
            "while_down": {
                "requests": len(while_down),
                "statuses": sorted({r["status"] for r in while_down}),
                "all_designed_503": all(r["status"] == 503 and r["designed"] for r in while_down),
                "slowest_s": max((r["seconds"] for r in while_down), default=None),
            },
            "recovered_after_s": first_ok,
            "after_recovery_statuses": sorted(
                {r["status"] for r in after if r["t"] - up_at > (first_ok or 0)}
            ),
            "same_gunicorn_processes": same_processes,
        },
        "settings": vars(options),
    }
    (OUT / "load.json").write_text(json.dumps(report, indent=2))
    log(f"  during the fault run: {fault['statuses']}, p99 {fault['p99_us'] / 1000:.0f} ms, "
        f"max {fault['max_us'] / 1000:.0f} ms")  # fmt: skip
    log(f"  probe while down: {report['probe']['while_down']}")
    log(f"  first 200 {first_ok} s after PostgreSQL started; same processes: {same_processes}")

    problems = []
    if set(load["statuses"]) != {"200"} or load["socket_errors"] or load["timeouts"]:
        problems.append(f"the load run had errors: {load['statuses']}")
    if set(fault["statuses"]) - {"200", "503"}:
        problems.append(f"the fault run answered other than 200 or 503: {fault['statuses']}")
    slowest = report["probe"]["while_down"]["slowest_s"]
    if slowest is None or slowest > SLOW_SECONDS or fault["timeouts"]:
        problems.append(f"a request took longer than {SLOW_SECONDS} s while PostgreSQL was down")
    if not while_down or not report["probe"]["while_down"]["all_designed_503"]:
        problems.append("not every request while PostgreSQL was down got the designed 503")
    if (
        first_ok is None
        or first_ok > SLOW_SECONDS
        or report["probe"]["after_recovery_statuses"] != [200]
    ):
        problems.append("the site did not serve 200s again soon after PostgreSQL came back")
    if not same_processes:
        problems.append("gunicorn's processes changed: the app was restarted")
    if set(slow["statuses"]) != {"200"} or slow["socket_errors"] or slow["timeouts"]:
        problems.append(f"readers were not all answered beside slow clients: {slow['statuses']}")
    if slow["slow_clients"].get("still_open_at_end") != 5:
        problems.append(f"the slow clients were not held open: {slow['slow_clients']}")
    for whole, broad in EXPORTS.items():
        phase = exported[whole]
        downloads = [phase["first"], *phase["exports"]]
        if not all(d["complete"] for d in downloads):
            problems.append(f"an export of {whole} was incomplete (rows differ from X-Total-Count)")
        if any(not d["prebuilt_file"] for d in phase["exports"] if d["path"] == whole):
            problems.append(f"a download of {whole} was not served from its prebuilt file")
        slowest = max(d["seconds"] for d in phase["exports"] if d["path"] == broad)
        if slowest > EXPORT_SECONDS:
            problems.append(f"{broad} took {slowest} s, over {EXPORT_SECONDS} s")
        if phase["readers"]["statuses"] != [200]:
            problems.append(f"readers got {phase['readers']['statuses']} during {whole}'s exports")
    for problem in problems:
        log(f"FAILED: {problem}")
    if not problems:
        log("All checks passed.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
