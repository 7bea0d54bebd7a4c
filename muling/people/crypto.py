"""Protected storage for ID-card numbers.

The number is stored encrypted (Fernet) so a database dump does not leak it, plus a keyed hash so that
"is this ID already registered" stays one indexed lookup. Pages show the masked form only.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@cache
def _key_material() -> bytes:
    raw = settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY
    return hashlib.sha256(("muling-field-encryption:" + raw).encode()).digest()


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key_material()))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def lookup_hash(value: str) -> str:
    return hmac.new(_key_material(), value.upper().encode(), hashlib.sha256).hexdigest() if value else ""


def mask_id_number(value: str) -> str:
    """370832********123X → first 3 and last 4 visible, the usual practice on Chinese government forms."""
    if not value:
        return ""
    return value[:3] + "*" * max(len(value) - 7, 0) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
