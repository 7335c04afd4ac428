from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "akta.cases"
    label = "cases"
