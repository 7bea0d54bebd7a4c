from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "muling.stats"
    label = "stats"
    verbose_name = _("统计分析")

    def ready(self):
        from muling.cases.events import EVENT_HOOKS

        from . import rollups, rules  # noqa: F401  (rules registers the stats permissions)

        if rollups.on_events not in EVENT_HOOKS:
            EVENT_HOOKS.append(rollups.on_events)
