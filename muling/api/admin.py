from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import ApiToken, ClientApiKey


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners (the plaintext is shown only to them); admins may revoke."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("吊销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(user=request.user, token_id=token.pk)


@admin.register(ClientApiKey)
class ClientApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "owner", "prefix", "rate_limit_per_minute", "created_at", "revoked_at"]
    list_filter = ["channel", "revoked_at"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at"]
    fields = ["name", "channel", "owner", "rate_limit_per_minute", "prefix", "created_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        secret = None
        if not change:
            secret = services.client_key_set_secret(obj)
        super().save_model(request, obj, form, change)
        if secret:
            messages.warning(
                request,
                _("新密钥：%(secret)s —— 请立即复制并交给对方系统，此后不会再显示。") % {"secret": secret},
            )

    @admin.action(description=gettext_lazy("吊销所选密钥"))
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            services.client_key_revoke(user=request.user, key_id=key.pk)
