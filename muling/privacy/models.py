"""The personal-data access log: every look at a full ID number or phone, every export, every
anonymisation — who, whose, when, why. Rows are written by services.py only and never edited."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataField(models.TextChoices):
    ID_NUMBER = "id_number", _("身份证号")
    PHONE = "phone", _("手机号")
    EXPORT = "export", _("个人信息导出")
    ANONYMISE = "anonymise", _("匿名化")


class AccessReason(models.TextChoices):
    VISIT = "visit", _("走访核实")
    BUSINESS = "business", _("业务办理")
    CASE = "case", _("诉求处置")
    REQUEST = "request", _("本人申请")
    OTHER = "other", _("其他")


class PersonalDataAccess(models.Model):
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="personal_data_accesses",
        verbose_name=_("查看人"),
    )
    # A snapshot: the log must still say who looked after the account is renamed or anonymised.
    viewer_name = models.CharField(_("查看人姓名"), max_length=100, blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="data_accesses", verbose_name=_("被查看人")
    )
    field = models.CharField(_("信息项"), max_length=12, choices=DataField.choices)
    reason = models.CharField(_("事由"), max_length=10, choices=AccessReason.choices)
    note = models.CharField(_("事由说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    path = models.CharField(_("页面"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "-at"], name="pda_person_at")]

    def __str__(self) -> str:
        return f"{self.viewer_name} · {self.person_id} · {self.field}"

    @property
    def reason_text(self) -> str:
        label = str(self.get_reason_display())
        return f"{label}：{self.note}" if self.note else label
