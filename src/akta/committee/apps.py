from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "akta.committee"
    label = "committee"
    verbose_name = "Nämndens administration"
