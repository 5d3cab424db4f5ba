# syntax=docker/dockerfile:1
# Multi-stage: build wheels once, run as a non-root user under gunicorn. Keep in step with the Makefile.
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade pip
COPY pyproject.toml ./
COPY config ./config
COPY core ./core
COPY conversations ./conversations
COPY agents ./agents
COPY orders ./orders
COPY integrations ./integrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
RUN groupadd --system app && useradd --system --gid app --home /app app
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY --chown=app:app . .
# Multiprocess metrics are off for this build step: their directory does not exist yet and nothing is counted.
RUN SECRET_KEY=build-only PROMETHEUS_MULTIPROC_DIR= python manage.py collectstatic --noinput
# /metrics is the mount point of the volume web and worker share in docker-compose.yml; owned by `app` so the
# volume starts writable (Docker copies the mount point's ownership into a new named volume).
RUN mkdir -p /metrics && chown app:app /metrics
USER app
EXPOSE 8000
# Host "localhost" must be in ALLOWED_HOSTS (docs/runbook.md), or Django answers 400 and the container is unhealthy.
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://localhost:8000/healthz', timeout=4).status != 200)"
# prometheus_client opens its sample files on import when PROMETHEUS_MULTIPROC_DIR is set, so every process
# (web, worker, `manage.py` one-offs) needs the directory to exist before Python starts.
ENTRYPOINT ["sh", "-c", "[ -z \"$PROMETHEUS_MULTIPROC_DIR\" ] || mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\"; exec \"$@\"", "--"]
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
