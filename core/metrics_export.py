"""What `/metrics` serves: one process's registry, or the sum over every web and worker process.

Prometheus multiprocess mode (https://prometheus.github.io/client_python/multiprocess/): when
`PROMETHEUS_MULTIPROC_DIR` is set before a process starts, prometheus_client writes every sample to a file in that
directory, one file per process and metric type, so counters incremented in django-q2 workers (separate processes,
possibly separate containers) are summed into what the web process answers. Without the variable, the default
single-process registry is served as django-prometheus does.

`PROMETHEUS_EXPORT_DIRS` (comma-separated) lists extra directories to merge. docker compose runs web and worker in
separate containers, whose PIDs collide (each namespace starts at 1), so each writes to its own subdirectory of a
shared volume and the web merges both; counters and histograms sum correctly across files with the same PID.
"""

from __future__ import annotations

import glob
import os

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector


def multiprocess_dirs() -> list[str]:
    """Directories to merge, empty when this process is not in multiprocess mode."""
    own = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if not own:
        return []
    extra = [path for path in os.environ.get("PROMETHEUS_EXPORT_DIRS", "").split(",") if path.strip()]
    return list(dict.fromkeys([own, *(path.strip() for path in extra)]))


class MergedDirectoriesCollector:
    """MultiProcessCollector reads one directory; this merges the sample files of several."""

    def __init__(self, directories: list[str]):
        self.directories = directories

    def collect(self):
        files = sorted(path for directory in self.directories for path in glob.glob(os.path.join(directory, "*.db")))
        return MultiProcessCollector.merge(files, accumulate=True)


def multiprocess_registry(directories: list[str]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(MergedDirectoriesCollector(directories))
    return registry
