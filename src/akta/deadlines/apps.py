from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "akta.deadlines"
    label = "deadlines"
