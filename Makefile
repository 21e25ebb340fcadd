# Two commands: `make run` starts the app with demo data; `make test` runs every check.
# Both create .venv and install what they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Front end: GOV.UK Frontend (npm) compiled with sass into build/assets, served as /static/.
NPM_STAMP := node_modules/.installed
ASSETS_OUT := build/assets
ASSETS := $(ASSETS_OUT)/css/application.css $(ASSETS_OUT)/js/govuk-frontend.min.js \
	$(ASSETS_OUT)/js/application.js $(ASSETS_OUT)/images/favicon.svg

.PHONY: system install assets translations messages demo run test lint typecheck pytest bench bench-national clean

# Debian packages the app and its tests need (chromium, Pango, fonts, Node.js): installed
# when missing, or the one command to install them is printed. See scripts/system-deps.
system:
	@scripts/system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# `npm ci` runs only when node_modules is missing or package-lock.json has changed.
$(NPM_STAMP): package-lock.json | system
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NPM_STAMP)

assets: $(ASSETS)

$(ASSETS_OUT)/css/application.css: $(NPM_STAMP) $(wildcard assets/scss/*.scss)
	mkdir -p $(@D)
	npx sass --load-path=node_modules --style=compressed --no-source-map assets/scss/application.scss $@

$(ASSETS_OUT)/js/govuk-frontend.min.js: $(NPM_STAMP)
	mkdir -p $(@D)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

$(ASSETS_OUT)/js/application.js: assets/js/application.js
	mkdir -p $(@D)
	cp $< $@

$(ASSETS_OUT)/images/favicon.svg: assets/images/favicon.svg
	mkdir -p $(@D)
	cp $< $@

# Interface text in Welsh: the catalogue (locale/cy/LC_MESSAGES/django.po) is compiled into
# the .mo file Django reads, with Babel. `make messages` gathers every marked string from the
# Python and Jinja2 templates into the catalogue (new ones untranslated) for translating.
LOCALE := src/trustworthy/locale
CATALOGUES := $(LOCALE)/cy/LC_MESSAGES/django.mo

translations: $(CATALOGUES)

$(LOCALE)/%/LC_MESSAGES/django.mo: $(LOCALE)/%/LC_MESSAGES/django.po | install
	$(BIN)/pybabel compile -D django -d $(LOCALE) -l $* --statistics

messages: install
	$(BIN)/pybabel extract --mapping-file babel.cfg --no-location --sort-output --project "Trustworthy Innovation" \
		--keywords "gettext_lazy pgettext_lazy:1c,2 ngettext_lazy:1,2 gettext_noop _say" --output-file $(LOCALE)/django.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D django -d $(LOCALE) -i $(LOCALE)/django.pot
	rm $(LOCALE)/django.pot

# `make run` without serving: sets up and loads the demo data into ./data (safe to run again).
demo: export TRUSTWORTHY_ENV = development
demo: system install assets translations
	$(BIN)/trustworthy demo

# Sets up, loads the demo data (once) and serves on http://127.0.0.1:8000/, with development
# settings (a built-in secret key, debug pages): `trustworthy serve` is production otherwise.
run: export TRUSTWORTHY_ENV = development
run: demo
	@echo
	@echo "Open http://127.0.0.1:8000/ and sign in with one of the demo accounts above."
	$(BIN)/trustworthy serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy --strict -p trustworthy.framework

pytest: system install assets translations
	$(BIN)/pytest

test: lint typecheck pytest

# Every benchmark in bench/, each in its own process with a time limit (about 7-8 minutes
# in all); exits 1 if any fails. Needs wrk (installed with apt-get if missing), the compiled
# assets (the pages are served with production settings) and PostgreSQL on 127.0.0.1:5432
# (the page bench creates and drops a database of its own; BENCH_POSTGRES_URL overrides).
# `.venv/bin/python -m bench bench_pages` runs one.
bench: system install assets translations
	$(BIN)/python -m bench

# The portfolio dashboard over the national demo, on PostgreSQL (the build takes 3 to 5 minutes on
# two idle processors, far longer on a busy machine; BENCH_NATIONAL_ORGANISATIONS builds fewer).
bench-national: system install assets translations
	$(BIN)/python -m bench bench_portfolio

clean:
	rm -rf $(VENV) build node_modules *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
