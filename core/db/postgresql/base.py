"""PostgreSQL, with Django's connection health check skipped for a connection that was just used.

With `CONN_HEALTH_CHECKS`, Django sends `SELECT 1` (a transaction of its own) before the first query of every
request and every task that reuses a persistent connection. At our rate that was 7 of the 18 transactions a turn
costs. The check exists for a connection that sat idle long enough for the server or a proxy to drop it; one that
ran a query moments ago is alive. So a connection is checked only when it has been idle for `HEALTH_CHECK_IDLE`
seconds (5 by default), or after an error. A connection that dies within that window fails its next query, which
Django then closes at the end of the request or task, as it always does for a broken connection.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_used = 0.0

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self._last_used = time.monotonic()
        return cursor

    def close_if_health_check_failed(self):
        recently_used = time.monotonic() - self._last_used < self.settings_dict.get("HEALTH_CHECK_IDLE", 5.0)
        if (self.connection is not None and self.health_check_enabled and not self.health_check_done
                and not self.errors_occurred and recently_used):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
