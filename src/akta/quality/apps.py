from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "akta.quality"
    label = "quality"
