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
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["sh", "-c", "mkdir -p $PROMETHEUS_MULTIPROC_DIR && gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_WORKERS:-2} --threads ${WEB_THREADS:-4} --worker-class gthread --access-logfile -"]
