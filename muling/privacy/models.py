"""The personal-data access log: every look at a full ID number or phone, every export, every
anonymisation — who, whose, when, why. Rows are written by services.py only and never edited."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataField(models.TextChoices):
    ID_NUMBER = "id_number", _("身份证号")
    PHONE = "phone", _("手机号")
    EXPORT = "export", _("个人信息导出")
    ANONYMISE = "anonymise", _("匿名化")
    # One row per person in a back-office roster export that carried full phones / ID numbers.
    FULL_EXPORT = "full_export", _("名册导出（完整号码）")


class AccessReason(models.TextChoices):
    VISIT = "visit", _("走访核实")
    BUSINESS = "business", _("业务办理")
    CASE = "case", _("诉求处置")
    REQUEST = "request", _("本人申请")
    # Written automatically when the handler is shown a reporter's full phone on a case (note: number).
    CALLBACK = "callback", _("回访/办理诉求")
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
    # Whose data: the person when known. A hotline caller has no person, only the contact phone on a
    # case: such a view is logged against the case (and a reporter with an account sees it through it).
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_accesses",
        verbose_name=_("被查看人"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_accesses",
        verbose_name=_("诉求"),
    )
    field = models.CharField(_("信息项"), max_length=12, choices=DataField.choices)
    reason = models.CharField(_("事由"), max_length=10, choices=AccessReason.choices)
    note = models.CharField(_("事由说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    path = models.CharField(_("页面"), max_length=300, blank=True)
    # Local (Asia/Shanghai) day of an automatic callback view: one row per viewer, case and day.
    day = models.DateField(_("日期"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-at"], name="pda_person_at"),
            models.Index(fields=["case", "-at"], name="pda_case_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(case__isnull=False), name="pda_whose_is_known"
            ),
            # Refreshing a case page must not flood the resident's log: the first view of the day counts.
            models.UniqueConstraint(
                fields=["viewer", "case", "day"],
                condition=Q(reason="callback"),
                name="pda_one_callback_view_a_day",
            ),
        ]
        permissions = [
            (
                "privacy_officer",
                _("个人信息保护负责人：后台查看和导出完整号码、为居民办理导出和匿名化"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.viewer_name} · {self.person_id or self.case_id} · {self.field}"

    @property
    def reason_text(self) -> str:
        label = str(self.get_reason_display())
        return f"{label}：{self.note}" if self.note else label


class AdminExport(models.Model):
    """One back-office roster export (persons or posts to Excel/CSV): who, how many, which filter, why,
    and whether the file carried full phones and ID numbers. Written before the file is sent."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="admin_exports",
        verbose_name=_("导出人"),
    )
    actor_name = models.CharField(_("导出人姓名"), max_length=100, blank=True)
    model = models.CharField(_("数据"), max_length=50)
    rows = models.PositiveIntegerField(_("行数"))
    persons = models.PositiveIntegerField(_("涉及人数"))
    full = models.BooleanField(_("含完整号码"), default=False)
    file_format = models.CharField(_("格式"), max_length=10, blank=True)
    filters = models.CharField(_("筛选条件"), max_length=500, blank=True)
    reason = models.CharField(_("事由"), max_length=10, choices=AccessReason.choices)
    note = models.CharField(_("事由说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("后台导出记录")
        verbose_name_plural = _("后台导出记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor_name} · {self.model} · {self.persons}"
