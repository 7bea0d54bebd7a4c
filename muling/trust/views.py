from django.conf import settings
from django.shortcuts import render


def lockout(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a page in the site's own frame that says how
    long to wait. It never names the account, since a phone number typed by a stranger would otherwise
    reveal the username behind it."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "trust/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
