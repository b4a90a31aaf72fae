# Steadfast: `make demo` runs the shop on this machine, `make test` runs every test.
# VENV=/some/path uses another virtual environment (e.g. to try a fresh install next to a working one).

PYTHON ?= python3.11
VENV ?= .venv
BIND ?= 127.0.0.1:8000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCKS := requirements/base.txt requirements/dev.txt
CHROMIUM := /usr/bin/chromium

# Ports of the fakes: STRIPE_PORT=9811 etc. (also PAYPAL_, YOOKASSA_, CDEK_, INPOST_, EASYPOST_PORT); unset, each
# uses its default (8811-8813, 8821-8823) or a free one if taken.
DEMO_FAKE_PORTS := $(if $(STRIPE_PORT),--fake-port stripe=$(STRIPE_PORT)) \
	$(if $(PAYPAL_PORT),--fake-port paypal=$(PAYPAL_PORT)) $(if $(YOOKASSA_PORT),--fake-port yookassa=$(YOOKASSA_PORT)) \
	$(if $(CDEK_PORT),--fake-port cdek=$(CDEK_PORT)) $(if $(INPOST_PORT),--fake-port inpost=$(INPOST_PORT)) \
	$(if $(EASYPOST_PORT),--fake-port easypost=$(EASYPOST_PORT))

# The demo: friendly error pages, no SECRET_KEY (the settings accept a loopback-only shop without one).
DEMO_ENV := DEBUG=0 SITE_URL=http://$(BIND)

.PHONY: demo test system-deps lint bench clean help

help:
	@echo "make demo   install, migrate, load the demo catalog and run the shop on http://$(BIND)/ (Ctrl-C stops)"
	@echo "make test   install and run the whole test suite (SQLite unless DATABASE_URL is set)"
	@echo "make lint   ruff"
	@echo "make bench  benchmarks (PostgreSQL + Redis on 127.0.0.1); prints figures, asserts nothing"
	@echo "make clean  remove the demo data (var/) and caches; keeps $(VENV)"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a lock file changed; --require-hashes refuses anything the lock files do not pin.
# -qq keeps pip to errors: the machine's pip configuration may name local package folders that do not exist.
$(STAMP): $(LOCKS) | $(PY)
	@echo "Installing Python packages into $(VENV) (the first time takes a few minutes)..."
	$(PY) -m pip install -qq --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $@

$(VENV)/.installed-bench: requirements/bench.txt $(STAMP)
	$(PY) -m pip install -qq --require-hashes -r requirements/bench.txt
	touch $@

demo: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py createcachetable --verbosity 0
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@# The compiled .mo files are committed; rebuilding them only needs gettext's msgfmt when it is there.
	@if command -v msgfmt >/dev/null 2>&1 && [ -n "$$(find steadfast -name '*.po' -print -quit)" ]; then \
		$(DEMO_ENV) $(PY) manage.py compilemessages --verbosity 0 --ignore '.venv' --ignore 'var'; \
	fi
	$(DEMO_ENV) $(PY) manage.py demo_data
	$(DEMO_ENV) $(PY) manage.py demo --bind $(BIND) $(DEMO_FAKE_PORTS)

# system-deps first: a missing Debian package (chromium, nginx, gettext) is installed when root, else named with the
# command to run, before anything else happens. No test is skipped for a missing tool.
test: system-deps $(STAMP)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

system-deps:
	@CHROMIUM=$(CHROMIUM) sh scripts/system-deps.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# wrk (Debian package) drives the page views with little CPU of its own; without it locust does everything.
bench: $(VENV)/.installed-bench
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null 2>&1 || \
		echo "wrk is not installed (apt-get install wrk); locust will drive every endpoint"
	$(PY) -u -m bench.pages_bench
	$(PY) -u bench/run.py
	$(PY) -u -m bench.watch_bench
	$(PY) -u bench/detection_drill.py

clean:
	rm -rf var .pytest_cache .ruff_cache test-artifacts bench/results
	find steadfast bench -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf __pycache__
