# The two commands: `make run` serves the site, `make test` runs every check.
# Both set everything up from nothing: uv (pinned), the Python packages from
# uv.lock, and the Debian packages the tests need when they are missing.

PORT ?= 8000
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PYTHON := .venv/bin/python
# uv must use an installed Python (see .python-version), never download one.
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test test-sqlite test-postgres install lint check audit collectstatic

$(UV):
	scripts/bootstrap-uv $(UV_VERSION)

install: $(UV)
	$(UV) sync --locked

run: install
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py seed_timeline
	@echo "The timeline:  http://127.0.0.1:$(PORT)/"
	@echo "The admin:     http://127.0.0.1:$(PORT)/admin/  (make an account: see README, 'Curating')"
	$(PYTHON) manage.py runserver 127.0.0.1:$(PORT)

# The two passes run at once, one per core (each is one process), both to the end
# whatever the other's outcome; each one's output is printed whole as it finishes.
test: install
	scripts/ensure-debian-packages postgresql chromium
	$(MAKE) --no-print-directory lint check audit collectstatic
	$(MAKE) --no-print-directory --jobs=2 --output-sync=target --keep-going \
		test-sqlite test-postgres

# One pass each. The PostgreSQL pass runs the tests whose outcome can depend on the
# database (tests/conftest.py says which).
test-sqlite: install
	scripts/ensure-debian-packages chromium
	@echo "=== pytest on SQLite ==="
	$(PYTHON) -m pytest

test-postgres: install
	@echo "=== pytest on PostgreSQL ==="
	scripts/with-postgres $(PYTHON) -m pytest

lint:
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .

check:
	$(PYTHON) manage.py check --fail-level WARNING
	$(PYTHON) manage.py makemigrations --check --dry-run

# Known vulnerabilities in the locked packages; see the script for what happens
# when the vulnerability service cannot be reached.
audit:
	scripts/audit-dependencies

collectstatic:
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0
