"""Photos over REST: multipart uploads, so an app can send what the report and resolve screens send.

Kept apart from api.py because these are the only multipart (not JSON) case endpoints.
"""

from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile

from . import services
from .api import _act
from .errors import CaseError
from .schemas import CaseOut

router = Router(tags=["cases"])


@router.post("/cases/{case_id}/photos", response={200: CaseOut})
def case_add_photos(request, case_id: int, kind: Form[str], photos: File[list[UploadedFile]]):
    """Add up to 6 photos: kind=report (the reporter, while the case is open) or kind=result (the
    handler, while handling or once resolved). Photos are checked by content and re-encoded."""
    if not photos:
        raise CaseError("photos_required", _("请选择照片"), field="photos")
    return _act(
        request,
        case_id,
        lambda user: services.case_add_photos(case_id=case_id, actor=user, kind=kind, photo_uploads=photos),
    )
