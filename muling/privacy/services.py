"""Writes about personal data: log a reveal, export a person, anonymise a person.

Reads of the full ID number or phone by staff go through `reveal`, which writes the access log in the
same transaction that returns the value — there is no path that shows the value without the row.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from muling.cases.models import Case
from muling.people import crypto
from muling.people.models import Person

from .models import AccessReason, DataField, PersonalDataAccess

ANONYMOUS_NAME = "已匿名"  # a stored value, not a UI string: the record itself says it was anonymised
MAX_NOTE = 200


def _viewer_name(user) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None) if user.person_id else None
    return person.name if person else user.get_username()


def clean_reason(reason: str, note: str) -> tuple[str, str]:
    """A reason code from AccessReason; "other" needs a note. Raises ValidationError."""
    note = (note or "").strip()[:MAX_NOTE]
    if reason not in AccessReason.values:
        raise ValidationError(_("请选择查看事由"), code="reason")
    if reason == AccessReason.OTHER and not note:
        raise ValidationError(_("选择“其他”时请填写具体事由"), code="note")
    return reason, note


def log_access(*, viewer, person: Person, field: str, reason: str, note: str = "", path: str = ""):
    reason, note = clean_reason(reason, note)
    return PersonalDataAccess.objects.create(
        viewer=viewer,
        viewer_name=_viewer_name(viewer),
        person=person,
        field=field,
        reason=reason,
        note=note,
        path=(path or "")[:300],
    )


def may_reveal(user, person: Person, field: str) -> bool:
    if field == DataField.ID_NUMBER:
        return user.has_perm("people.view_full_id_number", person)
    if field == DataField.PHONE:
        return user.has_perm("privacy.reveal_phone", person) or user.person_id == person.pk
    return False


@transaction.atomic
def reveal(*, viewer, person: Person, field: str, reason: str, note: str = "", path: str = "") -> str:
    """The full value of `field`, after writing who asked and why. PermissionDenied if not allowed."""
    if field not in (DataField.ID_NUMBER, DataField.PHONE) or not may_reveal(viewer, person, field):
        raise PermissionDenied
    log_access(viewer=viewer, person=person, field=field, reason=reason, note=note, path=path)
    return person.id_number_full() if field == DataField.ID_NUMBER else person.phone


# ---- export --------------------------------------------------------------------------------------------


def _cases_of(person: Person):
    user = get_user_model().objects.filter(person=person).first()
    if user is None:
        return Case.objects.none()
    return (
        Case.objects.filter(reporter=user)
        .select_related("category", "area")
        .prefetch_related("events")
        .order_by("created_at")
    )


def person_data(person: Person, *, full: bool) -> dict:
    """Everything Muling holds about `person` as plain JSON-able data. `full` (the person's own
    export) includes the full ID number and phone; a staff export carries them masked."""
    household = person.household
    cases = []
    for case in _cases_of(person):
        cases.append(
            {
                "number": case.number,
                "category": case.category.name if case.category_id else None,
                "text": case.text,
                "status": case.status,
                "channel": case.channel,
                "area": case.area.name,
                "address": case.address,
                "contact_name": case.contact_name,
                "contact_phone": case.contact_phone if full else crypto.mask_phone(case.contact_phone),
                "created_at": case.created_at.isoformat(),
                "closed_at": case.closed_at.isoformat() if case.closed_at else None,
                "satisfaction": case.satisfaction,
                "timeline": [
                    {
                        "kind": e.kind,
                        "at": e.at.isoformat(),
                        "from_status": e.from_status,
                        "to_status": e.to_status,
                        "note": e.note,
                    }
                    for e in sorted(case.events.all(), key=lambda e: (e.at, e.pk))
                ],
            }
        )
    return {
        "exported_at": timezone.now().isoformat(),
        "person": {
            "id": person.pk,
            "name": person.name,
            "gender": person.gender,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "phone": person.phone if full else person.phone_masked,
            "id_number": person.id_number_full() if full else person.id_number_masked,
            "tags": [str(t) for t in person.tag_labels],
            "created_at": person.created_at.isoformat(),
        },
        "household": (
            {
                "building": household.building.full_name(),
                "unit": household.unit,
                "room": household.room,
            }
            if household
            else None
        ),
        "posts": [
            {"role": p.role, "area": p.area.name, "start_date": p.start_date.isoformat()}
            for p in person.posts.select_related("area").order_by("start_date")
        ],
        "cases": cases,
    }


def export_own(user) -> dict:
    if not user.is_authenticated or not user.person_id:
        raise PermissionDenied
    return person_data(user.person, full=True)


@transaction.atomic
def export_person(*, actor, person: Person, reason: str, note: str = "", path: str = "") -> dict:
    if not actor.has_perm("privacy.export_person", person):
        raise PermissionDenied
    log_access(viewer=actor, person=person, field=DataField.EXPORT, reason=reason, note=note, path=path)
    return person_data(person, full=False)


# ---- anonymisation ---------------------------------------------------------------------------------------


@transaction.atomic
def person_anonymise(*, actor, person: Person, reason: str) -> Person:
    """Replace what identifies `person` and detach their account, on the person's request.

    Cases stay — category, area, timeline and statistics are the community's record, not personal data —
    but lose their contact fields. Case.updated_at is not touched (queryset update), so no rollup moves.
    """
    if not actor.has_perm("privacy.anonymise_person", person):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写匿名化的依据"), code="reason")
    person = Person.objects.select_for_update().get(pk=person.pk)
    old_phone = person.phone
    log_access(
        viewer=actor, person=person, field=DataField.ANONYMISE, reason=AccessReason.REQUEST, note=reason
    )

    User = get_user_model()
    user = User.objects.select_for_update().filter(person=person).first()
    contact_q = Q(contact_phone=old_phone) if old_phone else Q(pk__in=[])
    if user is not None:
        contact_q |= Q(reporter=user)
    Case.objects.filter(contact_q).update(contact_name="", contact_phone="")
    if user is not None:
        user.person = None
        user.is_active = False
        user.phone = None
        user.username = f"anonymised-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.save()

    person.name = ANONYMOUS_NAME
    person.phone = ""
    person.birth_date = None
    person.id_number_encrypted = ""
    person.id_number_hash = ""
    person.save(update_fields=["name", "phone", "birth_date", "id_number_encrypted", "id_number_hash"])
    return person
