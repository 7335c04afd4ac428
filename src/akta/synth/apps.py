from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "akta.synth"
    label = "synth"
