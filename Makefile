# The two commands a newcomer types: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check bench clean dist dist-archive install-desktop uninstall-desktop system-packages

# Debian packages `run`, `test` and `dist` need; packaging/system-packages.sh installs the missing ones
# (apt-get when run as root, else it prints the one command to type). One package a line: add yours.
# Qt's offscreen platform still loads xcb/GL/font libraries; poppler-utils reads our PDFs back in tests.
# PyInstaller reads binaries with objdump (binutils) and bundles the xcb libraries Qt's X11 plugin needs
# (so shop machines without them still start); desktop-file-utils and appstream validate the menu entry
# and metainfo in tests; postgresql gives tests a throwaway server cluster.
SYSTEM_PACKAGES := \
	libegl1 \
	libgl1 \
	libxkbcommon0 \
	libfontconfig1 \
	libdbus-1-3 \
	libglib2.0-0 \
	fonts-dejavu-core \
	fonts-noto-cjk \
	poppler-utils \
	binutils \
	desktop-file-utils \
	appstream \
	libxcb-icccm4 \
	libxcb-keysyms1 \
	libxcb-cursor0 \
	libxkbcommon-x11-0 \
	postgresql

# Checked on every run (dpkg-query, a few milliseconds): a stamp would miss a package removed since.
system-packages:
	@sh packaging/system-packages.sh $(SYSTEM_PACKAGES)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: system-packages $(STAMP)
	$(BIN)/csdesk

test: system-packages $(STAMP)
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
dist: system-packages $(STAMP)
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
