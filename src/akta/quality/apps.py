from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "akta.quality"
    label = "quality"

    def ready(self):
        from akta.quality import signals  # noqa: F401  (the culling receiver)
