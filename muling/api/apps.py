from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "muling.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from . import services

        # What a remembered token carries: the token, its account and the account's person.
        for model in ("api.ApiToken", settings.AUTH_USER_MODEL, "people.Person"):
            for signal in (post_save, post_delete):
                signal.connect(services.auth_changed, sender=model, dispatch_uid=f"auth-{model}-{signal}")
