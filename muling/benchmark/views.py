from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import CeilingRow


@csrf_exempt  # a load generator has no browser session; the view is closed unless the bench turns it on
def ceiling(request):
    """Insert one row in one transaction and answer 201: the least a request that writes can cost on
    this stack (middleware, session lookup, one INSERT, a commit, a JSON answer). 404 unless the
    benchmark switched it on, so that a production server does not expose an anonymous write."""
    if not getattr(settings, "BENCH_CEILING", False):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():
        row = CeilingRow.objects.create(note=request.POST.get("note", "")[:40])
    return JsonResponse({"id": row.pk}, status=201)
