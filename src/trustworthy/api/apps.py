from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "trustworthy.api"
    label = "api"
    verbose_name = "API"
