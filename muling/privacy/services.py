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

from .models import AccessReason, AdminExport, DataField, PersonalDataAccess

ANONYMOUS_NAME = "已匿名"  # a stored value, not a UI string: the record itself says it was anonymised
MAX_NOTE = 200
FULL_EXPORT_NOTE = "完整导出"  # stored with the log row, like ANONYMOUS_NAME


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
def export_person(
    *, actor, person: Person, reason: str, note: str = "", path: str = "", full: bool = False
) -> dict:
    """A staff export of one person, masked; `full` (the record as the resident's own export has it,
    for a data-subject request answered by staff) only with `privacy.see_full_values`."""
    if not actor.has_perm("privacy.export_person", person):
        raise PermissionDenied
    if full and not actor.has_perm("privacy.see_full_values"):
        raise PermissionDenied
    if full:
        note = f"{FULL_EXPORT_NOTE}{'：' if note else ''}{note}"[:MAX_NOTE]
    log_access(viewer=actor, person=person, field=DataField.EXPORT, reason=reason, note=note, path=path)
    return person_data(person, full=full)


# ---- automatic entries: the reporter's phone on a case, roster exports ---------------------------------


def log_reporter_phone_view(*, viewer, case: Case, person: Person | None, path: str = "") -> None:
    """Record that `viewer` was shown the full phone of the reporter of `case` (the handler who calls
    back). Whose: the reporter's person if known, else the case (a hotline caller has only a phone).

    One row per viewer, case and local day (a conditional unique constraint; a concurrent second
    insert is ignored), so refreshing the case page does not flood the resident's log.
    """
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(
                viewer=viewer,
                viewer_name=_viewer_name(viewer),
                person=person,
                case=case,
                field=DataField.PHONE,
                reason=AccessReason.CALLBACK,
                note=case.number,
                path=(path or "")[:300],
                day=timezone.localdate(),
            )
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def record_admin_export(
    *,
    actor,
    model: str,
    rows: int,
    person_ids: list[int],
    full: bool,
    reason: str,
    note: str = "",
    filters: str = "",
    file_format: str = "",
) -> AdminExport:
    """Log a back-office roster export before the file is sent. A full export (phones and ID numbers
    in clear) is only for `privacy.see_full_values`, and also writes one row per person, so each
    resident sees it on their "who viewed my data" page; a masked roster is logged as one row."""
    if full and not actor.has_perm("privacy.see_full_values"):
        raise PermissionDenied
    reason, note = clean_reason(reason, note)
    export = AdminExport.objects.create(
        actor=actor,
        actor_name=_viewer_name(actor),
        model=model[:50],
        rows=rows,
        persons=len(set(person_ids)),
        full=full,
        file_format=file_format[:10],
        filters=filters[:500],
        reason=reason,
        note=note,
    )
    if full:
        name = _viewer_name(actor)
        now = timezone.now()
        PersonalDataAccess.objects.bulk_create(
            [
                PersonalDataAccess(
                    viewer=actor,
                    viewer_name=name,
                    person_id=pk,
                    field=DataField.FULL_EXPORT,
                    reason=reason,
                    note=note,
                    at=now,
                    path=f"admin-export:{export.pk}",
                )
                for pk in sorted(set(person_ids))
            ],
            batch_size=1000,
        )
    return export


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
