# Two commands a newcomer needs: `make run` (app on demo data) and `make test` (whole suite).
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test test-fast test-bench test-cluster venv data demo bench clean cluster

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PY) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PY))"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

data: venv
	$(BIN)/python -m geo data

demo: data
	$(BIN)/python -m geo demo --if-empty

# The demo store holds only illustrative data, so it is served without login (public-demo mode,
# announced on every page). With real data, unset TQMAP_PUBLIC_DEMO and create users first.
run: demo
	TQMAP_PUBLIC_DEMO=1 $(BIN)/python -m ui.serve --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: venv
	bash .ci/system-packages.sh
	bash .ci/postgres.sh
	$(BIN)/python -m geo data
	$(BIN)/python -m pytest -q tests

# The benchmark's end-to-end smoke run (minutes; out of `make test`, see tests/conftest.py).
test-bench: venv data
	$(BIN)/python -m pytest -q -m bench tests

# Two app replicas behind nginx on PostgreSQL, 20 browser sessions and two imports (minutes).
test-cluster: venv data
	bash .ci/postgres.sh
	$(BIN)/python -m pytest -q -s -m cluster tests

# Unit and contract tests only (no browser, no server): the quick check while editing.
test-fast: venv
	$(BIN)/python -m geo data
	$(BIN)/python -m pytest -q -m "not slow" tests

# Many users on one machine: PostgreSQL+PostGIS (throw-away, temp dir), demo data, 2 app replicas
# behind nginx on 127.0.0.1:$(CLUSTER_PORT); prints the URL and an admin password; Ctrl-C stops all.
CLUSTER_PORT ?= 8080
cluster: data
	bash .ci/postgres.sh
	$(BIN)/python deploy/cluster.py up --replicas 2 --port $(CLUSTER_PORT)

bench: data
	$(BIN)/python -m geo bench

clean:
	rm -rf data/boundaries/*.gpkg data/sources data/*.db .pytest_cache
