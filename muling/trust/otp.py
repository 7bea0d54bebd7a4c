"""Optional TOTP second factor for staff (django-otp).

A staff member enrols an authenticator app on /account/totp/; from then on a password login is only
half a login: every page sends them to /account/verify/ until they type the app's current code. Users
without a confirmed device (residents, and staff who have not enrolled) are untouched.
"""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from muling.people import scope

DEVICE_NAME = "authenticator"


def may_enrol(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or scope.is_staff_member(user)))


SESSION_FLAG = "muling_otp_required"


def needs_code(request) -> bool:
    """Logged in with a password, has a confirmed device, has not typed a code in this session.

    Whether the user has a device is looked up once per login and kept in the session (cleared by
    `forget_on_login`), so ordinary requests cost no extra query."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    required = request.session.get(SESSION_FLAG)
    if required is None:
        required = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        request.session[SESSION_FLAG] = required
    return required


def forget_on_login(sender, request, user, **kwargs):
    """user_logged_in: a new login looks the device up again (login keeps session data for the same user)."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_FLAG, None)


def _code(request) -> str:
    return "".join((request.POST.get("code") or "").split())[:12]


@login_required
def totp_setup(request):
    user = request.user
    if not may_enrol(user):
        raise PermissionDenied
    if needs_code(request):
        return redirect(f"{reverse('trust:totp_verify')}?next={request.path}")
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    error = ""
    if request.method == "POST" and confirmed is None:
        if device.verify_token(_code(request)):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("已启用动态验证码。以后登录时需要输入验证器上的 6 位数字。"))
            return redirect("home")
        error = _("验证码不正确，请核对手机时间后输入验证器上当前的 6 位数字。")
    context = {"device": device, "enrolled": confirmed is not None, "error": error}
    if confirmed is None:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=4, border=2, omitsize=True, svgclass="qr", title=_("用验证器扫码")
        )
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "trust/totp_setup.html", context, status=400 if error else 200)


@login_required
def totp_verify(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse(settings.LOGIN_REDIRECT_URL)
    if not needs_code(request):
        return redirect(target)
    error = ""
    if request.method == "POST":
        device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        if device is not None and device.verify_token(_code(request)):
            otp_login(request, device)
            return redirect(target)
        error = _("验证码不正确或已过期，请输入验证器上当前的 6 位数字。")
    return render(
        request, "trust/totp_verify.html", {"next": target, "error": error}, status=400 if error else 200
    )


class RequireOTPMiddleware:
    """After django_otp's OTPMiddleware: a session that still owes its code may only reach the code page,
    logout and static files. The JSON API answers 401 instead of a redirect."""

    ALLOWED_PREFIXES = ("/account/verify/", "/logout/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not request.path.startswith(self.ALLOWED_PREFIXES) and needs_code(request):
            if request.path.startswith("/api/"):
                body = {"code": "otp_required", "message": _("请先输入动态验证码"), "fields": {}}
                return JsonResponse(body, status=401)
            return redirect(f"{reverse('trust:totp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)
