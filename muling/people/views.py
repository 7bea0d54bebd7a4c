"""Resident search and the person page. Staff see residents of their subtree only (scope.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

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
    person = selectors.visible_person(request.user, pk)
    if person is None:
        raise Http404
    return render(
        request,
        "people/person.html",
        {
            "person": person,
            "show_full_id": request.user.has_perm("people.view_full_id_number", person),
            "posts": selectors.person_posts(person),
            "can_view_household": person.household_id
            and request.user.has_perm("places.view_household_in_scope", person.household),
        },
    )
