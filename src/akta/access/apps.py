from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "akta.access"
    label = "access"
