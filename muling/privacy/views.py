"""The resident's own privacy pages (who viewed my data, export my data) and the staff export."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from muling.people import selectors as people

from . import services
from .forms import ExportForm
from .models import PersonalDataAccess


def _json_download(data: dict, filename: str) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def mine(request):
    """Who looked at my full ID number or phone, exported or anonymised my data, when and why."""
    accesses = (
        PersonalDataAccess.objects.filter(person_id=request.user.person_id).exclude(viewer=request.user)
        if request.user.person_id
        else PersonalDataAccess.objects.none()
    )
    return render(
        request, "privacy/mine.html", {"accesses": accesses[:500], "has_person": bool(request.user.person_id)}
    )


@login_required
def export_mine(request):
    if not request.user.person_id:
        raise Http404
    data = services.export_own(request.user)
    stamp = timezone.localdate().isoformat()
    return _json_download(data, f"muling-my-data-{stamp}.json")


@login_required
def export_person(request, pk: int):
    person = people.visible_person(request.user, pk)
    if person is None:
        raise Http404
    if not request.user.has_perm("privacy.export_person", person):
        raise PermissionDenied
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = services.export_person(
            actor=request.user,
            person=person,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            path=request.path,
        )
        return _json_download(data, f"muling-person-{person.pk}.json")
    return render(request, "privacy/export_person.html", {"person": person, "form": form})
