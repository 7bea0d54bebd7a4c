from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "muling.api"
    label = "api"
    verbose_name = "API"
