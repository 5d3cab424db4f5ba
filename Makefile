# The two commands (CONTRACT section 1): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Development tooling: dev-safe defaults (a throwaway SECRET_KEY, localhost hosts). Production uses the Dockerfile.
export DEBUG ?= 1

.PHONY: run test demo install migrate messages bench-ingest bench-turns bench-orders bench-nlu bench-dashboard bench-console fuzz faults clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP)
	# the offline router's intent model, built from the repo's corpus (a few seconds; skipped when current)
	$(PY) manage.py train_router --if-stale

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# Web on http://127.0.0.1:8000, a django-q2 worker, and the Chatwoot and Odoo stand-ins. Ctrl-C stops everything.
run: migrate
	$(PY) manage.py runlocal

test: install
	$(VENV)/bin/pytest

demo: migrate
	$(PY) manage.py demo

bench-ingest: install
	$(PY) bench/ingest.py

bench-turns: install
	$(PY) bench/turns.py

bench-orders: install
	$(PY) bench/orders.py

bench-nlu: install
	$(PY) bench/nlu.py

bench-dashboard: install
	$(PY) bench/dashboard.py

# Not part of `make test` or CI: 10,000 mutated, signed webhooks against gunicorn + qcluster on a scratch database
# (bench/fuzz.py; FUZZ_ARGS="--seed 2 --bodies 20000" to vary it). Exit 0 when nothing crashed or leaked.
fuzz: install
	$(PY) bench/fuzz.py $(FUZZ_ARGS)

# Not part of `make test` or CI: every fault class (duplicate deliveries, kill -9 of workers and of the qcluster,
# Redis FLUSHDB, Chatwoot, Odoo and LLM failures) against gunicorn + qcluster + the stand-ins on a scratch database
# (bench/faults.py; FAULTS_ARGS="--seed 2 --only odoo,llm" to vary it). Exit 0 when nothing was lost or duplicated.
faults: install
	$(PY) bench/faults.py $(FAULTS_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# The console's Spanish (Chile) catalog: collect our msgids into locale/es_CL/.../django.po, then compile the .mo
# (committed, so `make run` and the image need no GNU gettext). Needs gettext's xgettext/msgfmt on this machine.
MESSAGES_FLAGS := -l es_CL --no-obsolete --add-location=file --ignore="tests/*" --ignore="bench/*" \
	--ignore="staticfiles/*" --ignore="artifacts/*"
messages: install
	$(PY) manage.py makemessages $(MESSAGES_FLAGS)
	$(PY) manage.py compilemessages -l es_CL

bench-console: install
	$(PY) bench/console.py
