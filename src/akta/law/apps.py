from django.apps import AppConfig


class LawConfig(AppConfig):
    name = "akta.law"
    label = "law"
