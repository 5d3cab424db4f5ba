from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core import checks, metrics  # noqa: F401  (registers system checks and the project metrics)
        post_migrate.connect(_seed_after_migrate, sender=self)


def _seed_after_migrate(sender, **kwargs):
    from core.schedules import seed_schedules

    seed_schedules()
