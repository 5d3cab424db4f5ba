"""Bench-only Django settings for bench/ingest.py: the real app, routed through bench/ingest_urls.py."""

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "ingest_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
