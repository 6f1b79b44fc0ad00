# The two commands a newcomer types: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check bench clean dist dist-archive install-desktop uninstall-desktop

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/csdesk

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q
	$(BIN)/ruff check csdesk tests
	$(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check csdesk tests

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_search.py
	$(BIN)/python tests/benchmarks/bench_startup.py

# The one-folder app for shop machines (dist/csdesk/csdesk). PyInstaller comes from the `dist` extra,
# installed into .venv only when missing.
dist: $(STAMP)
	$(BIN)/python -c 'import PyInstaller' 2>/dev/null || $(BIN)/pip install --quiet -e '.[dev,dist]'
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/csdesk.spec
	# Desktop integration travels with the bundle so a shop owner can add it to their menu.
	rm -rf dist/csdesk/desktop
	cp -r packaging/linux dist/csdesk/desktop

# What a shop owner downloads: dist/csdesk-VERSION-linux-ARCH.tar.gz (a top-level csdesk/ folder).
VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' csdesk/__init__.py)
dist-archive: dist
	tar -C dist -czf dist/csdesk-$(VERSION)-linux-$(shell uname -m).tar.gz csdesk

# Menu entry, icons and tel: handler for the current user, pointing at the bundle if built,
# else at the development install. CSDESK_EXEC=/path/to/csdesk overrides.
CSDESK_EXEC ?= $(if $(wildcard dist/csdesk/csdesk),$(abspath dist/csdesk/csdesk),$(abspath $(BIN)/csdesk))
install-desktop:
	sh packaging/linux/install-desktop.sh --exec '$(CSDESK_EXEC)'

uninstall-desktop:
	sh packaging/linux/install-desktop.sh --uninstall

clean:
	rm -rf $(VENV) build dist *.egg-info
