"""The benchmark's peer: Datasette serving the same events from a SQLite file, as an
ASGI application for gunicorn's uvicorn workers (so it gets the same processes as the
site). BENCH_SQLITE names the file; BENCH_COUNT_LIMIT_MS its facet time limit, set to
the site's own limit on counts so that both skip the same slow counts."""

import os

from datasette.app import Datasette

application = Datasette(
    immutables=[os.environ["BENCH_SQLITE"]],
    settings={
        "facet_time_limit_ms": int(os.environ.get("BENCH_COUNT_LIMIT_MS", "15")),
        # Its default of 1 s fails requests under load; let it finish the same work.
        "sql_time_limit_ms": 10_000,
        "default_page_size": 20,
        "num_sql_threads": 3,
    },
).app()
