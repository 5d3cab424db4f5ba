import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (locks, cached sessions, circuit state)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _standin_state_in_tmp(settings, tmp_path_factory):
    """A stand-in a test starts by default settings (the demo, a command) keeps its state away from the developer's
    `.standin/`, and from a `make run` holding that one."""
    settings.STANDIN_STATE_DIR = tmp_path_factory.mktemp("standin")
