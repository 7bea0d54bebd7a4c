"""Managing one's own API credentials: personal tokens (create, shown once; revoke) and the client keys
one is responsible for (revoke; admins create them in the back office)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from muling.errors import DomainError, NotFound

from . import services
from .models import ApiToken, ClientApiKey


def _page(request, *, new_secret: str = "", error: str = "", name: str = "", status: int = 200):
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user),
            "client_keys": ClientApiKey.objects.filter(owner=request.user),
            "new_secret": new_secret,
            "error": error,
            "name": name,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    if request.method == "GET":
        return _page(request)
    name = request.POST.get("name", "")
    try:
        created = services.token_create(user=request.user, name=name)
    except DomainError as exc:
        return _page(request, error=str(exc.message), name=name, status=400)
    # Rendered, not redirected: the plaintext exists only in this response.
    return _page(request, new_secret=created.secret)


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        token = services.token_revoke(user=request.user, token_id=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("已吊销令牌“%(name)s”") % {"name": token.name})
    return redirect("api_tokens:list")


@login_required
@require_POST
def client_key_revoke(request, pk: int):
    try:
        key = services.client_key_revoke(user=request.user, key_id=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("已吊销密钥“%(name)s”") % {"name": key.name})
    return redirect("api_tokens:list")
