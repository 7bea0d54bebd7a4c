from django.urls import path

from . import otp

app_name = "trust"

urlpatterns = [
    path("totp/", otp.totp_setup, name="totp_setup"),
    path("verify/", otp.totp_verify, name="totp_verify"),
]
