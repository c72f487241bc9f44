"""The benchmark's floor: the site's own response bodies, saved as files and served by
WhiteNoise under the same gunicorn settings. No Python view, template or database
runs, so it is what serving those bytes costs on this machine at the least.
BENCH_FLOOR names the folder of saved bodies."""

import os

from whitenoise import WhiteNoise


def not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"Not saved.\n"]


application = WhiteNoise(not_found, root=os.environ["BENCH_FLOOR"], autorefresh=False)
