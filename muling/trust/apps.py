from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "muling.trust"
    verbose_name = _("安全与信任")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .otp import forget_on_login

        user_logged_in.connect(forget_on_login, dispatch_uid="muling.trust.otp.forget_on_login")
