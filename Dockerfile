# Linli 邻里 — the production image: gunicorn serving the app (static files by whitenoise), the
# same image running the Celery worker and beat (compose.yaml). See docs/deploy.md.
#
#   docker build -t linli .
#   docker compose up -d        # web, worker, beat, PostgreSQL, Redis, MinIO

# -- front-end assets: installed from the npm registry by `make assets`, never a CDN ----------------
FROM python:3.11-slim AS assets
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile package.json package-lock.json ./
COPY assets ./assets
RUN make assets

# -- the application ---------------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LINLI_VAR_DIR=/app/var
# The CJK font of the certificates (PDF); ffprobe (ffmpeg) reads uploaded videos. The healthcheck
# uses Python, not curl.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-cjk ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --user-group linli
WORKDIR /app
# The pinned dependencies first (a layer that survives code changes); the code then runs from
# /app itself (PYTHONPATH), as in development: templates, locale and static files sit beside it.
COPY pyproject.toml README.md ./
RUN pip install '.[sentry]' && pip uninstall -y linli && rm -rf build *.egg-info
ENV PYTHONPATH=/app
COPY --chown=linli:linli . .
COPY --from=assets --chown=linli:linli /src/static_vendor ./static_vendor
# Static files under their content hashes, with Brotli and gzip copies that whitenoise serves.
RUN mkdir -p var/media var/uploads \
 && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
 && chown -R linli:linli var
USER linli
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
# Logs, gunicorn's own included, are JSON lines (config/gunicorn.conf.py): stderr, the access log on stdout.
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
