# Linli 邻里 — set-up and everyday commands. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

# The demo runs with DEBUG on and the development secret; tests get their own.
DEMO_ENV := DEBUG=1
TEST_ENV := SECRET_KEY=linli-test-secret STATIC_MANIFEST=0

.PHONY: demo test install assets browser migrate messages bench clean backup restore

demo: install assets
	mkdir -p var
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py load_demo --host $(HOST) --port $(PORT)
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite runs on every core (pytest-xdist); a module's tests stay on one worker so its
# module-scoped fixtures (the demo) load once. PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto

test: install assets browser
	mkdir -p var/static
	$(TEST_ENV) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope --durations=10 $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Front-end libraries from the npm registry (versions pinned in package-lock.json), built or
# copied into static_vendor/ and served by the app itself. Bootstrap is compiled from its own
# sources with only the parts the pages use (assets/bootstrap.scss, assets/bootstrap.js; the
# pinned sass and esbuild); the rest is copied with the source maps its files name.
SASS_FLAGS := --style=compressed --no-source-map --load-path=node_modules --quiet-deps \
	--silence-deprecation=import,global-builtin,color-functions,if-function

assets: static_vendor/.installed

static_vendor/.installed: Makefile package.json package-lock.json assets/bootstrap.scss assets/bootstrap.js
	npm ci --no-audit --no-fund --ignore-scripts
	rm -rf static_vendor && mkdir -p static_vendor/bootstrap static_vendor/htmx static_vendor/leaflet static_vendor/jsqr static_vendor/tus
	node_modules/.bin/sass $(SASS_FLAGS) assets/bootstrap.scss static_vendor/bootstrap/bootstrap.min.css
	node_modules/.bin/esbuild assets/bootstrap.js --bundle --minify --format=iife --target=es2019 \
	  --legal-comments=none --log-level=warning --outfile=static_vendor/bootstrap/bootstrap.min.js
	cp node_modules/htmx.org/dist/htmx.min.js static_vendor/htmx/
	cp node_modules/tus-js-client/dist/tus.min.js node_modules/tus-js-client/dist/tus.min.js.map static_vendor/tus/
	node_modules/.bin/esbuild node_modules/jsqr/dist/jsQR.js --minify --log-level=warning --outfile=static_vendor/jsqr/jsQR.js
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
	  node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images static_vendor/leaflet/
	touch $@

# Debian's Chromium and CJK fonts for the browser tests (Playwright drives the system
# browser; it never downloads one).
browser:
	@if ! command -v chromium >/dev/null || ! command -v ffprobe >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "Installing Debian's chromium, fonts-noto-cjk and ffmpeg"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk ffmpeg >/dev/null; \
	fi
	@command -v chromium >/dev/null || { echo "chromium is missing: install Debian's chromium package" >&2; exit 1; }
	@command -v ffprobe >/dev/null || { echo "ffprobe is missing: install Debian's ffmpeg package" >&2; exit 1; }

migrate: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput

# Regenerate and compile the translation catalogues (needs gettext).
messages: install
	$(DEMO_ENV) $(BIN)/django-admin makemessages -l zh_Hans -l en --settings=config.settings --pythonpath=. \
	  --ignore='node_modules/*' --ignore='static_vendor/*' --ignore='var/*' --ignore='linli/static/*' \
	  --ignore='test-output/*' --ignore='bench/*' --ignore='build/*' --ignore='docs/*' --ignore='.venv/*'
	cd linli && $(DEMO_ENV) ../$(BIN)/django-admin compilemessages --settings=config.settings --pythonpath=..

# Backup and restore with the deployment's own environment (DATABASE_URL, MEDIA_ROOT or the bucket,
# SECRET_KEY); docs/deploy.md "Backup and restore". make restore BACKUP=var/backups/linli-backup-….tar
BACKUP_DIR ?= var/backups
backup: install
	$(BIN)/python manage.py backup $(BACKUP_DIR)

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=path/to/linli-backup-….tar [RESTORE_ARGS=--force]" >&2; exit 2; }
	$(BIN)/python manage.py restore $(BACKUP) $(RESTORE_ARGS)

bench: install
	$(TEST_ENV) $(BIN)/python bench/locate.py

clean:
	rm -rf $(VENV) node_modules static_vendor var/static
