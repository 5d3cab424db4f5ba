"""`manage.py train_router`: build the offline router's intent model from the repo's corpus and save it.

Deterministic: the same corpus and library versions give the same model (fixed seeds, no randomness left to the
machine), so the artifact can be rebuilt anywhere. `make install` runs it; the router also trains on first use when
the artifact is missing or stale, so this command is never a manual step.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from agents.routing import corpus, model


class Command(BaseCommand):
    help = "Train the offline router's intent model and write it to ROUTER_MODEL_PATH (or --output)."
    requires_system_checks = []  # runs inside `make install`, before any database exists: it needs only the corpus

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="where to write the model (default: ROUTER_MODEL_PATH)")
        parser.add_argument("--if-stale", action="store_true", help="do nothing when the saved model is current")

    def handle(self, *args, **options):
        path = options["output"] or Path(settings.ROUTER_MODEL_PATH)
        if options["if_stale"] and model.is_current(path):
            self.stdout.write(f"router model is current: {path}")
            return
        started = time.monotonic()
        examples = corpus.build_corpus()
        trained = model.train(examples)
        model.save(trained, path)
        model.forget_loaded()
        per_intent = Counter(example.intent for example in examples)
        states = Counter(example.state or "none" for example in examples)
        self.stdout.write(
            f"trained on {len(examples)} lines ({len(per_intent)} intents, {len(states)} order states) "
            f"in {time.monotonic() - started:.1f} s; temperature {trained.temperature}; "
            f"{path.stat().st_size // 1024} KiB -> {path}"
        )
