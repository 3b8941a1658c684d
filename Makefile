# The two commands: `make run` and `make test`. See the README for the others.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# beta.gouv.fr's real content when it is beside the project; demo data otherwise.
CONTENT ?= $(wildcard ../shared/data/betagouv/content)
DEMO_STARTUPS ?= 662
MANAGE := $(BIN)/python manage.py
# Development commands run with debug on; the tests and the deploy check set it off.
export DJANGO_DEBUG ?= 1

.PHONY: install run data test lint format check bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(MANAGE) migrate --verbosity 0
	$(MAKE) --no-print-directory data
	$(MANAGE) runserver 127.0.0.1:8000

data: install
ifneq ($(strip $(CONTENT)),)
	$(MANAGE) import_betagouv $(CONTENT)
else
	$(MANAGE) generate_demo_data --startups $(DEMO_STARTUPS) --seed 1 --if-empty
endif

test: install
	DJANGO_DEBUG=0 $(BIN)/pytest -n auto --maxprocesses 4 --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint
	$(MANAGE) makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=startups.beta.gouv.fr \
	DJANGO_SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-0123456789abcdefghij \
	$(MANAGE) check --deploy --fail-level WARNING

# The site at 1x, 10x and 100x on PostgreSQL, in process and under load (wrk, nginx).
bench: install
	$(BIN)/python bench/bench_site.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-shm db.sqlite3-wal
