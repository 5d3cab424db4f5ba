import pytest
from django.core.cache import cache

from core import memo


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (locks, cached sessions, circuit state) and no rows held by the
    process (core.memo: a test that holds them for long must not see another test's catalog)."""
    cache.clear()
    memo.forget()
    yield
    cache.clear()
    memo.forget()


@pytest.fixture(autouse=True)
def _standin_state_in_tmp(settings, tmp_path_factory):
    """A stand-in a test starts by default settings (the demo, a command) keeps its state away from the developer's
    `.standin/`, and from a `make run` holding that one."""
    settings.STANDIN_STATE_DIR = tmp_path_factory.mktemp("standin")
