# A fresh clone needs only `make run` and `make test` (plus python3, Node.js for npm, and Java
# or the rights to install it: tools/dynamodb_local.py sets up DynamoDB Local on first use;
# tools/cjk_font.py a CJK font for PNG paper codes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Runs a command against a throwaway in-memory DynamoDB Local.
WITH_DB := $(BIN)/python tools/dynamodb_local.py exec --

.PHONY: venv fonts web browser screenshots test lint infra-check run bench load mutate clean

venv: $(VENV)/.installed

# Re-installs only when a requirements file changes (requirements-dev.txt includes the other).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# A CJK font for PNG paper codes (installed with apt-get as root when missing).
fonts: venv
	$(BIN)/python tools/cjk_font.py

# The phone pages (web/: Vue 3 + Vant, built by Vite into chalicelib/static/, not committed).
# npm ci runs again only when the lock file changes; the build takes about a second.
web: web/node_modules/.installed
	cd web && npm run build --silent

web/node_modules/.installed: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium and ffmpeg for the browser tests (installed with apt-get as root when missing).
browser:
	$(PYTHON) tools/browser_deps.py

# Phone-size screenshots of every page into docs/screenshots/ (the tests write build/ otherwise).
screenshots: venv web browser
	HEALTHCODE_SCREENSHOT_DIR=docs/screenshots $(WITH_DB) $(BIN)/pytest tests/e2e/browser

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy chalicelib tools

# The AWS stack's template: `chalice package` merged with infra/*.yaml, then cfn-lint; offline,
# a few seconds (tools/infra_check.py; writes build/infra/<stage>/template.json).
infra-check: venv
	$(BIN)/python tools/infra_check.py --stage dev --stage prod

test: lint fonts infra-check web browser
	$(WITH_DB) $(BIN)/pytest $(PYTEST_ARGS)

run: venv fonts web
	$(BIN)/python tools/devserver.py

bench: venv
	$(WITH_DB) $(BIN)/python -m bench $(BENCH_ARGS)

# A load test that stops by itself (tools/loadtest.py, locust; not part of `make test`): the API
# on loopback on a fresh database, verify / code view / check-in / login for at most 40 s or 4,000
# requests; prints p50/p99 per kind and the errors, then checks the database for every accepted
# write. Exits non-zero on any error or missing write. E.g. LOAD_ARGS="--run-time 10 --users 4".
load: venv
	$(WITH_DB) $(BIN)/python tools/loadtest.py $(LOAD_ARGS)

# Mutation testing of chalicelib/domain and chalicelib/security by the unit tests (mutmut,
# configured in pyproject.toml; ~5 min on 2 cores; not part of `make test`). Prints the score.
mutate: venv
	$(BIN)/mutmut run --max-children 2
	$(BIN)/python tools/mutation_score.py

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache dist mutants build chalicelib/static
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
