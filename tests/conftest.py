import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (locks, cached sessions, circuit state)."""
    cache.clear()
    yield
    cache.clear()
