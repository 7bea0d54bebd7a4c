"""Privacy over REST (/api/v1/privacy/…): find a person, export their data and anonymise them on
request. The same selectors, rules and services as the pages; refusals are {code, message, fields}."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from muling.api.idempotency import replayable
from muling.cases.schemas import MAX_ID
from muling.errors import DomainError, Forbidden, NotFound
from muling.people.models import Person

from . import selectors, services
from .models import AccessReason

router = Router(tags=["privacy"])

EXPORT_REASONS = tuple(c.value for c in AccessReason if c != AccessReason.CALLBACK)


class PersonRefOut(Schema):
    id: int
    name: str
    phone: str = Field(..., description="masked")
    id_number: str = Field(..., description="masked")
    household: str | None


class FindQuery(Schema):
    q: str = Field("", max_length=50, description="ID-card number, phone (exact) or part of the name")


class ExportIn(Schema):
    reason: str = Field(..., description=f"one of {', '.join(EXPORT_REASONS)}")
    note: str = Field("", max_length=200, description="required when reason is `other`")
    full: bool = Field(False, description="full phone and ID number (superuser / privacy officer)")


class PersonExportOut(Schema):
    exported_at: str
    person: dict[str, Any]
    household: dict[str, Any] | None
    posts: list[dict[str, Any]]
    cases: list[dict[str, Any]]


class AnonymiseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200, description="the basis: who asked, when")
    confirm: bool = Field(False, description="must be true: anonymisation cannot be undone")


class AnonymisedOut(Schema):
    id: int
    name: str
    anonymised: bool


def _forbidden() -> Forbidden:
    return Forbidden("forbidden", _("您无权进行此操作"))


def _not_found() -> NotFound:
    return NotFound("person_not_found", _("人员不存在"))


def _ref(person: Person) -> dict:
    return {
        "id": person.pk,
        "name": person.name,
        "phone": person.phone_masked,
        "id_number": person.id_number_masked,
        "household": str(person.household) if person.household_id else None,
    }


@router.get("/privacy/persons", response=list[PersonRefOut])
def persons_find(request, query: Query[FindQuery]):
    """Persons the caller may anonymise, by exact ID number, exact phone or part of the name."""
    if not request.auth.has_perm("privacy.open_anonymise_page"):
        raise _forbidden()
    return [_ref(p) for p in selectors.find_persons(request.auth, query.q)]


@router.post("/privacy/persons/{person_id}/export", response={200: PersonExportOut})
def person_export(request, person_id: int, body: ExportIn):
    """Everything held about one person, written to the access log first. Masked unless `full`."""
    user = request.auth
    person = selectors.person_for_privacy(user, person_id) if 1 <= person_id <= MAX_ID else None
    if person is None:
        raise _not_found()
    try:
        data = services.export_person(
            actor=user, person=person, reason=body.reason, note=body.note, path=request.path, full=body.full
        )
    except PermissionDenied:
        raise _forbidden() from None
    except ValidationError as error:
        field = "note" if error.code == "note" else "reason"
        raise DomainError("invalid_input", error.messages[0], field=field) from None
    return Status(200, data)


@router.post("/privacy/persons/{person_id}/anonymise", response={200: AnonymisedOut})
def person_anonymise(request, person_id: int, body: AnonymiseIn):
    """Anonymise a person on their request: cases and statistics stay. Needs `confirm: true`."""
    user = request.auth
    if not user.has_perm("privacy.open_anonymise_page"):
        raise _forbidden()
    person = (
        selectors.anonymisable_persons(user).filter(pk=person_id).first()
        if 1 <= person_id <= MAX_ID
        else None
    )
    if person is None:
        raise _not_found()
    if not body.confirm:
        raise DomainError(
            "confirmation_required", _("匿名化不能撤销，请确认（confirm 为 true）"), field="confirm"
        )

    def run():
        try:
            done = services.person_anonymise(actor=user, person=person, reason=body.reason)
        except PermissionDenied:
            raise _forbidden() from None
        except ValidationError as error:
            raise DomainError("invalid_input", error.messages[0], field="reason") from None
        return 200, {"id": done.pk, "name": done.name, "anonymised": True}

    return Status(*replayable(request, run))
