"""CPU per request: what one request to each fixed URL costs, one request at a time.

Run by bench/bench.py in its own process, with the site's production settings (DEBUG
off, page cache off, each process's memory as the cache) against the benchmark's
PostgreSQL database, which has ``pg_stat_statements`` loaded. For each URL it makes
the request with Django's test client in this process and takes:

- the application's CPU time: ``time.process_time()`` around the request;
- PostgreSQL's execution time for the request's queries: the sum of
  ``pg_stat_statements``' execution times, reset before the request, plus the time of
  each statement the database cancelled (a count that overran its limit), which
  ``pg_stat_statements`` does not record; timed here around the statement;
- the wall time, for comparison.

*Cold*: the cache is emptied before each request, so only the compiled templates and
the whole-record counts (in the database) are ready, as after a change to the data.
*Warm*: the URL was requested once before, and per-view caches may answer.
Each figure is the median of ``--requests`` requests. Prints one JSON object.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "karabakh.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

OWN = "pg_stat_statements"  # the measurement's own queries mention it; they are left out


class Cancelled:
    """Times every statement the application runs that the database stops."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        except Exception:
            self.seconds += time.perf_counter() - started
            raise


def postgres_ms() -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(sum(total_exec_time), 0) FROM {OWN}"
            f" WHERE query NOT LIKE '%%{OWN}%%' AND dbid = (SELECT oid FROM pg_database"
            " WHERE datname = current_database())"
        )
        return float(cursor.fetchone()[0])


def reset():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {OWN}_reset()")


def one(client, path, headers, cold: bool) -> dict:
    if cold:
        cache.clear()
    reset()
    cancelled = Cancelled()
    with connection.execute_wrapper(cancelled):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers, secure=True)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert response.status_code == 200, (path, response.status_code)
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        import gzip

        body = gzip.decompress(body)
    return {
        "app_cpu_ms": 1000 * cpu,
        "postgres_ms": postgres_ms() + 1000 * cancelled.seconds,
        "wall_ms": 1000 * wall,
        "skipped": b'class="skipped"' in body or b'"count": null' in body,
    }


def median_of(samples: list[dict]) -> dict:
    result = {
        key: round(statistics.median(s[key] for s in samples), 1)
        for key in ("app_cpu_ms", "postgres_ms", "wall_ms")
    }
    result["total_ms"] = round(result["app_cpu_ms"] + result["postgres_ms"], 1)
    result["skipped_share"] = round(sum(s["skipped"] for s in samples) / len(samples), 2)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", help="a JSON file: a list of [name, path, headers]")
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()
    with connection.cursor() as cursor:  # loaded by the server; its view, in this database
        cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {OWN}")
    client = Client()
    rows = []
    for name, path, headers in json.loads(Path(options.urls).read_text()):
        headers = {**headers, "Accept-Encoding": "identity"}
        client.get(path, headers=headers, secure=True)  # templates compiled, connection open
        cold = [one(client, path, headers, cold=True) for _ in range(options.requests)]
        one(client, path, headers, cold=False)  # the request that fills its caches
        warm = [one(client, path, headers, cold=False) for _ in range(options.requests)]
        rows.append({"name": name, "path": path, "cold": median_of(cold), "warm": median_of(warm)})
        print(f"  {name}: cold {rows[-1]['cold']}, warm {rows[-1]['warm']}", file=sys.stderr)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
