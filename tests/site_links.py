"""The site's address as production sets it (``SITE_URL``), and the forged Host header
a client may send: tests of every absolute address the site gives out ask with it,
under the ``production_links`` fixture (tests/conftest.py)."""

SITE = "https://timeline.example.org"
FORGED = {"host": "evil.example:8443"}
