"""Credentials of the API and the memory of idempotent POSTs.

Secrets are never stored: a personal token or a client key is shown once when created, and only its
SHA-256 digest (to find it) and a short prefix (to recognise it in a list) are kept.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal token: a program acting as its owner, with exactly the owner's posts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("账号")
    )
    name = models.CharField(_("用途"), max_length=60)
    prefix = models.CharField(_("前缀"), max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("个人访问令牌")
        verbose_name_plural = _("个人访问令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ClientApiKey(models.Model):
    """A key for another system (an Open311 client, the 12345 hotline) with its own rate limit."""

    class Channel(models.TextChoices):
        OPEN311 = "open311", _("Open311")
        HOTLINE = "hotline", _("12345热线")

    name = models.CharField(_("系统名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_api_keys",
        verbose_name=_("负责人"),
        help_text=_("由该账号管理和吊销；该系统写入的办理记录以系统身份记录"),
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.OPEN311)
    rate_limit_per_minute = models.PositiveIntegerField(_("每分钟请求上限"), default=60)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("系统接入密钥")
        verbose_name_plural = _("系统接入密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotentRequest(models.Model):
    """The first response to a POST sent with an Idempotency-Key, replayed to every retry.

    The unique constraint is what makes concurrent retries safe: the second insert waits for the first
    transaction and then fails, and the retry answers with the stored response.
    """

    key = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    method_path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.method_path}"
