from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "akta.records"
    label = "records"
    verbose_name = "Gallring och arkiv"
