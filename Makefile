# Samen: `make run` serves the demo on SQLite, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in e-mails point at the server `make run` starts (unless SITE_URL is set).
SITE_URL ?= http://127.0.0.1:$(PORT)
DEMO_ENV := SAMEN_DEMO=1 SITE_URL=$(SITE_URL)

.PHONY: run test install lint format typecheck messages openapi check-openapi lint-openapi bench clean a11y

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Compiled translations (English); Dutch is the source language and needs none.
messages: install
	@if command -v msgfmt >/dev/null; then cd src/samen && ../../$(BIN)/samen compilemessages -v0; \
	else echo "msgfmt (gettext) not found: English translations not compiled; Dutch works as is."; fi

run: install messages
	$(DEMO_ENV) $(BIN)/samen migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/samen demo --if-empty
	@echo ""
	@echo "  Samen runs on http://127.0.0.1:$(PORT)/  (demo municipality: http://127.0.0.1:$(PORT)/samenstad/)"
	@echo "  Log in at http://127.0.0.1:$(PORT)/inloggen/ as coordinator, caseworker, partner, welzijn, programme,"
	@echo "  volunteer (Samenstad) or caseworker-tweestad; password: $${SAMEN_DEMO_PASSWORD:-samen-demo}"
	@echo ""
	$(DEMO_ENV) $(BIN)/samen runserver 127.0.0.1:$(PORT) --insecure

test: install messages
	$(BIN)/pytest

# mypy with django-stubs over the core and every app's services.py and selectors.py.
TYPED := -p samen.core $(foreach f,$(wildcard src/samen/*/services.py src/samen/*/selectors.py),$(if $(findstring /core/,$(f)),,-m $(subst /,.,$(patsubst src/%.py,%,$(f)))))
typecheck: install
	SAMEN_DEVELOPMENT=1 $(BIN)/mypy $(TYPED)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: install
	SAMEN_DEVELOPMENT=1 $(BIN)/samen export_openapi > docs/openapi.json

check-openapi: install
	$(BIN)/samen export_openapi | diff -u docs/openapi.json - && echo "docs/openapi.json is up to date"

lint-openapi:
	npx --yes @stoplight/spectral-cli@6.16.3 lint --fail-severity=error -r ../shared/standards/nlgov-adr-spectral.yml docs/openapi.json

# The benchmarks take minutes each and need wrk (apt-get install wrk) and the local PostgreSQL.
bench: install
	$(BIN)/python bench/concerns_intake.py --db both --seconds 60
	$(BIN)/python bench/activities.py
	$(BIN)/python bench/partners.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/impact_dashboard.py --db sqlite

# Load and fault proof on a throwaway PostgreSQL cluster (about 10 minutes; docs/reliability.md).
.PHONY: reliability
reliability: install
	$(BIN)/python bench/reliability.py --minutes 5

# Accessibility: axe-core (WCAG 2.1 A/AA) in headless Chromium (apt-get install chromium) over every
# public page and the staff pages of a fresh demo; exit 1 on a serious or critical violation.
a11y: install
	cd bench/a11y && (test -d node_modules || npm ci --no-audit --no-fund) && node check.mjs

clean:
	rm -rf $(VENV) var
