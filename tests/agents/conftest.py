import pytest
from django.apps import apps as django_apps

from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401  (fixture)


@pytest.fixture
def faqs(db):
    """The seeded starter FAQs (transactional tests flush the data migration's rows, so seed them again)."""
    from importlib import import_module

    import_module("agents.migrations.0002_seed_faqs").seed(django_apps, None)


@pytest.fixture
def fast_agent(settings):
    settings.AGENT_BURST_WINDOW = 0.0
    settings.AGENT_TURN_BACKOFF = 0.001
    settings.AGENT_TURN_ATTEMPTS = 3
