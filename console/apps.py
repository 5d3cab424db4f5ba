from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The admin app (first in INSTALLED_APPS) has imported every admin module by now; the registry is final.
        # Imported here: the module touches the admin registry, which does not exist before the apps are ready.
        from console.internals import hide_internals_from_staff

        hide_internals_from_staff()
