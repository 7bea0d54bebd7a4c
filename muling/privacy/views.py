"""The resident's own privacy pages (who viewed my data, export my data), the staff export and the
anonymisation page. Thin: the rules decide, the services write, the selectors read."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from muling.cases.models import Case

from . import selectors, services
from .forms import AnonymiseForm, ExportForm


def _json_download(data: dict, filename: str) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def mine(request):
    """Who looked at my full ID number or phone, exported or anonymised my data, when and why."""
    accesses = selectors.accesses_of(request.user)
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
    person = selectors.person_for_privacy(request.user, pk)
    if person is None:
        raise Http404
    if not request.user.has_perm("privacy.export_person", person):
        raise PermissionDenied
    may_export_full = request.user.has_perm("privacy.see_full_values")
    form = ExportForm(request.POST or None)
    if not may_export_full:
        del form.fields["full"]
    if request.method == "POST" and form.is_valid():
        data = services.export_person(
            actor=request.user,
            person=person,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            path=request.path,
            full=bool(form.cleaned_data.get("full")),
        )
        return _json_download(data, f"muling-person-{person.pk}.json")
    back = (
        reverse("privacy:anonymise_person", kwargs={"pk": person.pk})
        if request.user.has_perm("privacy.anonymise_person", person)
        else reverse("people:person", kwargs={"pk": person.pk})
    )
    return render(request, "privacy/export_person.html", {"person": person, "form": form, "back": back})


def _require_anonymise_page(user) -> None:
    if not user.has_perm("privacy.open_anonymise_page"):
        raise PermissionDenied


@login_required
def anonymise(request):
    """Find the person a request is about (ID number, phone or name), among those the user may
    anonymise."""
    _require_anonymise_page(request.user)
    # POSTed, so that an ID number typed here never lands in a URL (history, access logs, referrers).
    query = (request.POST.get("q") or "").strip()[:50] if request.method == "POST" else ""
    found = selectors.find_persons(request.user, query)
    return render(request, "privacy/anonymise.html", {"query": query, "found": found})


@login_required
def anonymise_person(request, pk: int):
    """Step one shows what will change and asks for the basis; step two (confirmed) does it."""
    _require_anonymise_page(request.user)
    person = selectors.anonymisable_persons(request.user).select_related("household__building")
    person = person.filter(pk=pk).first()
    if person is None or not request.user.has_perm("privacy.anonymise_person", person):
        raise Http404
    form = AnonymiseForm(request.POST or None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["confirmed"]:
            confirming = True  # step two: the same form again, with the confirmation box
        else:
            try:
                services.person_anonymise(
                    actor=request.user, person=person, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error("reason", error)
            else:
                messages.success(request, _("已完成匿名化，记录编号 %(pk)s") % {"pk": person.pk})
                return redirect("privacy:anonymise")
    user = get_user_model().objects.filter(person=person).first()
    context = {
        "person": person,
        "form": form,
        "confirming": confirming,
        "account": user,
        "reported_cases": Case.objects.filter(reporter=user).count() if user else 0,
        "contact_cases": Case.objects.filter(contact_phone=person.phone).count() if person.phone else 0,
        "may_export": request.user.has_perm("privacy.export_person", person),
        "anonymised": person.name == services.ANONYMOUS_NAME and not person.phone,
    }
    return render(request, "privacy/anonymise_person.html", context, status=400 if form.errors else 200)
