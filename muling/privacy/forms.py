from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccessReason


class RevealForm(forms.Form):
    """Why a staff member needs to see a full value; the answer goes into the access log."""

    reason = forms.ChoiceField(
        label=_("查看事由"),
        choices=[("", _("请选择"))]
        + [
            (c.value, c.label) for c in AccessReason if c not in (AccessReason.REQUEST, AccessReason.CALLBACK)
        ],
        error_messages={"required": _("请选择查看事由")},
    )
    note = forms.CharField(label=_("事由说明"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == AccessReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("选择“其他”时请填写具体事由"))
        return data


EXPORT_REASONS = [(c.value, c.label) for c in AccessReason if c != AccessReason.CALLBACK]


class ExportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("导出事由"),
        choices=[("", _("请选择"))] + EXPORT_REASONS,
        error_messages={"required": _("请选择导出事由")},
    )
    note = forms.CharField(label=_("事由说明"), max_length=200, required=False)
    # Removed by the view for those without `privacy.see_full_values`.
    full = forms.BooleanField(
        label=_("导出完整手机号和身份证号（本人申请时）"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == AccessReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("选择“其他”时请填写具体事由"))
        return data


class AnonymiseForm(forms.Form):
    """Step one: the basis of the request; step two repeats it with `confirmed` ticked."""

    reason = forms.CharField(
        label=_("匿名化依据"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：本人于 2026-12-01 书面申请删除个人信息，申请书编号……"),
        error_messages={"required": _("请填写匿名化的依据")},
    )
    confirmed = forms.BooleanField(
        label=_("我已核实申请人身份，知道匿名化不能撤销"),
        required=False,
    )

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("请填写匿名化的依据"))
        return reason
