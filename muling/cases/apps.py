from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "muling.cases"
    label = "cases"
    verbose_name = _("诉求办理")

    def ready(self):
        from . import reference

        reference.connect_signals()
