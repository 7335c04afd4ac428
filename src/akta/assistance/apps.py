from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "akta.assistance"
    label = "assistance"
    verbose_name = "Ekonomiskt bistånd"
