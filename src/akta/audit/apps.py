from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "akta.audit"
    label = "audit"
