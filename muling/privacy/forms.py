from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccessReason


class RevealForm(forms.Form):
    """Why a staff member needs to see a full value; the answer goes into the access log."""

    reason = forms.ChoiceField(
        label=_("查看事由"),
        choices=[("", _("请选择"))] + [(c.value, c.label) for c in AccessReason if c != AccessReason.REQUEST],
        error_messages={"required": _("请选择查看事由")},
    )
    note = forms.CharField(label=_("事由说明"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == AccessReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("选择“其他”时请填写具体事由"))
        return data


class ExportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("导出事由"),
        choices=[("", _("请选择"))] + [(c.value, c.label) for c in AccessReason],
        error_messages={"required": _("请选择导出事由")},
    )
    note = forms.CharField(label=_("事由说明"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == AccessReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("选择“其他”时请填写具体事由"))
        return data
