from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "akta.followup"
    label = "followup"
