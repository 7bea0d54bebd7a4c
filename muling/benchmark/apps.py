from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    name = "muling.benchmark"
    label = "benchmark"
