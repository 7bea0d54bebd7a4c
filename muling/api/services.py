"""Creating, finding and revoking API credentials. Secrets are shown once and stored as digests."""

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from muling.errors import DomainError, NotFound

from .models import ApiToken, ClientApiKey

TOKEN_PREFIX = "mlt_"  # personal tokens
KEY_PREFIX = "mlk_"  # client keys
PREFIX_SHOWN = 12


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


@dataclass
class Created:
    """The stored row and the plaintext secret, which exists only in this object."""

    row: ApiToken | ClientApiKey
    secret: str


def token_create(*, user, name: str) -> Created:
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", _("请填写令牌用途"), field="name")
    if len(name) > 60:
        raise DomainError("name_too_long", _("用途不能超过 60 字"), field="name")
    secret = _new_secret(TOKEN_PREFIX)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:PREFIX_SHOWN], token_hash=digest(secret)
    )
    return Created(row=token, secret=secret)


@transaction.atomic
def token_revoke(*, user, token_id: int) -> ApiToken:
    """Only the owner (or a superuser) may revoke; anyone else is told the token does not exist."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or (token.user_id != user.pk and not user.is_superuser):
        raise NotFound("token_not_found", _("令牌不存在"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__person")
        .filter(token_hash=digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Written at most once a minute per token: a busy client should not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def client_key_create(
    *, name: str, channel: str = ClientApiKey.Channel.OPEN311, owner=None, rate_limit_per_minute: int = 60
) -> Created:
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", _("请填写系统名称"), field="name")
    if channel not in ClientApiKey.Channel.values:
        raise DomainError("unknown_channel", _("未知的渠道"), field="channel")
    secret = _new_secret(KEY_PREFIX)
    key = ClientApiKey.objects.create(
        name=name[:100],
        channel=channel,
        owner=owner,
        rate_limit_per_minute=rate_limit_per_minute,
        prefix=secret[:PREFIX_SHOWN],
        key_hash=digest(secret),
    )
    return Created(row=key, secret=secret)


def client_key_set_secret(key: ClientApiKey) -> str:
    """Give an unsaved key (from the admin's add form) a fresh secret; returns the plaintext."""
    secret = _new_secret(KEY_PREFIX)
    key.prefix, key.key_hash = secret[:PREFIX_SHOWN], digest(secret)
    return secret


@transaction.atomic
def client_key_revoke(*, user, key_id: int) -> ClientApiKey:
    key = ClientApiKey.objects.select_for_update().filter(pk=key_id).first()
    if key is None or (key.owner_id != user.pk and not user.is_superuser):
        raise NotFound("key_not_found", _("密钥不存在"))
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def client_key_authenticate(secret: str) -> ClientApiKey | None:
    if not secret or len(secret) > 200:
        return None
    return ClientApiKey.objects.filter(key_hash=digest(secret), revoked_at__isnull=True).first()


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None); returns how many."""
    from muling.cases.models import Notification

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
