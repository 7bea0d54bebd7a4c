"""The home page (landing page for visitors, per-role sections for users) and the public building
page behind the QR code of the service card."""

from django.http import Http404
from django.shortcuts import render

from muling.people import selectors as people
from muling.places import selectors as places


def home(request):
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    return render(request, "web/home.html", {"sections": people.home_sections(request.user)})


def building_entry(request, code: str):
    """Public: anyone standing in the stairwell may scan the card and call the grid's people."""
    building = places.building_by_code(code)
    if building is None:
        raise Http404
    return render(
        request,
        "web/building_entry.html",
        {"building": building, "contacts": places.building_contacts(building)},
    )
