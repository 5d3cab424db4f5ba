from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django_q.signals import post_spawn

        from core import checks, metrics  # noqa: F401  (registers system checks and the project metrics)
        from core.ticker import start_ticker

        post_migrate.connect(_seed_after_migrate, sender=self)
        # Each django-q2 worker process runs the fast sweeps in a thread of its own (core.ticker).
        post_spawn.connect(start_ticker, dispatch_uid="core.ticker")


def _seed_after_migrate(sender, **kwargs):
    from core.schedules import seed_schedules

    seed_schedules()
