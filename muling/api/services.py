"""Creating, finding and revoking API credentials. Secrets are shown once and stored as digests."""

import copy
import hashlib
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from muling.errors import DomainError, NotFound

from . import ratelimit
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


def token_authenticate(secret: str, *, rate_limit: int = 0) -> ApiToken | None:
    """The active token with this secret, its owner active, counted against `rate_limit` per minute
    (raises ratelimit.RateLimited past it); None if there is no such token.

    A token met before is answered from this process's memory when nothing about tokens, accounts or
    people has changed since (a generation token in Redis, read in the same round trip as the rate
    counter): the lookup joined three tables on every API call. Each request gets its own copies of
    the token, account and person, so nothing one request caches on them reaches the next."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    key = digest(secret)
    remembered = _tokens.get(key)
    if remembered is not None:
        template, generation = remembered
        if (
            ratelimit.hit_and_read(f"token:{template.pk}", limit=rate_limit, read=AUTH_GENERATION_KEY)
            == generation
        ):
            return _touched(_fresh(template), template)
        _tokens.pop(key, None)
        return _look_up(key, rate_limit=None)  # counted above
    return _look_up(key, rate_limit=rate_limit)


# Tokens met by this process: digest -> (token with its user and person, generation when read).
# Kept only when the shared cache is Redis: only then does a change reach every process.
AUTH_GENERATION_KEY = "muling:auth:generation"
MAX_REMEMBERED_TOKENS = 10_000
_tokens: dict[str, tuple[ApiToken, object]] = {}


def _look_up(key: str, *, rate_limit: int | None) -> ApiToken | None:
    generation = cache.get(AUTH_GENERATION_KEY)  # before the read: a change racing it is not remembered
    token = (
        ApiToken.objects.select_related("user", "user__person")
        .filter(token_hash=key, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if rate_limit is not None:
        ratelimit.hit(f"token:{token.pk}", limit=rate_limit)
    if ratelimit.on_redis():
        if len(_tokens) >= MAX_REMEMBERED_TOKENS:
            _tokens.clear()
        _tokens[key] = (token, generation)
    return _touched(_fresh(token), token)


def _fresh(template: ApiToken) -> ApiToken:
    token = copy.copy(template)
    user = copy.copy(template.user)
    if user.person_id is not None:
        user.person = copy.copy(template.user.person)
    token.user = user
    return token


def _touched(token: ApiToken, template: ApiToken) -> ApiToken:
    """Write the last-used stamp at most once a minute per token: a busy client should not turn
    every read into a write."""
    now = timezone.now()
    if template.last_used_at is None or (now - template.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        template.last_used_at = token.last_used_at = now
    return token


def auth_changed(**_kwargs) -> None:
    """A token, an account or a person changed: every process reads tokens from the database again
    (now, and again on commit, so a process that read before the commit does not keep the old row)."""
    _forget_tokens()
    transaction.on_commit(_forget_tokens)


def _forget_tokens() -> None:
    cache.set(AUTH_GENERATION_KEY, secrets.token_hex(8), None)
    _tokens.clear()


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
