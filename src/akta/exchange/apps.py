from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "akta.exchange"
    label = "exchange"
