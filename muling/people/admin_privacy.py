"""Personal data in the back office: phones masked in lists and forms, roster exports logged.

The full phone or ID number is for `privacy.see_full_values` (the superuser and the privacy officer,
muling/privacy/rules.py). Everyone else sees `138****0001` in the lists and in the change form, where
the phone field becomes "type a new number to replace it" (like the ID number). Every export of
persons or posts asks why, is written to the privacy log with its filter and the number of persons
before the file is sent, and carries full values only when an entitled user ticks "full".
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.forms import SelectableFieldsExportForm

from muling.privacy import services as privacy
from muling.privacy.forms import EXPORT_REASONS


def may_see_full(user) -> bool:
    return bool(user.has_perm("privacy.see_full_values"))


# ---- lists and forms -------------------------------------------------------------------------------


class ReplaceOnlyPhoneForm:
    """Mixed in front of a model form: the stored phone is not sent to the browser; an empty field
    keeps it, a new number replaces it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("phone")
        if field is None or not getattr(self.instance, "phone", None):
            return
        self.initial["phone"] = ""
        field.required = False
        field.widget.attrs["placeholder"] = self.instance.phone_masked_for_form
        field.help_text = _("已登记 %(masked)s；填写则替换，留空则不变") % {
            "masked": self.instance.phone_masked_for_form
        }

    def clean_phone(self):
        cleaner = getattr(super(), "clean_phone", None)
        value = cleaner() if cleaner else self.cleaned_data.get("phone")
        if not value and getattr(self.instance, "phone", None):
            return self.instance.phone
        return value


class MaskedPhoneAdminMixin:
    """Put before the ModelAdmin base. Shows `phone` masked in the list and the change form unless the
    user may see full values."""

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if may_see_full(request.user):
            return columns
        return tuple("phone_masked_column" if c == "phone" else c for c in columns)

    @staticmethod
    def _mask(phone) -> str:
        from .crypto import mask_phone

        return mask_phone(phone or "") or "—"

    def phone_masked_column(self, obj) -> str:
        return self._mask(obj.phone)

    phone_masked_column.short_description = gettext_lazy("手机号")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None or not obj.phone or may_see_full(request.user):
            return form
        obj.phone_masked_for_form = self._mask(obj.phone)
        return type(form.__name__, (ReplaceOnlyPhoneForm, form), {})


# ---- exports ---------------------------------------------------------------------------------------


class ReasonedExportForm(SelectableFieldsExportForm):
    reason = forms.ChoiceField(
        label=gettext_lazy("导出事由"),
        choices=[("", gettext_lazy("请选择"))] + EXPORT_REASONS,
        error_messages={"required": gettext_lazy("请选择导出事由")},
    )
    note = forms.CharField(label=gettext_lazy("事由说明"), max_length=200, required=False)
    full = forms.BooleanField(
        label=gettext_lazy("导出完整手机号和身份证号"),
        required=False,
        help_text=gettext_lazy("仅限超级管理员和个人信息保护负责人；不勾选时号码脱敏导出"),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == "other" and not (data.get("note") or "").strip():
            self.add_error("note", _("选择“其他”时请填写具体事由"))
        return data


class LoggedExportMixin:
    """Put before the import-export mixin. `export_person_field` names the column of the exported rows
    that holds the person whose data they carry ("pk" for the person admin itself)."""

    export_form_class = ReasonedExportForm
    export_person_field = "person_id"

    def export_person_ids(self, queryset) -> list[int]:
        """Ids of the persons whose data the exported rows carry."""
        ids = queryset.order_by().values_list(self.export_person_field, flat=True).distinct()
        return [pk for pk in ids if pk is not None]

    def init_request_context_data(self, request, form):
        if not may_see_full(request.user):
            form.fields.pop("full", None)  # not offered; a forged tick is refused below
        return super().init_request_context_data(request, form)

    def get_export_resource_kwargs(self, request, **kwargs):
        resource_kwargs = super().get_export_resource_kwargs(request, **kwargs)
        form = kwargs.get("export_form")
        full = bool(form is not None and form.is_bound and form.cleaned_data.get("full"))
        resource_kwargs["full"] = full and may_see_full(request.user)
        return resource_kwargs

    def get_data_for_export(self, request, queryset, **kwargs):
        form = kwargs.get("export_form")
        if form is None or not form.is_bound:
            raise PermissionDenied  # every export goes through the form that asks why
        data = form.cleaned_data
        full = bool(data.get("full"))
        if full and not may_see_full(request.user):
            raise PermissionDenied
        try:
            file_format = self.get_export_formats()[int(data.get("format"))]().get_title()
        except (TypeError, ValueError, IndexError):
            file_format = ""
        with transaction.atomic():
            # The log rows are written first and in the same transaction as the read: no file without them.
            privacy.record_admin_export(
                actor=request.user,
                model=self.model._meta.label_lower,
                rows=queryset.count(),
                person_ids=self.export_person_ids(queryset),
                full=full,
                reason=data.get("reason") or "",
                note=data.get("note") or "",
                filters=request.GET.urlencode(),  # the changelist's filter and search the export came from
                file_format=file_format,
            )
            return super().get_data_for_export(request, queryset, **kwargs)
