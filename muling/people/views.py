"""Resident search and the person page. Staff see residents of their subtree only (scope.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from muling.privacy import services as privacy
from muling.privacy.forms import RevealForm
from muling.privacy.models import DataField

from . import selectors


@login_required
def search(request):
    if not request.user.has_perm("people.search_residents"):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()[:50]
    tags = [t for t in request.GET.getlist("tag") if t in selectors.RESIDENT_TAGS]
    searched = bool(q or tags)
    results = list(selectors.residents_search(request.user, q, tags)) if searched else []
    context = {
        "q": q,
        "tags": tags,
        "tag_choices": [(key, label) for key, (label, _q) in selectors.RESIDENT_TAGS.items()],
        "searched": searched,
        "results": results,
    }
    # htmx swaps in the results only; going back in history asks for the whole page again.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "people/_results.html" if partial else "people/search.html"
    return render(request, template, context)


@login_required
def person_detail(request, pk: int):
    """The person page. Full ID number and phone are not on it: staff who may see them reveal one at a
    time with a reason (POST), which the privacy app logs before the value is shown. A person sees
    their own values directly."""
    person = selectors.visible_person(request.user, pk)
    if person is None:
        raise Http404
    is_self = request.user.person_id == person.pk
    revealed: dict[str, str] = {}
    forms = {f: RevealForm(prefix=f) for f in (DataField.ID_NUMBER, DataField.PHONE)}
    if request.method == "POST":
        field = request.POST.get("field", "")
        if field not in forms:
            raise PermissionDenied
        if not privacy.may_reveal(request.user, person, field):
            raise PermissionDenied
        form = forms[field] = RevealForm(request.POST, prefix=field)
        if form.is_valid():
            revealed[field] = privacy.reveal(
                viewer=request.user,
                person=person,
                field=field,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                path=request.path,
            )
    if is_self:
        revealed = {DataField.ID_NUMBER: person.id_number_full(), DataField.PHONE: person.phone}
    return render(
        request,
        "people/person.html",
        {
            "person": person,
            "is_self": is_self,
            "revealed_id": revealed.get(DataField.ID_NUMBER),
            "revealed_phone": revealed.get(DataField.PHONE),
            "may_reveal_id": not is_self
            and bool(person.id_number_encrypted)
            and privacy.may_reveal(request.user, person, DataField.ID_NUMBER),
            "may_reveal_phone": not is_self
            and bool(person.phone)
            and privacy.may_reveal(request.user, person, DataField.PHONE),
            "id_form": forms[DataField.ID_NUMBER],
            "phone_form": forms[DataField.PHONE],
            "may_export": not is_self and request.user.has_perm("privacy.export_person", person),
            "posts": selectors.person_posts(person),
            "can_view_household": person.household_id
            and request.user.has_perm("places.view_household_in_scope", person.household),
        },
    )
