"""Photo uploads: checked by content (not by name), size-limited, re-encoded as JPEG without metadata.

Re-encoding drops EXIF (GPS position of a resident's home, camera serials) and anything appended to
the file; decoding with Pillow first rejects files that only pretend to be images.
"""

import io
import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import CaseError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PHOTOS = 6
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
MAX_SIDE = 2048


def clean_photo(upload) -> ContentFile:
    """A re-encoded JPEG ContentFile, or CaseError saying what is wrong with the upload."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise CaseError("photo_too_large", _("照片不能超过 8 MB"), field="photos")
    data = upload.read()
    if len(data) > MAX_BYTES:
        raise CaseError("photo_too_large", _("照片不能超过 8 MB"), field="photos")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise CaseError("photo_bad_type", _("只接受 JPEG、PNG、WebP 或 GIF 照片"), field="photos")
            if probe.width * probe.height > MAX_PIXELS:
                raise CaseError("photo_too_large", _("照片像素过大"), field="photos")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=85, optimize=True)
    except CaseError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise CaseError("photo_not_image", _("上传的文件不是有效的图片"), field="photos") from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def clean_photos(uploads) -> list[ContentFile]:
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > MAX_PHOTOS:
        raise CaseError("too_many_photos", _("最多上传 %(n)d 张照片") % {"n": MAX_PHOTOS}, field="photos")
    return [clean_photo(u) for u in uploads]
